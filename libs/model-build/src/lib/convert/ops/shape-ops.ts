/**
 * Ops that move data around rather than compute: Reshape, ExpandDims,
 * Squeeze, StridedSlice, GatherV2 and ConcatV2. All except ConcatV2 depend
 * on TF's memory order, so they read their inputs in TF order ('plain').
 */
import { OnnxDataType } from '../../onnx';
import type { ConvertedTensor, OpMapper, TfjsGraphConverter } from '../converter';
import { nhwcAxisToNchw, NHWC_TO_NCHW, permuteShape } from '../layout';
import { tfAttr } from '../tfjs-model';

/** Slice bounds that mean "to the end" in ONNX Slice (clamped by the op). */
const SLICE_MAX = Number.MAX_SAFE_INTEGER;
const SLICE_MIN = -Number.MAX_SAFE_INTEGER;

/** A shape operand as the int64 tensor ONNX wants (TF shapes are int32). */
const int64Shape = (converter: TfjsGraphConverter, value: ConvertedTensor, hint: string): string =>
  value.constant !== undefined
    ? converter.graph.int64s(hint, Array.from(value.constant.data))
    : converter.graph.op('Cast', [converter.plain(value)], { to: OnnxDataType.INT64 }, hint);

/** Resolves a TF target shape (with at most one -1) against the element count. */
export function resolveReshape(inputShape: readonly number[] | undefined, target: readonly number[]): number[] | undefined {
  const known = target.filter((size) => size !== -1).reduce((product, size) => product * size, 1);
  if (!target.includes(-1)) return [...target];
  if (inputShape === undefined) return undefined;
  const total = inputShape.reduce((product, size) => product * size, 1);
  return target.map((size) => (size === -1 ? total / known : size));
}

const reshape: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const shapeInput = converter.input(node, 1);
  const y = converter.graph.op('Reshape', [converter.plain(x), int64Shape(converter, shapeInput, `${node.name}/shape`)], {}, node.name);
  const shape = shapeInput.constant ? resolveReshape(converter.tfShape(x), Array.from(shapeInput.constant.data)) : undefined;
  return [{ dtype: x.dtype, shape, layout: 'plain', onnxName: y }];
};

const expandDims: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const inputShape = converter.tfShape(x);
  let axis = converter.constantInput(node, 1).data[0]!;
  if (axis < 0) {
    if (inputShape === undefined) throw new Error(`${node.name}: negative axis needs a known rank`);
    axis += inputShape.length + 1;
  }
  const y = converter.graph.op('Unsqueeze', [converter.plain(x), converter.graph.int64s(`${node.name}/axes`, [axis])], {}, node.name);
  const shape = inputShape === undefined ? undefined : [...inputShape.slice(0, axis), 1, ...inputShape.slice(axis)];
  return [{ dtype: x.dtype, shape, layout: 'plain', onnxName: y }];
};

const squeeze: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const inputShape = converter.tfShape(x);
  if (inputShape === undefined) throw new Error(`${node.name}: Squeeze needs a known input shape`);
  const requested = tfAttr.ints(node, 'squeeze_dims', []).map((axis) => (axis < 0 ? axis + inputShape.length : axis));
  const axes = requested.length > 0 ? requested : inputShape.flatMap((size, axis) => (size === 1 ? [axis] : []));
  const y = converter.graph.op('Squeeze', [converter.plain(x), converter.graph.int64s(`${node.name}/axes`, axes)], {}, node.name);
  return [{ dtype: x.dtype, shape: inputShape.filter((_, axis) => !axes.includes(axis)), layout: 'plain', onnxName: y }];
};

/** Python-style slice length, as TF StridedSlice and ONNX Slice both clamp. */
export function sliceLength(size: number, start: number, end: number, step: number): number {
  const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
  const normalise = (value: number): number => (value < 0 ? value + size : value);
  const first = step > 0 ? clamp(normalise(start), 0, size) : clamp(normalise(start), -1, size - 1);
  const last = step > 0 ? clamp(normalise(end), 0, size) : clamp(normalise(end), -1, size - 1);
  return Math.max(0, Math.ceil((last - first) / step));
}

