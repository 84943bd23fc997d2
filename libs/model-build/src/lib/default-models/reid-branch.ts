/**
 * The student's re-identification branch, appended to the detector graph.
 * For each kept box it samples the image on a regular grid (RoiAlign),
 * averages the samples over horizontal stripes (part-based: head, torso and
 * legs keep their own colours) weighting the box's centre columns most,
 * L2-normalises each stripe's mean colour (its chromaticity direction, which
 * is invariant to a brightness change between cameras), optionally adds
 * stripe-pooled backbone features, applies a fixed orthonormal projection
 * and L2-normalises the result.
 *
 * Why the input image and not a backbone map by default: measured on CUHK03
 * val (crops stretched to 256x128, whole-crop box, same protocol as the
 * benchmark), stripe-pooled CenterNet maps stay at 0.04-0.08 mAP at every
 * depth (stride 4 to 32, expanded or bottleneck layers, with or without
 * per-stripe normalisation), while 6 stripes of normalised mean colour reach
 * 0.136 (0.145 centre-weighted); mixing the two only lowers it. The detector
 * was trained to find people, not to tell them apart. `backbone` stays available for a branch
 * that is later distilled from the teacher.
 */
import { float, type OnnxGraphBuilder } from '../onnx';
import { orthonormalProjection } from './random-projection';

export interface ReidBranchOptions {
  /** NCHW [1, 3, H, W] RGB 0..255. */
  image: string;
  /** [N, 4] x1, y1, x2, y2 in input pixels. */
  rois: string;
  /** [N] int64 image index per box. */
  batchIndices: string;
  /** Horizontal parts per box. */
  stripes: number;
  /** Sample grid per stripe: rows within one stripe, and columns across the box. */
  samplesPerStripe: { rows: number; cols: number };
  /** Optional backbone map (NCHW) pooled over the same stripes; `weight` scales its share after normalisation. */
  backbone?: { featureMap: string; stride: number; channels: number; weight: number };
  /**
   * Std-dev of the Gaussian column weight, as a fraction of the box width: a
   * box's centre column is the person, its edges are background. 0.2 lifted
   * CUHK03 val from 0.136 to 0.145 mAP (0.120 to 0.157 top-1) over flat averaging.
   */
  centreSigma: number;
  dimension: number;
  projectionSeed: number;
}

const EPSILON = 1e-6;

/** Returns the [N, dimension] L2-normalised embeddings. */
export function addReidBranch(graph: OnnxGraphBuilder, options: ReidBranchOptions): string {
  const scope = 'reid';
  const { stripes, samplesPerStripe } = options;
  const parts: string[] = [];
  let inputs = 0;
  const addPart = (part: string, channels: number, weight: number, name: string): void => {
    const normalised = l2Normalise(graph, part, 1, `${scope}/${name}_normalised`);
    parts.push(weight === 1 ? normalised : graph.op('Mul', [normalised, graph.scalar(`${scope}/${name}_weight`, weight)], {}, `${scope}/${name}_weighted`));
    inputs += channels * stripes;
  };

  // Sample each box on a (stripes*rows) x cols grid; sampling_ratio 2 averages 2x2 bilinear taps per cell (anti-aliasing for large boxes).
  const samples = graph.op(
    'RoiAlign',
    [options.image, options.rois, options.batchIndices],
    {
      output_height: stripes * samplesPerStripe.rows,
      output_width: samplesPerStripe.cols,
      sampling_ratio: 2,
      spatial_scale: float(1),
      mode: 'avg',
      coordinate_transformation_mode: 'half_pixel',
    },
    `${scope}/colour_samples`,
  );
  // [N, 3, stripes, 1]: the (centre-weighted) mean colour of each stripe, as a per-channel strided convolution.
  const { rows, cols } = samplesPerStripe;
  const columnWeights = Array.from({ length: cols }, (_, col) => Math.exp(-0.5 * (((col + 0.5) / cols - 0.5) / options.centreSigma) ** 2));
  const total = rows * columnWeights.reduce((sum, weight) => sum + weight, 0);
  const kernel = new Float32Array(3 * rows * cols);
  for (let channel = 0; channel < 3; channel++) for (let row = 0; row < rows; row++) for (let col = 0; col < cols; col++) kernel[(channel * rows + row) * cols + col] = columnWeights[col]! / total;
  const stripeColours = graph.op(
    'Conv',
    [samples, graph.addFloatTensor(`${scope}/stripe_weights`, [3, 1, rows, cols], kernel)],
    { kernel_shape: [rows, cols], strides: [rows, cols], group: 3 },
    `${scope}/stripe_colours`,
  );
  addPart(stripeColours, 3, 1, 'stripe_colours');

  if (options.backbone !== undefined) {
    const { featureMap, stride, channels, weight } = options.backbone;
    const pooled = graph.op(
      'RoiAlign',
      [featureMap, options.rois, options.batchIndices],
      { output_height: stripes, output_width: 1, sampling_ratio: 0, spatial_scale: float(1 / stride), mode: 'avg', coordinate_transformation_mode: 'half_pixel' },
      `${scope}/backbone_stripes`,
    );
    addPart(pooled, channels, weight, 'backbone');
  }

  // Flatten [N, C, stripes, 1] parts → [N, inputs], project, L2-normalise.
  const flat = parts.map((part, i) => graph.op('Flatten', [part], { axis: 1 }, `${scope}/flat_${i}`));
  const descriptor = flat.length === 1 ? flat[0]! : graph.op('Concat', flat, { axis: 1 }, `${scope}/descriptor`);
  const projection = graph.addFloatTensor(`${scope}/projection`, [inputs, options.dimension], orthonormalProjection(inputs, options.dimension, options.projectionSeed));
  const projected = graph.op('MatMul', [descriptor, projection], {}, `${scope}/projected`);
  return l2Normalise(graph, projected, 1, `${scope}/embedding`);
}

/** x / max(‖x‖₂ along `axis`, ε): ReduceSum + Sqrt rather than LpNormalization, which fewer execution providers implement. */
export function l2Normalise(graph: OnnxGraphBuilder, x: string, axis: number, name: string): string {
  const squared = graph.op('Mul', [x, x], {}, `${name}/squared`);
  const sum = graph.op('ReduceSum', [squared, graph.int64s(`${name}/axes`, [axis])], { keepdims: 1 }, `${name}/sum`);
  const norm = graph.op('Max', [graph.op('Sqrt', [sum], {}, `${name}/norm`), graph.scalar(`${name}/epsilon`, EPSILON)], {}, `${name}/safe_norm`);
  return graph.op('Div', [x, norm], {}, name);
}
