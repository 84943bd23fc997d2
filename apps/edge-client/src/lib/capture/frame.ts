// One captured frame: pixels for the student (RGBA, straight from a canvas) and
// the JPEG that is uploaded when the frame holds people.
import type { RgbImage } from '@person-search/model';

/** Frames are downscaled so the long side is at most this many pixels: enough for a 512 px student, small uploads. */
export const MAX_FRAME_SIDE = 1280;
const JPEG_QUALITY = 0.9;

export interface CapturedFrame {
  canvas: HTMLCanvasElement;
  image: RgbImage;
  capturedAt: Date;
}

type FrameSource = HTMLVideoElement | ImageBitmap | HTMLImageElement;

function sourceSize(source: FrameSource): { width: number; height: number } {
  if (source instanceof HTMLVideoElement) return { width: source.videoWidth, height: source.videoHeight };
  if (source instanceof HTMLImageElement) return { width: source.naturalWidth, height: source.naturalHeight };
  return { width: source.width, height: source.height };
}

/** Draws the source into a fresh canvas (downscaled to MAX_FRAME_SIDE) and reads its pixels. */
export function grabFrame(source: FrameSource, capturedAt = new Date()): CapturedFrame {
  const { width, height } = sourceSize(source);
  if (width === 0 || height === 0) throw new Error('The source has no picture yet');
  const scale = Math.min(1, MAX_FRAME_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('2D canvas is unavailable');
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height);
  return { canvas, capturedAt, image: { data: pixels.data, width: canvas.width, height: canvas.height, channels: 4 } };
}

export function encodeJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('JPEG encoding failed'))), 'image/jpeg', JPEG_QUALITY);
  });
}
