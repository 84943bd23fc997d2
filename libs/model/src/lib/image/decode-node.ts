/**
 * Image bytes → RgbImage in Node with sharp: EXIF orientation applied, pixel
 * limit enforced from the header before any pixels are decoded, and every
 * failure a typed ModelError. Node-only. (Model-input resizing is NOT done
 * here: it happens in TypeScript so browsers compute the same numbers.)
 */
import sharp, { type Metadata } from 'sharp';
import { ModelError } from '../errors/model-error.js';
import { assertPixelLimit, type RgbImage } from './rgb-image.js';

export interface DecodeImageOptions {
  /** Largest width * height accepted (after EXIF rotation). Default 40 megapixels. */
  maxPixels?: number;
}

export const DEFAULT_MAX_PIXELS = 40_000_000;

export async function decodeImage(bytes: Uint8Array, options: DecodeImageOptions = {}): Promise<RgbImage> {
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  if (bytes.length === 0) throw new ModelError('INVALID_IMAGE', 'image is empty (0 bytes)');
  let metadata: Metadata;
  try {
    // limitInputPixels: false — our own limit below gives the typed error; sharp's
    // would surface as a generic failure.
    metadata = await sharp(bytes, { limitInputPixels: false, failOn: 'error' }).metadata();
  } catch (error) {
    throw new ModelError('INVALID_IMAGE', `not a decodable image: ${(error as Error).message}`, { cause: error });
  }
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new ModelError('INVALID_IMAGE', `image has zero size ${width}x${height}`);
  assertPixelLimit(width, height, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .autoOrient()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (error) {
    throw new ModelError('INVALID_IMAGE', `image could not be decoded (truncated or corrupt?): ${(error as Error).message}`, { cause: error });
  }
}