const stridedSlice: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const begin = Array.from(converter.constantInput(node, 1).data);
  const end = Array.from(converter.constantInput(node, 2).data);
  const steps = Array.from(converter.constantInput(node, 3).data);
  const beginMask = tfAttr.int(node, 'begin_mask', 0);
  const endMask = tfAttr.int(node, 'end_mask', 0);
  const shrinkMask = tfAttr.int(node, 'shrink_axis_mask', 0);
  if (tfAttr.int(node, 'ellipsis_mask', 0) !== 0 || tfAttr.int(node, 'new_axis_mask', 0) !== 0) {
    throw new Error(`StridedSlice ${node.name}: ellipsis_mask and new_axis_mask are not supported`);
  }
  const starts: number[] = [];
  const ends: number[] = [];
  const squeezeAxes: number[] = [];
  begin.forEach((start, axis) => {
    const step = steps[axis]!;
    const bit = 1 << axis;
    if (shrinkMask & bit) {
      // One element at `start`; end = start + 1 except for -1, whose "next" is the end of the axis.
      starts.push(start);
      ends.push(start === -1 ? SLICE_MAX : start + 1);
      squeezeAxes.push(axis);
      return;
    }
    starts.push(beginMask & bit ? (step > 0 ? 0 : SLICE_MAX) : start);
    ends.push(endMask & bit ? (step > 0 ? SLICE_MAX : SLICE_MIN) : end[axis]!);
  });
  const { graph } = converter;
  const axes = begin.map((_, axis) => axis);
  let y = graph.op(
    'Slice',
    [converter.plain(x), graph.int64s(`${node.name}/starts`, starts), graph.int64s(`${node.name}/ends`, ends), graph.int64s(`${node.name}/axes`, axes), graph.int64s(`${node.name}/steps`, steps)],
    {},
    squeezeAxes.length > 0 ? `${node.name}/slice` : node.name,
  );
  if (squeezeAxes.length > 0) y = graph.op('Squeeze', [y, graph.int64s(`${node.name}/squeeze_axes`, squeezeAxes)], {}, node.name);
  const inputShape = converter.tfShape(x);
  const shape = inputShape?.flatMap((size, axis) => {
    if (squeezeAxes.includes(axis)) return [];
    if (axis >= starts.length) return [size];
    return [sliceLength(size, starts[axis]!, ends[axis]!, steps[axis]!)];
  });
  return [{ dtype: x.dtype, shape, layout: 'plain', onnxName: y }];
};

const gather: OpMapper = (node, converter) => {
  const params = converter.input(node, 0);
  const indices = converter.input(node, 1);
  if (tfAttr.int(node, 'batch_dims', 0) !== 0) throw new Error(`GatherV2 ${node.name}: batch_dims is not supported`);
  const paramsShape = converter.tfShape(params);
  let axis = converter.constantInput(node, 2).data[0]!;
  if (axis < 0 && paramsShape !== undefined) axis += paramsShape.length;
  const y = converter.graph.op('Gather', [converter.plain(params), converter.plain(indices)], { axis }, node.name);
  const indicesShape = converter.tfShape(indices);
  const shape = paramsShape && indicesShape ? [...paramsShape.slice(0, axis), ...indicesShape, ...paramsShape.slice(axis + 1)] : undefined;
  return [{ dtype: params.dtype, shape, layout: 'plain', onnxName: y }];
};

const concat: OpMapper = (node, converter) => {
  const count = converter.inputCount(node) - 1;
  const parts = Array.from({ length: count }, (_, i) => converter.input(node, i));
  let axis = converter.constantInput(node, count).data[0]!;
  const rank = converter.tfShape(parts[0]!)?.length;
  if (axis < 0 && rank !== undefined) axis += rank;
  const nchw = rank === 4 && parts.some((part) => part.layout === 'NCHW');
  const onnxAxis = nchw ? nhwcAxisToNchw(axis) : axis;
  const names = parts.map((part, i) => (nchw ? converter.nchw(part, `${node.name}/${i}`) : converter.plain(part, `${node.name}/${i}`)));
  const y = converter.graph.op('Concat', names, { axis: onnxAxis }, node.name);
  const shapes = parts.map((part) => {
    const tfShape = converter.tfShape(part);
    return nchw && tfShape !== undefined ? permuteShape(tfShape, NHWC_TO_NCHW) : tfShape;
  });
  const shape = shapes.every((partShape) => partShape !== undefined)
    ? shapes[0]!.map((size, i) => (i === onnxAxis ? shapes.reduce((sum, partShape) => sum + partShape![i]!, 0) : size))
    : undefined;
  return [{ dtype: parts[0]!.dtype, shape, layout: nchw ? 'NCHW' : 'plain', onnxName: y }];
};

export const shapeMappers: Record<string, OpMapper> = {
  Reshape: reshape,
  ExpandDims: expandDims,
  Squeeze: squeeze,
  StridedSlice: stridedSlice,
  GatherV2: gather,
  ConcatV2: concat,
};
