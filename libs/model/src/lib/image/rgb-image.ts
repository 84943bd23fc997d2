/**
 * The image value every pre-processing step takes: interleaved pixels in
 * row-major HWC order (R, G, B[, A]), 8 bits per channel. Plain data, so the
 * same code runs on sharp output in Node and canvas ImageData in browsers.
 */
import { ModelError } from '../errors/model-error.js';

export interface RgbImage {
  /** height * width * channels bytes, HWC, RGB or RGBA (alpha is ignored). */
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 3 | 4;
}

/** Axis-aligned box in pixels of the original image; x2/y2 are exclusive edges. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** Throws INVALID_IMAGE when dimensions or the buffer length are inconsistent. */
export function assertValidImage(image: RgbImage): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new ModelError('INVALID_IMAGE', `image has zero or invalid size ${width}x${height}`);
  }
  if (channels !== 3 && channels !== 4) {
    throw new ModelError('INVALID_IMAGE', `image has ${String(channels)} channels; expected 3 (RGB) or 4 (RGBA)`);
  }
  if (data.length !== width * height * channels) {
    throw new ModelError(
      'INVALID_IMAGE',
      `image buffer has ${data.length} bytes; ${width}x${height}x${channels} needs ${width * height * channels}`,
    );
  }
}

/** Throws IMAGE_TOO_LARGE when width * height exceeds maxPixels. */
export function assertPixelLimit(width: number, height: number, maxPixels: number): void {
  if (width * height > maxPixels) {
    throw new ModelError(
      'IMAGE_TOO_LARGE',
      `image is ${width}x${height} = ${width * height} pixels, over the limit of ${maxPixels}`,
    );
  }
}
