/**
 * The conversion engine: walks the TF.js node graph backwards from the
 * tensors asked for (so a graph can be cut before ops that are not needed),
 * converts each node once through the op mappers, and tracks for every value
 * its dtype, static shape and layout. Rank-4 activations live in NCHW; a
 * Transpose back to TF order is inserted only where an op depends on the
 * memory order (Reshape, Gather, ...), and cached.
 */
import { OnnxDataType, type OnnxGraphBuilder } from '../onnx';
import { NCHW_TO_NHWC, NHWC_TO_NCHW, permuteShape, transposeData } from './layout';
import type { TfConstant, TfDtype, TfjsGraphModel, TfNode } from './tfjs-model';

export type Layout = 'NCHW' | 'plain';

export interface ConvertedTensor {
  dtype: TfDtype;
  /** Shape in the ONNX graph's axis order; undefined when not known statically. */
  shape: number[] | undefined;
  /** 'NCHW': a rank-4 TF NHWC tensor stored as NCHW. 'plain': stored in TF's own order. */
  layout: Layout;
  /** ONNX value name; unset for constants until an op consumes them. */
  onnxName?: string;
  /** Constant data in TF order, for ops whose attributes come from inputs (axes, sizes, shapes). */
  constant?: TfConstant;
}

export type OpMapper = (node: TfNode, converter: TfjsGraphConverter) => ConvertedTensor[];

export interface GraphInputBinding {
  /** ONNX input value the TF placeholder reads from. */
  onnxName: string;
  /** How that ONNX value is laid out: the student feeds NCHW, a TF-faithful model NHWC. */
  layout: 'NCHW' | 'NHWC';
  /** Shape in the ONNX input's own order. */
  shape: number[];
}

export const onnxDataTypeOf: Record<TfDtype, OnnxDataType> = {
  float32: OnnxDataType.FLOAT,
  int32: OnnxDataType.INT32,
  bool: OnnxDataType.BOOL,
};

export class TfjsGraphConverter {
  private readonly nodesByName = new Map<string, TfNode>();
  private readonly converted = new Map<string, ConvertedTensor[]>();
  private readonly inProgress = new Set<string>();
  private readonly layoutCache = new Map<string, string>();

  constructor(
    private readonly model: TfjsGraphModel,
    readonly graph: OnnxGraphBuilder,
    private readonly inputs: Record<string, GraphInputBinding>,
    private readonly mappers: Record<string, OpMapper>,
  ) {
    for (const node of model.nodes) this.nodesByName.set(node.name, node);
  }

  /** The converted value of a TF tensor reference (`node` or `node:outputIndex`). */
  tensor(reference: string): ConvertedTensor {
    const [nodeName, outputIndex] = parseReference(reference);
    const outputs = this.convertNode(nodeName);
    const output = outputs[outputIndex];
    if (output === undefined) throw new Error(`${reference}: node has only ${outputs.length} output(s)`);
    return output;
  }

  /** The TF node behind a tensor reference, for mappers that recognise multi-node patterns. */
  tfNode(reference: string): TfNode | undefined {
    return this.nodesByName.get(parseReference(reference)[0]);
  }

  /** Input `index` of `node` (control inputs `^x` are not counted). */
  input(node: TfNode, index: number): ConvertedTensor {
    const reference = dataInputs(node)[index];
    if (reference === undefined) throw new Error(`${node.op} ${node.name}: missing input ${index}`);
    return this.tensor(reference);
  }

  inputCount(node: TfNode): number {
    return dataInputs(node).length;
  }

  /** Input `index` of `node`, which must be a constant (weights, axes, sizes). */
  constantInput(node: TfNode, index: number): TfConstant {
    const value = this.input(node, index);
    if (value.constant === undefined) throw new Error(`${node.op} ${node.name}: input ${index} must be a constant`);
    return value.constant;
  }

