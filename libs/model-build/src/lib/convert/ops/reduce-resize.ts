/**
 * Reductions (Mean, Sum, Max, Min), image resizing (ResizeBilinear,
 * ResizeNearestNeighbor) and TopKV2.
 *
 * TF resize flags → ONNX Resize `coordinate_transformation_mode`:
 *   align_corners            → 'align_corners'
 *   half_pixel_centers       → 'half_pixel' (bilinear) / 'tf_half_pixel_for_nn' (nearest)
 *   neither (TF1 legacy)     → 'asymmetric' (x_in = x_out / scale)
 */
import { OnnxDataType } from '../../onnx';
import type { OpMapper } from '../converter';
import { nhwcAxisToNchw, NHWC_TO_NCHW } from '../layout';
import { tfAttr, type TfNode } from '../tfjs-model';

export function resizeCoordinateMode(node: TfNode, mode: 'linear' | 'nearest'): { coordinate_transformation_mode: string; nearest_mode?: string } {
  const alignCorners = tfAttr.bool(node, 'align_corners', false);
  const halfPixelCenters = tfAttr.bool(node, 'half_pixel_centers', false);
  if (alignCorners && halfPixelCenters) throw new Error(`${node.op} ${node.name}: align_corners and half_pixel_centers cannot both be set`);
  if (mode === 'linear') {
    return { coordinate_transformation_mode: alignCorners ? 'align_corners' : halfPixelCenters ? 'half_pixel' : 'asymmetric' };
  }
  // TF nearest: legacy floors x_out*scale, align_corners rounds (half away from zero), half-pixel floors after +0.5.
  if (alignCorners) return { coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' };
  return { coordinate_transformation_mode: halfPixelCenters ? 'tf_half_pixel_for_nn' : 'asymmetric', nearest_mode: 'floor' };
}

function resize(mode: 'linear' | 'nearest'): OpMapper {
  return (node, converter) => {
    const x = converter.input(node, 0);
    const [height, width] = Array.from(converter.constantInput(node, 1).data) as [number, number];
    const tfShape = converter.tfShape(x);
    if (tfShape === undefined) throw new Error(`${node.op} ${node.name}: input shape must be known`);
    const [batch, , , channels] = tfShape as [number, number, number, number];
    const sizes = [batch, channels, height, width];
    const { graph } = converter;
    // Opset 13+: roi and scales are optional (empty names) when sizes is given.
    const y = graph.op('Resize', [converter.nchw(x), '', '', graph.int64s(`${node.name}/sizes`, sizes)], { mode, ...resizeCoordinateMode(node, mode) }, node.name);
    return [{ dtype: x.dtype, shape: sizes, layout: 'NCHW', onnxName: y }];
  };
}

/** Opset 17: ReduceSum takes axes as an input, the others as an attribute (until opset 18). */
function reduce(onnxOp: 'ReduceMean' | 'ReduceSum' | 'ReduceMax' | 'ReduceMin'): OpMapper {
  return (node, converter) => {
    const x = converter.input(node, 0);
    const tfShape = converter.tfShape(x);
    const rank = tfShape?.length;
    const keepDims = tfAttr.bool(node, 'keep_dims', false);
    const tfAxes = Array.from(converter.constantInput(node, 1).data).map((axis) => (axis < 0 && rank !== undefined ? axis + rank : axis));
    // Stay in NCHW when the result keeps rank 4, or when dropping the axes leaves TF's order intact.
    const keptInNchwOrder = [0, 3, 1, 2].filter((tfAxis) => !tfAxes.includes(tfAxis));
    const nchw = x.layout === 'NCHW' && (keepDims || keptInNchwOrder.every((axis, i) => i === 0 || axis > keptInNchwOrder[i - 1]!));
    const axes = nchw ? tfAxes.map(nhwcAxisToNchw) : tfAxes;
    const { graph } = converter;
    const input = nchw ? converter.nchw(x) : converter.plain(x);
    const keepdims = keepDims ? 1 : 0;
    // A spatial mean that keeps rank 4 is GlobalAveragePool, which ORT runs 2-4x faster than ReduceMean (WASM).
    const globalPool = onnxOp === 'ReduceMean' && nchw && keepDims && rank === 4 && axes.length === 2 && axes.includes(2) && axes.includes(3);
    const y = globalPool
      ? graph.op('GlobalAveragePool', [input], {}, node.name)
      : onnxOp === 'ReduceSum'
        ? graph.op(onnxOp, [input, graph.int64s(`${node.name}/axes`, axes)], { keepdims }, node.name)
        : graph.op(onnxOp, [input], { axes, keepdims }, node.name);
    const inputShape = nchw ? x.shape ?? (tfShape && NHWC_TO_NCHW.map((i) => tfShape[i]!)) : tfShape;
    const shape = inputShape?.flatMap((size, axis) => (axes.includes(axis) ? (keepDims ? [1] : []) : [size]));
    return [{ dtype: x.dtype, shape, layout: nchw && keepDims ? 'NCHW' : 'plain', onnxName: y }];
  };
}

/** TopKV2 over the last axis; ONNX returns int64 indices, cast back to TF's int32. */
const topK: OpMapper = (node, converter) => {
  const x = converter.input(node, 0);
  const k = converter.constantInput(node, 1).data[0]!;
  const { graph } = converter;
  const [values, indices] = graph.node('TopK', [converter.plain(x), graph.int64s(`${node.name}/k`, [k])], { axis: -1, largest: 1, sorted: 1 }, { name: node.name, outputs: 2 });
  const indices32 = graph.op('Cast', [indices!], { to: OnnxDataType.INT32 }, `${node.name}/indices_int32`);
  const tfShape = converter.tfShape(x);
  const shape = tfShape === undefined ? undefined : [...tfShape.slice(0, -1), k];
  return [
    { dtype: x.dtype, shape, layout: 'plain', onnxName: values! },
    { dtype: 'int32', shape, layout: 'plain', onnxName: indices32 },
  ];
};

export const reduceResizeMappers: Record<string, OpMapper> = {
  Mean: reduce('ReduceMean'),
  Sum: reduce('ReduceSum'),
  Max: reduce('ReduceMax'),
  Min: reduce('ReduceMin'),
  ResizeBilinear: resize('linear'),
  ResizeNearestNeighbor: resize('nearest'),
  TopKV2: topK,
};
