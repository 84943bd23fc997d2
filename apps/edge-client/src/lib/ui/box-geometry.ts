// Box arithmetic the views need: picking the default person and placing boxes
// over a picture shown at another size. Boxes are x1,y1,x2,y2 in image pixels.
import { boxArea, type Box } from '@person-search/model';

/** Index of the largest box (the person nearest the camera), or -1 for none. */
export function largestBoxIndex(boxes: readonly Box[]): number {
  let best = -1;
  for (let index = 0; index < boxes.length; index += 1) {
    if (best < 0 || boxArea(boxes[index]!) > boxArea(boxes[best]!)) best = index;
  }
  return best;
}

/** The box as CSS percentages of an image `width` x `height`, clamped to the picture. */
export function boxToPercentRect(box: Box, width: number, height: number): { left: number; top: number; width: number; height: number } {
  const clamp = (value: number, limit: number) => Math.min(limit, Math.max(0, value));
  const x1 = clamp(box.x1, width);
  const x2 = clamp(box.x2, width);
  const y1 = clamp(box.y1, height);
  const y2 = clamp(box.y2, height);
  return { left: (100 * x1) / width, top: (100 * y1) / height, width: (100 * (x2 - x1)) / width, height: (100 * (y2 - y1)) / height };
}
