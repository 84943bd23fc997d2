/**
 * NHWC (TensorFlow) ↔ NCHW (ONNX) bookkeeping. Four-dimensional activations
 * are kept in NCHW inside the ONNX graph; everything else stays in TF's
 * order. These helpers map axes and permute constant data at conversion time
 * so that no Transpose runs at inference for weights.
 */

/** Permutation that turns an NHWC tensor into NCHW (ONNX Transpose `perm`). */
export const NHWC_TO_NCHW = [0, 3, 1, 2];
/** Permutation that turns an NCHW tensor into NHWC. */
export const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Maps an axis of the TF (NHWC) view of a rank-4 tensor to its NCHW position. */
export function nhwcAxisToNchw(axis: number): number {
  const normalised = axis < 0 ? axis + 4 : axis;
  const mapped = [0, 2, 3, 1][normalised];
  if (mapped === undefined) throw new Error(`axis ${axis} is out of range for a rank-4 tensor`);
  return mapped;
}

/** `shape` permuted by `perm` (output dim i = input dim perm[i]). */
export function permuteShape(shape: readonly number[], perm: readonly number[]): number[] {
  return perm.map((axis) => shape[axis]!);
}

/** Transposes row-major `data` of `shape` by `perm`, like numpy.transpose. */
export function transposeData<T extends Float32Array | Int32Array | Uint8Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = permuteShape(shape, perm);
  const inStrides = stridesOf(shape);
  const out = new (data.constructor as new (length: number) => T)(data.length);
  const index = new Array<number>(rank).fill(0);
  for (let flat = 0; flat < data.length; flat++) {
    let source = 0;
    for (let axis = 0; axis < rank; axis++) source += index[axis]! * inStrides[perm[axis]!]!;
    out[flat] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      if (index[axis]! < outShape[axis]!) break;
      index[axis] = 0;
    }
  }
  return out;
}

function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--) strides[axis] = strides[axis + 1]! * shape[axis + 1]!;
  return strides;
}

/** TF broadcasting: right-aligned shapes, size-1 dims stretch. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a.join(',')}] and [${b.join(',')}] do not broadcast`);
    out.push(x === 1 ? y : x);
  }
  return out;
}
