/**
 * Antialiased bilinear resampling: a triangle filter whose support widens with
 * the downscale factor, Pillow's `Image.resize(size, BILINEAR)` (its
 * `precompute_coeffs`), which is how libs/training feeds its models. Plain
 * 2-tap bilinear (bilinear.ts) skips source pixels when shrinking by more than
 * 2x per axis and aliases well before that: on CUHK03 crops (about 300 px tall
 * → 192) it alone cost the trained teacher 0.019 mAP (0.505 vs 0.524).
 * Computed in float (Pillow rounds each pass to 8 bits; the difference is below
 * one grey level). Manifests opt in with `input.resize.antialias`.
 */
import type { Box, RgbImage } from './rgb-image.js';

/** Per output index: the first source index, the tap count and `maxTaps` normalised weights. */
export interface FilterTaps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

/**
 * Taps that resample the source span [from, to) (float source pixels of an axis of
 * `sourceSize` pixels) to `outputSize` pixels. Support = max(1, span / outputSize)
 * source pixels each side of the centre; taps outside the axis are dropped and the
 * rest renormalised (so edges need no clamping).
 */
export function triangleTaps(from: number, to: number, sourceSize: number, outputSize: number): FilterTaps {
  const scale = (to - from) / outputSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outputSize);
  const count = new Int32Array(outputSize);
  const weights = new Float32Array(outputSize * maxTaps);
  for (let out = 0; out < outputSize; out++) {
    const centre = from + (out + 0.5) * scale;
    // Math.trunc is C's (int) cast in Pillow's code.
    const first = Math.max(Math.trunc(centre - support + 0.5), 0);
    const end = Math.min(Math.trunc(centre + support + 0.5), sourceSize);
    let sum = 0;
    const base = out * maxTaps;
    for (let k = 0; k < end - first; k++) {
      const weight = Math.max(0, 1 - Math.abs((first + k - centre + 0.5) / filterScale));
      weights[base + k] = weight;
      sum += weight;
    }
    if (sum > 0) for (let k = 0; k < end - first; k++) weights[base + k]! /= sum;
    start[out] = first;
    count[out] = Math.max(0, end - first);
  }
  return { start, count, weights, maxTaps };
}

/**
 * `region` of `image` resampled to outputWidth x outputHeight: interleaved RGB floats
 * (0..255, unrounded), row-major. Separable: rows first (only the rows the vertical
 * taps read), then columns.
 */
export function resampleAntialiased(image: RgbImage, region: Box, outputWidth: number, outputHeight: number): Float32Array {
  const { data, width, height, channels } = image;
  const columns = triangleTaps(region.x1, region.x2, width, outputWidth);
  const rows = triangleTaps(region.y1, region.y2, height, outputHeight);
  const firstRow = rows.start[0]!;
  const lastRow = rows.start[outputHeight - 1]! + rows.count[outputHeight - 1]!;
  const rowCount = Math.max(0, lastRow - firstRow);
  const horizontal = new Float32Array(rowCount * outputWidth * 3);
  for (let y = 0; y < rowCount; y++) {
    const sourceRow = (firstRow + y) * width * channels;
    for (let x = 0; x < outputWidth; x++) {
      const base = x * columns.maxTaps;
      const first = columns.start[x]!;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < columns.count[x]!; k++) {
        const weight = columns.weights[base + k]!;
        const index = sourceRow + (first + k) * channels;
        r += data[index]! * weight;
        g += data[index + 1]! * weight;
        b += data[index + 2]! * weight;
      }
      const target = (y * outputWidth + x) * 3;
      horizontal[target] = r;
      horizontal[target + 1] = g;
      horizontal[target + 2] = b;
    }
  }
  const out = new Float32Array(outputWidth * outputHeight * 3);
  const rowLength = outputWidth * 3;
  for (let y = 0; y < outputHeight; y++) {
    const base = y * rows.maxTaps;
    const first = rows.start[y]! - firstRow;
    const target = y * rowLength;
    for (let k = 0; k < rows.count[y]!; k++) {
      const weight = rows.weights[base + k]!;
      const source = (first + k) * rowLength;
      for (let i = 0; i < rowLength; i++) out[target + i]! += horizontal[source + i]! * weight;
    }
  }
  return out;
}

/** `region` resampled (antialiased) and rounded to an 8-bit RGB image. */
export function resizeAntialiased(image: RgbImage, region: Box, width: number, height: number): RgbImage {
  const floats = resampleAntialiased(image, region, width, height);
  const data = new Uint8Array(floats.length);
  for (let i = 0; i < floats.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(floats[i]!)));
  return { data, width, height, channels: 3 };
}
