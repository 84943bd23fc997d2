import { describe, expect, it } from 'vitest';
import type { ManifestInput } from '../manifest/manifest-schema.js';
import { mirrorCrops, prepareCrops, prepareImage } from './input-tensor.js';
import type { RgbImage } from './rgb-image.js';

// 4x2 image, every pixel R=10 G=20 B=30
const flat: RgbImage = { data: new Uint8Array(4 * 2 * 3).map((_, i) => [10, 20, 30][i % 3]!), width: 4, height: 2, channels: 3 };

const input = (overrides: Partial<ManifestInput>): ManifestInput => ({
  name: 'images',
  layout: 'NCHW',
  height: 4,
  width: 4,
  resize: { mode: 'letterbox', padValue: 114, anchor: 'top-left' },
  colorOrder: 'BGR',
  scale: 0.5,
  mean: [1, 2, 3],
  std: [2, 2, 2],
  ...overrides,
});

describe('prepareImage', () => {
  it('letterboxes top-left, swaps to BGR and normalises: ((p * 0.5) - mean) / 2', () => {
    const { tensor, geometry } = prepareImage(flat, input({}));
    expect(tensor.dims).toEqual([1, 3, 4, 4]);
    expect(geometry.resized).toEqual({ width: 4, height: 2 });
    // channel 0 = B: (15 - 1) / 2 = 7; channel 1 = G: (10 - 2) / 2 = 4; channel 2 = R: (5 - 3) / 2 = 1
    expect(tensor.data[0]).toBeCloseTo(7, 6);
    expect(tensor.data[16]).toBeCloseTo(4, 6);
    expect(tensor.data[32]).toBeCloseTo(1, 6);
    // row 2 is padding 114: (57 - 1) / 2 = 28, (57 - 2) / 2 = 27.5, (57 - 3) / 2 = 27
    expect(tensor.data[8]).toBeCloseTo(28, 6);
    expect(tensor.data[16 + 8]).toBeCloseTo(27.5, 6);
    expect(tensor.data[32 + 15]).toBeCloseTo(27, 6);
  });

  it('centres the letterbox and writes NHWC', () => {
    const { tensor, geometry } = prepareImage(flat, input({ layout: 'NHWC', colorOrder: 'RGB', resize: { mode: 'letterbox', padValue: 0, anchor: 'center' } }));
    expect(tensor.dims).toEqual([1, 4, 4, 3]);
    expect(geometry.offsetY).toBe(1);
    // (y=0) is padding 0: (0 - 1) / 2 = -0.5; (y=1, x=0) is content R: (5 - 1) / 2 = 2
    expect(tensor.data[0]).toBeCloseTo(-0.5, 6);
    expect(Array.from(tensor.data.slice(12, 15))).toEqual([2, 4, 6]);
  });

  it('rejects an image whose buffer does not match its size', () => {
    expect(() => prepareImage({ ...flat, height: 3 }, input({}))).toThrow(/buffer has 24 bytes/);
  });
});

describe('prepareCrops', () => {
  it('stretches each clamped crop to the input size, one batch row per box', () => {
    const gradient: RgbImage = { data: new Uint8Array(4 * 2 * 3).map((_, i) => Math.floor(i / 3) * 10), width: 4, height: 2, channels: 3 };
    const spec = input({ height: 1, width: 1, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
    // box 2 lies partly outside: clamped to x 2..4, y 0..2 → centre sample at (2.5, 0.5) = mean of pixels 2,3,6,7 = 45
    const tensor = prepareCrops(gradient, [{ x1: 0, y1: 0, x2: 1, y2: 1 }, { x1: 2, y1: -5, x2: 99, y2: 2 }], spec);
    expect(tensor.dims).toEqual([2, 3, 1, 1]);
    expect(Array.from(tensor.data)).toEqual([0, 0, 0, 45, 45, 45]);
  });
});

describe('antialiased crops (manifest resize.antialias, sourceMaxHeight)', () => {
  // 6 x 12 ramp: value = 20 * row + column, all channels.
  const ramp: RgbImage = { data: Uint8Array.from({ length: 6 * 12 * 3 }, (_, i) => 20 * Math.floor(i / 18) + (Math.floor(i / 3) % 6)), width: 6, height: 12, channels: 3 };
  const rgb = (resize: ManifestInput['resize']) => input({ resize, height: 3, width: 2, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  const whole = { x1: 0, y1: 0, x2: 6, y2: 12 };

  it('averages every source row a 4x shrink covers (2-tap bilinear reads only two of them)', () => {
    const antialiased = prepareCrops(ramp, [whole], rgb({ mode: 'stretch', antialias: true }));
    const plain = prepareCrops(ramp, [whole], rgb({ mode: 'stretch' }));
    // Output row 0 of 3: centre 2.0, support 4 → rows 0-5 weighted 5, 7, 7, 5, 3, 1 (/28): mean row 53/28;
    // column 0 of 2: centre 1.5, support 3 → columns 0-3 weighted 2, 3, 2, 1 (/8): mean column 1.25.
    expect(antialiased.data[0]).toBeCloseTo(20 * (53 / 28) + 1.25, 4);
    // 2-tap: source row 1.5 and column 1 → 20 * 1.5 + 1.
    expect(plain.data[0]).toBeCloseTo(31, 5);
  });

  it('sourceMaxHeight shrinks a taller source first (8-bit), then resizes', () => {
    const direct = prepareCrops(ramp, [whole], rgb({ mode: 'stretch', antialias: true }));
    const twoStep = prepareCrops(ramp, [whole], rgb({ mode: 'stretch', antialias: true, sourceMaxHeight: 6 }));
    const noOp = prepareCrops(ramp, [whole], rgb({ mode: 'stretch', antialias: true, sourceMaxHeight: 12 }));
    expect(Array.from(noOp.data)).toEqual(Array.from(direct.data));
    expect(Array.from(twoStep.data)).not.toEqual(Array.from(direct.data));
    for (const value of twoStep.data) expect(value).toBeGreaterThanOrEqual(0);
  });

  it('mirrorCrops flips every row of every crop, NCHW and NHWC', () => {
    const nchw = { data: Float32Array.from({ length: 2 * 3 * 3 * 2 }, (_, i) => i), dims: [2, 3, 3, 2] };
    const flipped = mirrorCrops(nchw, rgb({ mode: 'stretch' }));
    expect(Array.from(flipped.data.slice(0, 4))).toEqual([1, 0, 3, 2]);
    const nhwc = { data: Float32Array.from({ length: 3 * 2 * 3 }, (_, i) => i), dims: [1, 3, 2, 3] };
    expect(Array.from(mirrorCrops(nhwc, { ...rgb({ mode: 'stretch' }), layout: 'NHWC' }).data.slice(0, 6))).toEqual([3, 4, 5, 0, 1, 2]);
  });
});
