/**
 * The colour-histogram re-ID baseline of the CUHK03 reference table: the crop
 * cut into 6 horizontal stripes, each described by a 16 hue x 4 saturation x
 * 4 value HSV histogram (hard bins, normalised per stripe, square-rooted so
 * cosine compares them as the Hellinger kernel does), concatenated. With the
 * crop stretched to 256 x 128 first this reproduces the reference 0.154 mAP /
 * 0.162 top-1 on CUHK03 val. It is what the default teacher has to beat.
 */

export interface RgbPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 3 = RGB, 4 = RGBA (alpha ignored). */
  channels: 3 | 4;
}

const STRIPES = 6;
const HUE_BINS = 16;
const SATURATION_BINS = 4;
const VALUE_BINS = 4;
const BINS_PER_STRIPE = HUE_BINS * SATURATION_BINS * VALUE_BINS;

/** Returns a 6 x 256 = 1536-dimensional vector: per-stripe L1-normalised histograms, square-rooted. */
export function hsvStripeHistogram(image: RgbPixels): Float32Array {
  const histogram = new Float32Array(STRIPES * BINS_PER_STRIPE);
  const { data, width, height, channels } = image;
  for (let y = 0; y < height; y++) {
    const stripe = Math.min(STRIPES - 1, Math.floor((y * STRIPES) / height));
    for (let x = 0; x < width; x++) {
      const offset = (y * width + x) * channels;
      const [hue, saturation, value] = rgbToHsv(data[offset]!, data[offset + 1]!, data[offset + 2]!);
      const hueBin = Math.min(HUE_BINS - 1, Math.floor(hue * HUE_BINS));
      const saturationBin = Math.min(SATURATION_BINS - 1, Math.floor(saturation * SATURATION_BINS));
      const valueBin = Math.min(VALUE_BINS - 1, Math.floor(value * VALUE_BINS));
      const bin = (hueBin * SATURATION_BINS + saturationBin) * VALUE_BINS + valueBin;
      histogram[stripe * BINS_PER_STRIPE + bin]! += 1;
    }
  }
  for (let stripe = 0; stripe < STRIPES; stripe++) {
    const bins = histogram.subarray(stripe * BINS_PER_STRIPE, (stripe + 1) * BINS_PER_STRIPE);
    const total = bins.reduce((sum, count) => sum + count, 0);
    if (total > 0) bins.forEach((count, index) => (bins[index] = Math.sqrt(count / total)));
  }
  return histogram;
}

/** RGB 0..255 → [hue 0..1 (fraction of a turn), saturation 0..1, value 0..1]. */
export function rgbToHsv(red: number, green: number, blue: number): [number, number, number] {
  const r = red / 255;
  const g = green / 255;
  const b = blue / 255;
  const max = Math.max(r, g, b);
  const chroma = max - Math.min(r, g, b);
  let hue = 0;
  if (chroma > 0) {
    if (max === r) hue = ((g - b) / chroma + 6) % 6;
    else if (max === g) hue = (b - r) / chroma + 2;
    else hue = (r - g) / chroma + 4;
  }
  return [hue / 6, max === 0 ? 0 : chroma / max, max];
}
