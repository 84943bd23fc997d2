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

/**
 * Photo formats only: vector and document formats (SVG, PDF) that libvips can
 * also render are a needless attack surface for untrusted uploads.
 */
const PHOTO_FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif', 'heif']);

/** Bounds the time one decode may take, so a pathological file cannot stall a worker. */
const DECODE_TIMEOUT_SECONDS = 30;

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
  if (!metadata.format || !PHOTO_FORMATS.has(metadata.format)) {
    throw new ModelError('INVALID_IMAGE', `unsupported image format "${metadata.format ?? 'unknown'}"; expected one of ${[...PHOTO_FORMATS].join(', ')}`);
  }
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw new ModelError('INVALID_IMAGE', `image has zero size ${width}x${height}`);
  assertPixelLimit(width, height, maxPixels);
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' })
      .timeout({ seconds: DECODE_TIMEOUT_SECONDS })
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
