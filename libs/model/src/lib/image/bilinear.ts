/**
 * Bilinear sampling in plain TypeScript. Model inputs are resized here, not by
 * sharp or a canvas, so Node and browsers feed the model identical numbers.
 * Convention: half-pixel centres, edges clamped, no antialiasing — the same
 * as OpenCV INTER_LINEAR and TF resizeBilinear(halfPixelCenters=true).
 */
import type { Box, RgbImage } from './rgb-image.js';

/**
 * Horizontal taps of a half-pixel-centred resize of `region` to targetWidth
 * columns: for each target column, the element offsets of its left and right
 * source pixels within a row and the right pixel's weight. They do not depend
 * on the row, so every bilinear loop computes them once (and all loops sample
 * identically).
 */
export function columnTaps(region: Box, targetWidth: number, sourceWidth: number, channels: number) {
  const step = (region.x2 - region.x1) / targetWidth;
  const left = new Int32Array(targetWidth);
  const right = new Int32Array(targetWidth);
  const weightRight = new Float32Array(targetWidth);
  for (let tx = 0; tx < targetWidth; tx++) {
    const sx = Math.min(Math.max(region.x1 + (tx + 0.5) * step - 0.5, 0), sourceWidth - 1);
    const x0 = Math.floor(sx);
    left[tx] = x0 * channels;
    right[tx] = Math.min(x0 + 1, sourceWidth - 1) * channels;
    weightRight[tx] = sx - x0;
  }
  return { left, right, weightRight };
}

/** Vertical tap of target row `ty`: element offsets of the upper and lower source rows and the lower row's weight. */
export function rowTap(region: Box, targetHeight: number, ty: number, sourceWidth: number, sourceHeight: number, channels: number) {
  const step = (region.y2 - region.y1) / targetHeight;
  const sy = Math.min(Math.max(region.y1 + (ty + 0.5) * step - 0.5, 0), sourceHeight - 1);
  const y0 = Math.floor(sy);
  return {
    top: y0 * sourceWidth * channels,
    bottom: Math.min(y0 + 1, sourceHeight - 1) * sourceWidth * channels,
    weightBottom: sy - y0,
  };
}

/**
 * Calls `write(targetX, targetY, r, g, b)` for every pixel of a
 * targetWidth x targetHeight grid sampled from `region` (float source
 * pixels) of `image`. r, g, b are unrounded 0..255 floats.
 */
export function sampleBilinear(
  image: RgbImage,
  region: Box,
  targetWidth: number,
  targetHeight: number,
  write: (targetX: number, targetY: number, r: number, g: number, b: number) => void,
): void {
  const { data, width, height, channels } = image;
  const { left, right, weightRight } = columnTaps(region, targetWidth, width, channels);
  for (let ty = 0; ty < targetHeight; ty++) {
    const { top, bottom, weightBottom: wy } = rowTap(region, targetHeight, ty, width, height, channels);
    for (let tx = 0; tx < targetWidth; tx++) {
      const wx = weightRight[tx]!;
      const l = left[tx]!;
      const r = right[tx]!;
      const pixel = (channel: number) => {
        const upper = data[top + l + channel]! * (1 - wx) + data[top + r + channel]! * wx;
        const lower = data[bottom + l + channel]! * (1 - wx) + data[bottom + r + channel]! * wx;
        return upper * (1 - wy) + lower * wy;
      };
      write(tx, ty, pixel(0), pixel(1), pixel(2));
    }
  }
}

/** Resizes a whole image to width x height (RGB, rounded to 8 bits). */
export function resizeBilinear(image: RgbImage, width: number, height: number): RgbImage {
  const out = new Uint8Array(width * height * 3);
  const region = { x1: 0, y1: 0, x2: image.width, y2: image.height };
  sampleBilinear(image, region, width, height, (x, y, r, g, b) => {
    const index = (y * width + x) * 3;
    out[index] = Math.round(r);
    out[index + 1] = Math.round(g);
    out[index + 2] = Math.round(b);
  });
  return { data: out, width, height, channels: 3 };
}

/** Copies the integer pixel rectangle covering `box` (clamped by the caller) into a new RGB image. */
export function cropImage(image: RgbImage, box: Box): RgbImage {
  const x1 = Math.max(0, Math.floor(box.x1));
  const y1 = Math.max(0, Math.floor(box.y1));
  const x2 = Math.min(image.width, Math.max(x1 + 1, Math.ceil(box.x2)));
  const y2 = Math.min(image.height, Math.max(y1 + 1, Math.ceil(box.y2)));
  const width = x2 - x1;
  const height = y2 - y1;
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const source = ((y1 + y) * image.width + (x1 + x)) * image.channels;
      const target = (y * width + x) * 3;
      out[target] = image.data[source]!;
      out[target + 1] = image.data[source + 1]!;
      out[target + 2] = image.data[source + 2]!;
    }
  }
  return { data: out, width, height, channels: 3 };
}
