/**
 * Expresses the default teacher (teacher-design.ts) as an ONNX graph:
 * crops [B, 3, H, W] RGB in 0..1 → embeddings [B, D], L2-normalised.
 *
 * Steps, all elementwise or one MatMul, so any ONNX runtime and execution
 * provider runs it:
 *   1. RGB → HSV (hue as a fraction of a turn), as in hsv-histogram.ts.
 *   2. Triangular soft memberships per channel: hue circular, saturation and
 *      value clipped to the outer bin centres so every pixel's memberships
 *      sum to 1.
 *   3-4. Joint hue x saturation x value memberships summed per stripe with
 *      the stripe weight matrix (centre prior, per-stripe normalisation
 *      folded in) → L1-normalised stripe histograms.
 *   5. Square root (Hellinger), flatten stripe-major, L2-normalise.
 */
import { OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { stripeWeightMatrix, teacherDimension, type TeacherDesign } from './teacher-design.js';

export const TEACHER_INPUT = 'crops';
export const TEACHER_OUTPUT = 'embeddings';
/** Opset 17: LpNormalization, Split with equal outputs, Unsqueeze axes as input. */
const OPSET = 17;
/** Guards divisions where a pixel is black (value 0) or grey (chroma 0). */
const EPSILON = 1e-6;

export function buildTeacherGraph(design: TeacherDesign, producerVersion: string): Uint8Array {
  const { height, width } = design;
  const graph = new OnnxGraphBuilder('default-teacher');
  const crops = graph.addInput(TEACHER_INPUT, OnnxDataType.FLOAT, ['batch', 3, height, width]);

  const [red, green, blue] = graph.node('Split', [crops], { axis: 1 }, { outputs: 3 }) as [string, string, string];
  const { hue, saturation, value } = rgbToHsv(graph, red, green, blue);

  const hueMembership = circularMembership(graph, hue, design.hueBins); // [B, hueBins, H, W]
  const saturationMembership = linearMembership(graph, saturation, design.saturationBins);
  const valueMembership = linearMembership(graph, value, design.valueBins);

  // hist[b, hs, v, stripe] = sum over pixels p of HS[b, hs, p] * V[b, v, p] * W[p, stripe]: one
  // batched MatMul of [B, hue*sat, P] by [B, P, val*stripes], so the full joint
  // [B, hue*sat*val, P] tensor is never materialised (it made batch 16 3x slower per crop).
  const pixels = height * width;
  const { hueBins, saturationBins, valueBins, stripes } = design;
  const hue4 = graph.op('Reshape', [hueMembership, graph.int64s('hue_shape', [0, hueBins, 1, pixels])]);
  const saturation4 = graph.op('Reshape', [saturationMembership, graph.int64s('saturation_shape', [0, 1, saturationBins, pixels])]);
  const hueSaturation = graph.op('Reshape', [
    graph.op('Mul', [hue4, saturation4]),
    graph.int64s('hue_saturation_shape', [0, hueBins * saturationBins, pixels]),
  ]);
  const valueByPixel = graph.op('Transpose', [graph.op('Reshape', [valueMembership, graph.int64s('value_shape', [0, valueBins, pixels])])], {
    perm: [0, 2, 1],
  }); // [B, P, val]
  const stripeWeights = graph.addFloatTensor('stripe_weights', [pixels, 1, stripes], stripeWeightMatrix(design));
  const valueStripe = graph.op('Reshape', [
    graph.op('Mul', [graph.op('Unsqueeze', [valueByPixel, graph.int64s('value_axes', [3])]), stripeWeights]),
    graph.int64s('value_stripe_shape', [0, pixels, valueBins * stripes]),
  ]); // [B, P, val*stripes]
  const histogramsFlat = graph.op('MatMul', [hueSaturation, valueStripe]); // [B, hue*sat, val*stripes]
  const histograms = graph.op('Transpose', [
    graph.op('Reshape', [histogramsFlat, graph.int64s('histogram_shape', [0, hueBins * saturationBins, valueBins, stripes])]),
  ], { perm: [0, 3, 1, 2] }); // [B, stripes, hue*sat, val]: stripe-major, bins (h, s, v)
  const hellinger = graph.op('Sqrt', [graph.op('Relu', [histograms])]); // Relu: no NaN from -0 rounding
  const flat = graph.op('Reshape', [hellinger, graph.int64s('embedding_shape', [0, teacherDimension(design)])]);
  const embeddings = graph.op('LpNormalization', [flat], { axis: 1, p: 2 });
  graph.addOutput(embeddings, TEACHER_OUTPUT, OnnxDataType.FLOAT, ['batch', teacherDimension(design)]);

  return graph.serialize({
    opset: OPSET,
    producerName: '@person-search/model default-teacher',
    producerVersion,
    docString: 'Centre-weighted soft HSV stripe histogram (Hellinger), L2-normalised.',
  });
}

/** RGB in 0..1 → hue in [0, 1) (fraction of a turn), saturation and value in 0..1; each [B, 1, H, W]. */
function rgbToHsv(graph: OnnxGraphBuilder, red: string, green: string, blue: string) {
  const value = graph.op('Max', [red, green, blue]);
  const chroma = graph.op('Sub', [value, graph.op('Min', [red, green, blue])]);
  const epsilon = graph.scalar('epsilon', EPSILON);
  const saturation = graph.op('Div', [chroma, graph.op('Max', [value, epsilon])]);
  // Grey pixels have chroma 0 and equal channels, so every sector formula gives 0/ε = 0 → hue 0.
  const safeChroma = graph.op('Max', [chroma, epsilon]);
  const sector = (a: string, b: string, offset: number) =>
    graph.op('Add', [graph.op('Div', [graph.op('Sub', [a, b]), safeChroma]), graph.scalar('hue_offset', offset)]);
  const fromRed = sector(green, blue, 0); // in [-1, 1]: wrapped below
  const fromGreen = sector(blue, red, 2);
  const fromBlue = sector(red, green, 4);
  const redIsMax = graph.op('Equal', [value, red]);
  const greenIsMax = graph.op('Equal', [value, green]);
  const sixths = graph.op('Where', [redIsMax, fromRed, graph.op('Where', [greenIsMax, fromGreen, fromBlue])]);
  const six = graph.scalar('six', 6);
  const zero = graph.scalar('zero', 0);
  const wrapped = graph.op('Where', [graph.op('Less', [sixths, zero]), graph.op('Add', [sixths, six]), sixths]);
  const hue = graph.op('Div', [wrapped, six]);
  return { hue, saturation, value };
}

/** Triangular memberships of [B, 1, H, W] values in 0..1 to `count` circular bins → [B, count, H, W]. */
function circularMembership(graph: OnnxGraphBuilder, values: string, count: number): string {
  const distance = graph.op('Abs', [graph.op('Sub', [values, binCentres(graph, count)])]);
  const wrappedDistance = graph.op('Min', [distance, graph.op('Sub', [graph.scalar('one', 1), distance])]);
  return triangle(graph, wrappedDistance, count);
}

/** Triangular memberships to `count` bins on 0..1, values clipped to the outer centres so weights sum to 1. */
function linearMembership(graph: OnnxGraphBuilder, values: string, count: number): string {
  const half = 0.5 / count;
  const clipped = graph.op('Clip', [values, graph.scalar('clip_low', half), graph.scalar('clip_high', 1 - half)]);
  const distance = graph.op('Abs', [graph.op('Sub', [clipped, binCentres(graph, count)])]);
  return triangle(graph, distance, count);
}

/** Bin centres (k + 0.5) / count as a [1, count, 1, 1] constant. */
function binCentres(graph: OnnxGraphBuilder, count: number): string {
  return graph.addFloatTensor('bin_centres', [1, count, 1, 1], Array.from({ length: count }, (_, k) => (k + 0.5) / count));
}

/** max(0, 1 - distance * count): weight 1 at a bin centre, 0 one bin width away. */
function triangle(graph: OnnxGraphBuilder, distance: string, count: number): string {
  const scaled = graph.op('Mul', [distance, graph.scalar('bin_count', count)]);
  return graph.op('Relu', [graph.op('Sub', [graph.scalar('one', 1), scaled])]);
}
