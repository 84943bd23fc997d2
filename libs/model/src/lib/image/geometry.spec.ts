import { describe, expect, it } from 'vitest';
import { boxToOriginal, computeResizeGeometry } from './geometry.js';

describe('computeResizeGeometry', () => {
  it('letterboxes 1920x1080 into 192x192 at the top-left', () => {
    const geometry = computeResizeGeometry({ width: 1920, height: 1080 }, { width: 192, height: 192 }, { mode: 'letterbox', padValue: 114, anchor: 'top-left' });
    expect(geometry.resized).toEqual({ width: 192, height: 108 });
    expect([geometry.offsetX, geometry.offsetY]).toEqual([0, 0]);
    expect(geometry.scaleX).toBeCloseTo(0.1, 6);
    expect(geometry.scaleY).toBeCloseTo(0.1, 6);
  });

  it('centres the letterbox: (192 - 108) / 2 = 42 rows of padding on top', () => {
    const geometry = computeResizeGeometry({ width: 1920, height: 1080 }, { width: 192, height: 192 }, { mode: 'letterbox', padValue: 0, anchor: 'center' });
    expect([geometry.offsetX, geometry.offsetY]).toEqual([0, 42]);
    // canvas (10, 52)-(20, 62) minus the offset, divided by 0.1
    expect(boxToOriginal({ x1: 10, y1: 52, x2: 20, y2: 62 }, geometry)).toEqual({ x1: 100, y1: 100, x2: 200, y2: 200 });
  });

  it('rounds a non-integer letterbox size and maps back with the real per-axis scale', () => {
    const geometry = computeResizeGeometry({ width: 640, height: 481 }, { width: 512, height: 512 }, { mode: 'letterbox', padValue: 0, anchor: 'top-left' });
    // 481 * 0.8 = 384.8 → 385 rows
    expect(geometry.resized).toEqual({ width: 512, height: 385 });
    expect(geometry.scaleY).toBeCloseTo(385 / 481, 9);
  });

  it('stretches with independent axis scales and clamps mapped boxes to the image', () => {
    const geometry = computeResizeGeometry({ width: 640, height: 480 }, { width: 320, height: 320 }, { mode: 'stretch' });
    expect(geometry.scaleX).toBeCloseTo(0.5, 9);
    expect(geometry.scaleY).toBeCloseTo(2 / 3, 9);
    expect(boxToOriginal({ x1: 10, y1: 20, x2: 400, y2: 330 }, geometry)).toEqual({ x1: 20, y1: 30, x2: 640, y2: 480 });
  });
});
