import { describe, expect, it } from 'vitest';
import { iou } from '../image/box.js';
import { nonMaxSuppression } from './nms.js';

const a = { box: { x1: 0, y1: 0, x2: 10, y2: 10 }, score: 0.9, index: 0 };
const b = { box: { x1: 1, y1: 1, x2: 11, y2: 11 }, score: 0.8, index: 1 };
const c = { box: { x1: 20, y1: 20, x2: 30, y2: 30 }, score: 0.7, index: 2 };

describe('iou', () => {
  it('is 81 / (100 + 100 - 81) for two 10x10 boxes offset by 1', () => {
    expect(iou(a.box, b.box)).toBeCloseTo(0.680672, 6);
    expect(iou(a.box, c.box)).toBe(0);
    expect(iou(a.box, { x1: 5, y1: 5, x2: 5, y2: 9 })).toBe(0);
  });
});

describe('nonMaxSuppression', () => {
  it('drops a box overlapping a better one above the threshold', () => {
    expect(nonMaxSuppression([c, b, a], 0.5, 10).map((kept) => kept.index)).toEqual([0, 2]);
  });
  it('keeps it when the overlap is below the threshold', () => {
    expect(nonMaxSuppression([c, b, a], 0.7, 10).map((kept) => kept.index)).toEqual([0, 1, 2]);
  });
  it('caps the result at maxDetections, best first', () => {
    expect(nonMaxSuppression([c, b, a], 0.7, 2).map((kept) => kept.index)).toEqual([0, 1]);
  });
});
