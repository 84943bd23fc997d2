/**
 * A small typed builder for ONNX graphs: declare inputs/outputs, add
 * initializers and nodes, get deterministic model bytes. Node and value names
 * are made unique with a counter, never with randomness or time, so the same
 * build steps always produce the same file.
 */
import { exactFloat16Array } from './float16';
import {
  encodeOnnxModel,
  OnnxAttributeType,
  OnnxDataType,
  type AttributeMessage,
  type ModelMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './proto';

/** A dimension: a fixed size or a symbolic name for a dynamic one. */
export type Dim = number | string;

/** Float attributes must be marked, since a JS number cannot say whether `1` is an int or a float. */
export interface FloatAttr {
  kind: 'float';
  value: number;
}
export interface FloatsAttr {
  kind: 'floats';
  value: number[];
}
export const float = (value: number): FloatAttr => ({ kind: 'float', value });
export const floats = (value: number[]): FloatsAttr => ({ kind: 'floats', value });

/** number → INT, number[] → INTS, string → STRING; floats via `float()` / `floats()`. */
export type AttrValue = number | number[] | string | FloatAttr | FloatsAttr;

export interface ModelOptions {
  /** Default-domain opset version the graph's ops follow. */
  opset: number;
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Record<string, string>;
  /**
   * Store float initializers (of at least 16 elements) whose every value is exactly a
   * float16 as FLOAT16 plus a Cast back to float: half the bytes, identical values.
   * ONNX Runtime folds the Casts when the session starts, so inference is unchanged.
   */
  float16Storage?: boolean;
}

/** Below this, a Cast node costs more bytes than float16 saves. */
const FLOAT16_MIN_ELEMENTS = 16;

/** IR version 8 is what opsets up to 18 pair with; every ONNX Runtime since 1.14 reads it. */
const IR_VERSION = 8;

export class OnnxGraphBuilder {
  private readonly nodes: NodeMessage[] = [];
  private readonly initializers: TensorMessage[] = [];
  private readonly inputs: ValueInfoMessage[] = [];
  private readonly outputs: ValueInfoMessage[] = [];
  private readonly usedNames = new Set<string>();
  private counter = 0;

  constructor(private readonly graphName: string) {}

  /** Whether a value (input, initializer or node output) of this name exists. */
  hasValue(name: string): boolean {
    return this.usedNames.has(name);
  }

  /** Returns `hint` if unused, else `hint_<n>`; reserves the result. */
  uniqueName(hint: string): string {
    let name = hint;
    while (this.usedNames.has(name)) name = `${hint}_${++this.counter}`;
    this.usedNames.add(name);
    return name;
  }

  addInput(name: string, elemType: OnnxDataType, dims: Dim[]): string {
    this.usedNames.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares an existing value as a graph output (an Identity renames it when `name` differs). */
  addOutput(value: string, name: string, elemType: OnnxDataType, dims: Dim[]): void {
    if (value !== name) this.node('Identity', [value], {}, { outputs: [name] });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  addFloatTensor(hint: string, dims: number[], values: Float32Array | number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.addInitializer(hint, OnnxDataType.FLOAT, dims, bytesOf(data));
  }

  addInt64Tensor(hint: string, dims: number[], values: ArrayLike<number>): string {
    const data = new BigInt64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]!);
    return this.addInitializer(hint, OnnxDataType.INT64, dims, bytesOf(data));
  }

  addInt32Tensor(hint: string, dims: number[], values: ArrayLike<number>): string {
    return this.addInitializer(hint, OnnxDataType.INT32, dims, bytesOf(Int32Array.from(values as ArrayLike<number>)));
  }

  /** A 1-D int64 constant, the form ONNX wants for shapes, axes, starts/ends. */
  int64s(hint: string, values: number[]): string {
    return this.addInt64Tensor(hint, [values.length], values);
  }

  /** A scalar float constant. */
  scalar(hint: string, value: number): string {
    return this.addFloatTensor(hint, [], [value]);
  }

  addInitializer(hint: string, dataType: OnnxDataType, dims: number[], rawData: Uint8Array): string {
    const name = this.uniqueName(hint);
    this.initializers.push({ name, dims: [...dims], dataType, rawData });
    return name;
  }

  /**
   * Adds a node. `outputs` is either a count (names derived from the node
   * name) or explicit names. Returns the output names.
   */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttrValue> = {},
    options: { name?: string; outputs?: number | string[] } = {},
  ): string[] {
    const name = this.uniqueName(options.name ?? opType);
    const outputSpec = options.outputs ?? 1;
    const outputs =
      typeof outputSpec === 'number'
        ? Array.from({ length: outputSpec }, (_, i) => this.uniqueName(i === 0 ? name : `${name}:${i}`))
        : outputSpec.map((output) => {
            this.usedNames.add(output);
            return output;
          });
    this.nodes.push({
      name,
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.keys(attributes)
        .sort()
        .map((key) => toAttribute(key, attributes[key]!)),
    });
    return outputs;
  }

  /** Single-output shorthand for `node`. */
  op(opType: string, inputs: string[], attributes: Record<string, AttrValue> = {}, name?: string): string {
    return this.node(opType, inputs, attributes, name === undefined ? {} : { name })[0]!;
  }

  /**
   * Splices another model's graph into this one: its graph inputs are bound to
   * values of this graph (`bindings`, by input name), its nodes and
   * initializers are copied under `prefix/` so names cannot collide. Returns
   * the spliced values of its graph outputs, by output name. Used to put a
   * head trained elsewhere (an ONNX file) on top of a built graph.
   */
  importGraph(model: ModelMessage, bindings: Record<string, string>, prefix: string): Record<string, string> {
    const initializerNames = new Set(model.graph.initializer.map((tensor) => tensor.name));
    const renamed = new Map<string, string>();
    for (const input of model.graph.input) {
      if (initializerNames.has(input.name)) continue;
      const bound = bindings[input.name];
      if (bound === undefined) throw new Error(`importGraph: graph input "${input.name}" is not bound (bindings: ${Object.keys(bindings).join(', ')})`);
      renamed.set(input.name, bound);
    }
    const local = (name: string) => {
      if (name === '') return name;
      let mapped = renamed.get(name);
      if (mapped === undefined) {
        mapped = this.uniqueName(`${prefix}/${name}`);
        renamed.set(name, mapped);
      }
      return mapped;
    };
    for (const tensor of model.graph.initializer) {
      if (!tensor.rawData || tensor.rawData.byteLength === 0) throw new Error(`importGraph: initializer "${tensor.name}" has no raw_data (export with raw data)`);
      this.initializers.push({ name: local(tensor.name), dims: tensor.dims.map(Number), dataType: tensor.dataType, rawData: tensor.rawData });
    }
    for (const node of model.graph.node) {
      if (node.domain) throw new Error(`importGraph: node "${node.name}" uses domain "${node.domain}"; only the default ONNX domain is supported`);
      this.nodes.push({
        name: this.uniqueName(`${prefix}/${node.name || node.opType}`),
        opType: node.opType,
        input: node.input.map(local),
        output: node.output.map(local),
        attribute: node.attribute,
      });
    }
    return Object.fromEntries(model.graph.output.map((output) => [output.name, local(output.name)]));
  }

  toModel(options: ModelOptions): ModelMessage {
    const metadata = options.metadata ?? {};
    const { initializers, casts } = options.float16Storage ? this.float16Initializers() : { initializers: this.initializers, casts: [] };
    return {
      irVersion: IR_VERSION,
      producerName: options.producerName,
      producerVersion: options.producerVersion,
      ...(options.docString === undefined ? {} : { docString: options.docString }),
      opsetImport: [{ domain: '', version: options.opset }],
      metadataProps: Object.keys(metadata)
        .sort()
        .map((key) => ({ key, value: metadata[key]! })),
      graph: {
        name: this.graphName,
        node: [...casts, ...this.nodes],
        initializer: initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }

  /** The initializers with exact-float16 float tensors swapped for FLOAT16 ones, and the Casts that restore them. */
  private float16Initializers(): { initializers: TensorMessage[]; casts: NodeMessage[] } {
    const casts: NodeMessage[] = [];
    const initializers = this.initializers.map((tensor) => {
      const raw = tensor.rawData;
      if (tensor.dataType !== OnnxDataType.FLOAT || raw === undefined || raw.byteLength < 4 * FLOAT16_MIN_ELEMENTS) return tensor;
      const half = exactFloat16Array(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
      if (half === undefined) return tensor;
      let stored = `${tensor.name}/float16`;
      while (this.usedNames.has(stored)) stored = `${stored}_`;
      casts.push({ name: `${tensor.name}/to_float`, opType: 'Cast', input: [stored], output: [tensor.name], attribute: [{ name: 'to', type: OnnxAttributeType.INT, i: OnnxDataType.FLOAT }] });
      return { ...tensor, name: stored, dataType: OnnxDataType.FLOAT16, rawData: bytesOf(half) };
    });
    return { initializers, casts };
  }

  serialize(options: ModelOptions): Uint8Array {
    return encodeOnnxModel(this.toModel(options));
  }
}

function valueInfo(name: string, elemType: OnnxDataType, dims: Dim[]): ValueInfoMessage {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) },
      },
    },
  };
}

function toAttribute(name: string, value: AttrValue): AttributeMessage {
  if (typeof value === 'string') return { name, type: OnnxAttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`attribute ${name}: ${value} is not an integer; wrap floats in float()`);
    return { name, type: OnnxAttributeType.INT, i: value };
  }
  if (Array.isArray(value)) return { name, type: OnnxAttributeType.INTS, ints: value };
  if (value.kind === 'float') return { name, type: OnnxAttributeType.FLOAT, f: value.value };
  return { name, type: OnnxAttributeType.FLOATS, floats: value.value };
}

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian; so is every platform Node runs on). */
function bytesOf(array: Float32Array | Int32Array | BigInt64Array | Uint16Array): Uint8Array {
  return new Uint8Array(array.buffer.slice(array.byteOffset, array.byteOffset + array.byteLength));
}
