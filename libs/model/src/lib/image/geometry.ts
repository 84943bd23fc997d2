/**
 * Resize geometry: where the source region lands on the model's input canvas
 * (stretch, or letterbox with an anchor), and the inverse that maps boxes
 * from model-input pixels back to original-image pixels.
 */
import type { ResizeSpec } from '../manifest/manifest-schema.js';
import { clampBox } from './box.js';
import type { Box } from './rgb-image.js';

export interface Size {
  width: number;
  height: number;
}

export interface ResizeGeometry {
  /** Size of the source region (the whole image, or a crop). */
  original: Size;
  /** Size of the model input canvas. */
  canvas: Size;
  /** Size the source content is scaled to inside the canvas. */
  resized: Size;
  /** Top-left of the content in canvas pixels (non-zero only for a centred letterbox). */
  offsetX: number;
  offsetY: number;
  /** resized / original, per axis (equal up to rounding for letterbox). */
  scaleX: number;
  scaleY: number;
}

export function computeResizeGeometry(original: Size, canvas: Size, resize: ResizeSpec): ResizeGeometry {
  if (resize.mode === 'stretch') {
    return {
      original,
      canvas,
      resized: canvas,
      offsetX: 0,
      offsetY: 0,
      scaleX: canvas.width / original.width,
      scaleY: canvas.height / original.height,
    };
  }
  const scale = Math.min(canvas.width / original.width, canvas.height / original.height);
  const resized = {
    width: Math.min(canvas.width, Math.max(1, Math.round(original.width * scale))),
    height: Math.min(canvas.height, Math.max(1, Math.round(original.height * scale))),
  };
  const centred = resize.anchor === 'center';
  return {
    original,
    canvas,
    resized,
    offsetX: centred ? Math.floor((canvas.width - resized.width) / 2) : 0,
    offsetY: centred ? Math.floor((canvas.height - resized.height) / 2) : 0,
    scaleX: resized.width / original.width,
    scaleY: resized.height / original.height,
  };
}

/** Maps a box in model-input (canvas) pixels to original pixels, clamped to the original. */
/** The inverse of boxToOriginal: a box in original-image pixels → model-input (canvas) pixels. */
export function boxToModelInput(box: Box, geometry: ResizeGeometry): Box {
  return {
    x1: box.x1 * geometry.scaleX + geometry.offsetX,
    y1: box.y1 * geometry.scaleY + geometry.offsetY,
    x2: box.x2 * geometry.scaleX + geometry.offsetX,
    y2: box.y2 * geometry.scaleY + geometry.offsetY,
  };
}

export function boxToOriginal(box: Box, geometry: ResizeGeometry): Box {
  const mapped = {
    x1: (box.x1 - geometry.offsetX) / geometry.scaleX,
    y1: (box.y1 - geometry.offsetY) / geometry.scaleY,
    x2: (box.x2 - geometry.offsetX) / geometry.scaleX,
    y2: (box.y2 - geometry.offsetY) / geometry.scaleY,
  };
  return clampBox(mapped, geometry.original.width, geometry.original.height);
}
