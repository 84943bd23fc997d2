/**
 * Crop queries at the scale a distilled re-ID head was trained on. A head that
 * RoiAligns backbone maps learned from people of a bounded height pasted on a
 * black canvas (libs/training's distiller: 96-256 px on 512 x 512); a query
 * image that is itself a person crop would otherwise fill the whole letterboxed
 * input, a scale it never saw (CUHK03 val: 0.305 mAP that way vs 0.418 as trained).
 */
import { resizeAntialiased } from './antialias.js';
import { cropRegion } from './box.js';
import type { Box, RgbImage } from './rgb-image.js';

/** A box covering at least this fraction of the image's width and of its height is a crop query. */
export const CROP_QUERY_MIN_COVERAGE = 0.9;

export function isCropQuery(box: Box, image: { width: number; height: number }): boolean {
  const region = cropRegion(box, image.width, image.height);
  return region.x2 - region.x1 >= CROP_QUERY_MIN_COVERAGE * image.width && region.y2 - region.y1 >= CROP_QUERY_MIN_COVERAGE * image.height;
}

export interface CropCanvas {
  /** canvasWidth x canvasHeight RGB, `padValue` everywhere but the pasted crop. */
  canvas: RgbImage;
  /** Where the crop lies on the canvas, in canvas pixels. */
  box: Box;
}

/**
 * `box` of `image` resized (antialiased, aspect kept) to `personHeight` pixels — less if it
 * would not fit the canvas — and pasted in the middle of a canvas filled with `padValue`.
 */
export function cropOnCanvas(image: RgbImage, box: Box, canvasWidth: number, canvasHeight: number, personHeight: number, padValue: number): CropCanvas {
  const region = cropRegion(box, image.width, image.height);
  const regionWidth = region.x2 - region.x1;
  const regionHeight = region.y2 - region.y1;
  const fit = Math.min(personHeight / regionHeight, canvasWidth / regionWidth, canvasHeight / regionHeight);
  const height = Math.max(1, Math.min(canvasHeight, Math.round(regionHeight * fit)));
  // The distiller pastes crops at least 8 px wide.
  const width = Math.max(Math.min(8, canvasWidth), Math.min(canvasWidth, Math.round(regionWidth * fit)));
  const pasted = resizeAntialiased(image, region, width, height);
  const data = new Uint8Array(canvasWidth * canvasHeight * 3).fill(Math.round(padValue));
  const left = Math.floor((canvasWidth - width) / 2);
  const top = Math.floor((canvasHeight - height) / 2);
  for (let y = 0; y < height; y++) {
    data.set(pasted.data.subarray(y * width * 3, (y + 1) * width * 3), ((top + y) * canvasWidth + left) * 3);
  }
  return { canvas: { data, width: canvasWidth, height: canvasHeight, channels: 3 }, box: { x1: left, y1: top, x2: left + width, y2: top + height } };
}
