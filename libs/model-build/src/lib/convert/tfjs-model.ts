/**
 * Reading a TF.js "graph-model" (model.json + weight shards): the node list
 * of `modelTopology` and the constant tensors of `weightsManifest`, with the
 * weight quantisations the TF.js converter writes (float16, and affine
 * uint8/uint16 with scale and min) decoded back to float32.
 */

export type TfDtype = 'float32' | 'int32' | 'bool';

/** One attribute value as model.json spells it (int64s arrive as strings). */
export interface TfAttrValue {
  i?: string | number;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  list?: { i?: Array<string | number>; s?: string[]; f?: number[] };
  tensor?: unknown;
  shape?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttrValue>;
}

export interface TfWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

export interface TfjsModelJson {
  format?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: Array<{ paths: string[]; weights: TfWeightSpec[] }>;
}

export interface TfConstant {
  dtype: TfDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

export interface TfjsGraphModel {
  nodes: TfNode[];
  constants: Map<string, TfConstant>;
}

/**
 * Parses model.json plus the concatenation of its weight files (in manifest
 * order: group by group, path by path).
 */
export function parseTfjsGraphModel(modelJson: TfjsModelJson, weightData: Uint8Array): TfjsGraphModel {
  if (!Array.isArray(modelJson.modelTopology?.node)) throw new Error('model.json has no modelTopology.node: not a TF.js graph model');
  const constants = new Map<string, TfConstant>();
  let offset = 0;
  for (const group of modelJson.weightsManifest) {
    for (const spec of group.weights) {
      const count = spec.shape.reduce((product, size) => product * size, 1);
      const byteLength = count * storedBytesPerElement(spec);
      if (offset + byteLength > weightData.byteLength) {
        throw new Error(`weight ${spec.name} needs bytes ${offset}..${offset + byteLength} but the weight data has ${weightData.byteLength}`);
      }
      const bytes = weightData.subarray(offset, offset + byteLength);
      constants.set(spec.name, { dtype: toTfDtype(spec.dtype), shape: spec.shape, data: decodeWeight(spec, bytes, count) });
      offset += byteLength;
    }
  }
  if (offset !== weightData.byteLength) throw new Error(`weight data has ${weightData.byteLength} bytes, the manifest describes ${offset}`);
  return { nodes: modelJson.modelTopology.node, constants };
}

function toTfDtype(dtype: string): TfDtype {
  if (dtype === 'float32' || dtype === 'int32' || dtype === 'bool') return dtype;
  throw new Error(`unsupported weight dtype ${dtype}`);
}

function storedBytesPerElement(spec: TfWeightSpec): number {
  switch (spec.quantization?.dtype) {
    case 'float16':
    case 'uint16':
      return 2;
    case 'uint8':
      return 1;
    case undefined:
      return spec.dtype === 'bool' ? 1 : 4;
    default:
      throw new Error(`weight ${spec.name}: unsupported quantization ${String(spec.quantization?.dtype)}`);
  }
}

function decodeWeight(spec: TfWeightSpec, bytes: Uint8Array, count: number): Float32Array | Int32Array | Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const quantization = spec.quantization;
  if (quantization === undefined) {
    if (spec.dtype === 'bool') return Uint8Array.from(bytes);
    const out = spec.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = spec.dtype === 'int32' ? view.getInt32(i * 4, true) : view.getFloat32(i * 4, true);
    return out;
  }
  if (quantization.dtype === 'float16') {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
    return out;
  }
  // Affine quantisation: value = quantised * scale + min (tfjs-converter's quantize_weights).
  const scale = quantization.scale ?? 1;
  const min = quantization.min ?? 0;
  const out = spec.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const quantised = quantization.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(i * 2, true);
    out[i] = quantised * scale + min;
  }
  return out;
}

/** IEEE 754 half precision → single precision, including subnormals, infinities and NaN. */
export function float16ToFloat32(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Decoded attribute readers (model.json stores int64 as strings and strings as base64). */
export const tfAttr = {
  int(node: TfNode, key: string, fallback?: number): number {
    const value = node.attr?.[key]?.i;
    if (value === undefined) return required(node, key, fallback);
    return Number(value);
  },
  ints(node: TfNode, key: string, fallback?: number[]): number[] {
    const value = node.attr?.[key]?.list?.i;
    if (value === undefined) return required(node, key, fallback);
    return value.map(Number);
  },
  float(node: TfNode, key: string, fallback?: number): number {
    const value = node.attr?.[key]?.f;
    return value === undefined ? required(node, key, fallback) : value;
  },
  bool(node: TfNode, key: string, fallback?: boolean): boolean {
    const value = node.attr?.[key]?.b;
    return value === undefined ? required(node, key, fallback) : value;
  },
  string(node: TfNode, key: string, fallback?: string): string {
    const value = node.attr?.[key]?.s;
    return value === undefined ? required(node, key, fallback) : decodeBase64(value);
  },
  strings(node: TfNode, key: string): string[] {
    return (node.attr?.[key]?.list?.s ?? []).map(decodeBase64);
  },
  dtype(node: TfNode, key: string): TfDtype {
    const type = node.attr?.[key]?.type;
    switch (type) {
      case 'DT_FLOAT':
        return 'float32';
      case 'DT_INT32':
        return 'int32';
      case 'DT_BOOL':
        return 'bool';
      default:
        throw new Error(`${node.op} ${node.name}: unsupported ${key} ${String(type)}`);
    }
  },
};

function required<T>(node: TfNode, key: string, fallback: T | undefined): T {
  if (fallback === undefined) throw new Error(`${node.op} ${node.name}: missing attribute ${key}`);
  return fallback;
}

function decodeBase64(value: string): string {
  const binary = atob(value);
  return new TextDecoder().decode(Uint8Array.from(binary, (char) => char.charCodeAt(0)));
}
