// Upload-time image validation: an image is stored only after it decoded in
// full, within pixel, side and time bounds. Reading the header alone let
// truncated files and 1×40M-pixel strips in, which then failed or stalled
// every crop, teacher embedding and re-ranked search that touched them.
import sharp from 'sharp';
import { AppError, badInput, tooLarge } from '../errors.js';

export interface ImageLimits {
  imagePixels: number;
  imageSide: number;
  imageDecodeSeconds: number;
}

export interface ValidatedImage {
  format: string;
  /** As displayed (EXIF orientation applied): the frame the edge's boxes refer to. */
  width: number;
  height: number;
}

function undecodable(error: unknown): AppError {
  const message = error instanceof Error ? error.message : String(error);
  if (/timeout/i.test(message)) return tooLarge('body', 'the image took too long to decode');
  if (/pixel limit/i.test(message)) return tooLarge('pixels', 'the image exceeds the pixel limit');
  return new AppError('BAD_USER_INPUT', 'body: not a decodable image (corrupt or truncated)', 'body', { cause: error });
}

/** Checks the header (format, sides, pixels), then decodes every pixel; throws BAD_USER_INPUT or PAYLOAD_TOO_LARGE. */
export async function validateImage(file: string, expectedFormat: string, contentType: string, limits: ImageLimits): Promise<ValidatedImage> {
  // failOn 'error' rejects truncated data and decoder errors; mere warnings
  // (extra bytes after the end marker, common from cameras) still pass.
  const options = { limitInputPixels: limits.imagePixels, failOn: 'error' as const };
  const metadata = await sharp(file, { ...options, limitInputPixels: false }).metadata().catch((error: unknown) => {
    throw undecodable(error);
  });
  if (metadata.format !== expectedFormat) throw badInput('Content-Type', `says ${contentType} but the body is ${metadata.format}`);
  const width = metadata.autoOrient?.width ?? metadata.width ?? 0;
  const height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  if (width <= 0 || height <= 0) throw badInput('body', 'the image has no pixels');
  if (width * height > limits.imagePixels) throw tooLarge('pixels', `${width}x${height} exceeds the limit of ${limits.imagePixels} pixels`);
  if (Math.max(width, height) > limits.imageSide) throw tooLarge('pixels', `${width}x${height} has a side over the limit of ${limits.imageSide} pixels`);
  if ((metadata.pages ?? 1) > 1) throw badInput('body', 'animated or multi-page images are not accepted');
  // A full decode (no shrink-on-load) into a tiny output: every pixel is read,
  // little memory is kept, and libvips stops at the timeout.
  await sharp(file, options)
    .timeout({ seconds: limits.imageDecodeSeconds })
    .resize(8, 8, { fit: 'fill', fastShrinkOnLoad: false })
    .raw()
    .toBuffer()
    .catch((error: unknown) => {
      throw undecodable(error);
    });
  return { format: expectedFormat, width, height };
}
