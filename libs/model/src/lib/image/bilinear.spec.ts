import { describe, expect, it } from 'vitest';
import { cropImage, resizeBilinear } from './bilinear.js';
import type { RgbImage } from './rgb-image.js';

const twoPixels: RgbImage = { data: new Uint8Array([0, 0, 0, 100, 200, 40]), width: 2, height: 1, channels: 3 };

describe('resizeBilinear (half-pixel centres, clamped edges)', () => {
  it('upsamples 2x1 to 4x1: sources -0.25→0, 0.25, 0.75, 1.25→1', () => {
    const out = resizeBilinear(twoPixels, 4, 1);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 0))).toEqual([0, 25, 75, 100]);
    expect(Array.from(out.data.filter((_, i) => i % 3 === 1))).toEqual([0, 50, 150, 200]);
  });

  it('downsamples 4x1 to 2x1 by averaging pixel pairs', () => {
    const image: RgbImage = { data: new Uint8Array([0, 0, 0, 10, 10, 10, 20, 20, 20, 31, 31, 31]), width: 4, height: 1, channels: 3 };
    // sources 0.5 and 2.5 → (0+10)/2 = 5, (20+31)/2 = 25.5 → 26
    expect(Array.from(resizeBilinear(image, 2, 1).data)).toEqual([5, 5, 5, 26, 26, 26]);
  });

  it('ignores alpha of RGBA input', () => {
    const rgba: RgbImage = { data: new Uint8Array([1, 2, 3, 255, 5, 6, 7, 0]), width: 2, height: 1, channels: 4 };
    expect(Array.from(resizeBilinear(rgba, 2, 1).data)).toEqual([1, 2, 3, 5, 6, 7]);
  });
});

describe('cropImage', () => {
  it('copies the integer rectangle covering the box', () => {
    const image: RgbImage = { data: Uint8Array.from({ length: 3 * 3 * 3 }, (_, i) => i), width: 3, height: 3, channels: 3 };
    const crop = cropImage(image, { x1: 1.2, y1: 1, x2: 3, y2: 2.5 });
    expect([crop.width, crop.height]).toEqual([2, 2]);
    // pixel (1,1) starts at byte (1*3+1)*3 = 12
    expect(Array.from(crop.data.slice(0, 3))).toEqual([12, 13, 14]);
  });
});
