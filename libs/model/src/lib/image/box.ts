/** Box maths in pixel units: area, intersection-over-union, clamping to an image. */
import type { Box } from './rgb-image.js';

export function boxArea(box: Box): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

/** Intersection over union; 0 when either box is empty. */
export function iou(a: Box, b: Box): number {
  const width = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const height = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  return intersection / (boxArea(a) + boxArea(b) - intersection);
}

/** Clamps a box into [0, width] x [0, height]; may return an empty box. */
export function clampBox(box: Box, width: number, height: number): Box {
  const clamp = (value: number, max: number) => Math.min(Math.max(value, 0), max);
  const x1 = clamp(Math.min(box.x1, box.x2), width);
  const y1 = clamp(Math.min(box.y1, box.y2), height);
  return { x1, y1, x2: clamp(Math.max(box.x1, box.x2), width), y2: clamp(Math.max(box.y1, box.y2), height) };
}

/**
 * Clamps a crop box to the image and widens it to at least one pixel, so a
 * box on or past the border still yields a (tiny) crop instead of NaNs.
 */
export function cropRegion(box: Box, width: number, height: number): Box {
  const clamped = clampBox(box, width, height);
  const widen = (low: number, high: number, max: number): [number, number] => {
    if (high - low >= 1) return [low, high];
    const start = Math.min(Math.max(low, 0), max - 1);
    return [start, start + 1];
  };
  const [x1, x2] = widen(clamped.x1, clamped.x2, width);
  const [y1, y2] = widen(clamped.y1, clamped.y2, height);
  return { x1, y1, x2, y2 };
}
