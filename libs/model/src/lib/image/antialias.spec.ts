import { describe, expect, it } from 'vitest';
import { resampleAntialiased, resizeAntialiased, triangleTaps } from './antialias.js';
import type { RgbImage } from './rgb-image.js';

// 9 x 7 RGB, pixel (x, y, c) = (37x + 91y + 53c) mod 256.
const width = 9;
const height = 7;
const image: RgbImage = {
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => {
    const c = i % 3;
    const x = Math.floor(i / 3) % width;
    const y = Math.floor(i / 3 / width);
    return (x * 37 + y * 91 + c * 53) % 256;
  }),
  width,
  height,
  channels: 3,
};

// Goldens: Pillow 9.4 `Image.resize(size, BILINEAR, box=…)` on each channel as a float ("F") image.
const GOLDEN = [
  {
    region: { x1: 0, y1: 0, x2: 9, y2: 7 },
    size: [4, 3],
    values: [97.6857, 127.1755, 137.8571, 130.0662, 154.9686, 130.8118, 123.9129, 128.2997, 136.7003, 105.6286, 119.9673, 149.4571, 107.8924, 128.6235, 138.5983, 113.0359, 132.2453, 133.0904, 129.5495, 149.4935, 125.7303, 122.7193, 126.6706, 144.3899, 129.2857, 135.2653, 136.5429, 111.0906, 131.0871, 149.2997, 116.5331, 130.2857, 125.7526, 129.9143, 142.1633, 126.2],
  },
  {
    region: { x1: 0.5, y1: 1.25, x2: 8.5, y2: 6.5 },
    size: [3, 2],
    values: [110.7451, 127.4973, 128.9575, 120.8463, 140.173, 132.1078, 125.6442, 135.6, 143.8566, 123.1231, 132.8, 144.6923, 112.5035, 133.0559, 130.2238, 124.8769, 140.8308, 129.0923],
  },
] as const;

describe('antialiased resampling (Pillow BILINEAR)', () => {
  for (const { region, size, values } of GOLDEN) {
    it(`matches Pillow: [${region.x1}, ${region.x2}) x [${region.y1}, ${region.y2}) → ${size[0]} x ${size[1]}`, () => {
      const out = resampleAntialiased(image, region, size[0], size[1]);
      expect(out).toHaveLength(values.length);
      values.forEach((value, i) => expect(out[i]).toBeCloseTo(value, 3));
    });
  }

  it('weights are normalised and widen with the downscale factor', () => {
    const shrink = triangleTaps(0, 300, 300, 100);
    expect(shrink.maxTaps).toBe(7);
    for (let out = 0; out < 100; out++) {
      let sum = 0;
      for (let k = 0; k < shrink.count[out]!; k++) sum += shrink.weights[out * shrink.maxTaps + k]!;
      expect(sum).toBeCloseTo(1, 6);
    }
    expect(triangleTaps(0, 10, 10, 20).maxTaps).toBe(3);
  });

  it('an identity resize returns the pixels; 8-bit output is rounded', () => {
    const same = resizeAntialiased(image, { x1: 0, y1: 0, x2: width, y2: height }, width, height);
    expect(Array.from(same.data)).toEqual(Array.from(image.data));
  });
});
