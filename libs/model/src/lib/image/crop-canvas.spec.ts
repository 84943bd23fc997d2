import { describe, expect, it } from 'vitest';
import { cropOnCanvas, isCropQuery } from './crop-canvas.js';
import type { RgbImage } from './rgb-image.js';

const crop: RgbImage = { data: new Uint8Array(64 * 128 * 3).fill(200), width: 64, height: 128, channels: 3 };

describe('crop queries on a canvas', () => {
  it('a box covering nearly the whole image is a crop query; a box inside a scene is not', () => {
    expect(isCropQuery({ x1: 0, y1: 0, x2: 64, y2: 128 }, crop)).toBe(true);
    expect(isCropQuery({ x1: -3, y1: 2, x2: 62, y2: 130 }, crop)).toBe(true);
    expect(isCropQuery({ x1: 10, y1: 10, x2: 50, y2: 100 }, crop)).toBe(false);
    expect(isCropQuery({ x1: 0, y1: 0, x2: 64, y2: 100 }, crop)).toBe(false);
  });

  it('pastes the crop at the person height in the middle of a padded canvas', () => {
    const { canvas, box } = cropOnCanvas(crop, { x1: 0, y1: 0, x2: 64, y2: 128 }, 512, 512, 176, 0);
    expect(box).toEqual({ x1: 212, y1: 168, x2: 300, y2: 344 });
    expect(canvas.width * canvas.height * 3).toBe(canvas.data.length);
    const at = (x: number, y: number) => canvas.data[(y * 512 + x) * 3]!;
    expect(at(0, 0)).toBe(0);
    expect(at(211, 200)).toBe(0);
    expect(at(212, 168)).toBe(200);
    expect(at(299, 343)).toBe(200);
    expect(at(300, 343)).toBe(0);
  });

  it('a crop too wide for the canvas at that height is shrunk to fit', () => {
    const wide: RgbImage = { data: new Uint8Array(400 * 100 * 3).fill(9), width: 400, height: 100, channels: 3 };
    const { box } = cropOnCanvas(wide, { x1: 0, y1: 0, x2: 400, y2: 100 }, 256, 256, 176, 114);
    expect(box.x2 - box.x1).toBe(256);
    expect(box.y2 - box.y1).toBe(64);
  });
});