  /** ONNX name of `value` in NCHW order (rank-4 values only). */
  nchw(value: ConvertedTensor, hint = 'nchw'): string {
    if (value.layout === 'NCHW') return this.materialise(value, hint);
    if (value.shape !== undefined && value.shape.length !== 4) throw new Error(`expected a rank-4 tensor, got [${value.shape.join(',')}]`);
    if (value.constant !== undefined) {
      const { data, shape } = value.constant;
      return this.constantName({ ...value.constant, data: transposeData(data, shape, NHWC_TO_NCHW), shape: permuteShape(shape, NHWC_TO_NCHW) }, `${hint}_nchw`);
    }
    return this.cachedTranspose(this.materialise(value, hint), NHWC_TO_NCHW);
  }

  /** ONNX name of `value` in TF's own order (inserts a Transpose for NCHW values). */
  plain(value: ConvertedTensor, hint = 'plain'): string {
    const name = this.materialise(value, hint);
    return value.layout === 'NCHW' ? this.cachedTranspose(name, NCHW_TO_NHWC) : name;
  }

  /** Shape of `value` in TF's own order. */
  tfShape(value: ConvertedTensor): number[] | undefined {
    if (value.shape === undefined) return undefined;
    return value.layout === 'NCHW' ? permuteShape(value.shape, NCHW_TO_NHWC) : value.shape;
  }

  /** Emits a constant (TF order) as an initializer. */
  constantName(constant: TfConstant, hint: string): string {
    const { dtype, shape, data } = constant;
    if (dtype === 'float32') return this.graph.addFloatTensor(hint, shape, data as Float32Array);
    if (dtype === 'int32') return this.graph.addInt32Tensor(hint, shape, data);
    return this.graph.addInitializer(hint, OnnxDataType.BOOL, shape, Uint8Array.from(data));
  }

  private materialise(value: ConvertedTensor, hint: string): string {
    if (value.onnxName !== undefined) return value.onnxName;
    if (value.constant === undefined) throw new Error('value has neither an ONNX name nor constant data');
    value.onnxName = this.constantName(value.constant, hint);
    return value.onnxName;
  }

  private cachedTranspose(name: string, perm: number[]): string {
    const key = `${name}|${perm.join(',')}`;
    let transposed = this.layoutCache.get(key);
    if (transposed === undefined) {
      transposed = this.graph.op('Transpose', [name], { perm }, `${name}/to_${perm.join('')}`);
      this.layoutCache.set(key, transposed);
    }
    return transposed;
  }

  private convertNode(nodeName: string): ConvertedTensor[] {
    const done = this.converted.get(nodeName);
    if (done !== undefined) return done;
    const node = this.nodesByName.get(nodeName);
    if (node === undefined) throw new Error(`graph has no node ${nodeName}`);
    if (this.inProgress.has(nodeName)) throw new Error(`cycle through ${nodeName}`);
    this.inProgress.add(nodeName);
    let outputs: ConvertedTensor[];
    if (node.op === 'Const') outputs = [this.constantNode(node)];
    else if (node.op === 'Placeholder') outputs = [this.placeholder(node)];
    else {
      const mapper = this.mappers[node.op];
      if (mapper === undefined) throw new Error(`unsupported TF op ${node.op} (node ${node.name})`);
      outputs = mapper(node, this);
    }
    this.inProgress.delete(nodeName);
    this.converted.set(nodeName, outputs);
    return outputs;
  }

  private constantNode(node: TfNode): ConvertedTensor {
    const constant = this.model.constants.get(node.name);
    if (constant === undefined) throw new Error(`constant ${node.name} is not in the weights manifest (inline tensors are not supported)`);
    return { dtype: constant.dtype, shape: [...constant.shape], layout: 'plain', constant };
  }

  private placeholder(node: TfNode): ConvertedTensor {
    const binding = this.inputs[node.name];
    if (binding === undefined) throw new Error(`no ONNX input bound to placeholder ${node.name}`);
    const tensor: ConvertedTensor = { dtype: 'float32', shape: [...binding.shape], layout: binding.layout === 'NCHW' ? 'NCHW' : 'plain', onnxName: binding.onnxName };
    return tensor;
  }
}

/** `name:2` → ['name', 2]; `name` → ['name', 0]. */
export function parseReference(reference: string): [string, number] {
  const match = /^(.*):(\d+)$/.exec(reference);
  return match === null ? [reference, 0] : [match[1]!, Number(match[2])];
}

function dataInputs(node: TfNode): string[] {
  return (node.input ?? []).filter((reference) => !reference.startsWith('^'));
}
