import { describe, expect, it } from 'vitest';
import { boxToPercentRect, largestBoxIndex } from './box-geometry.js';

describe('largestBoxIndex', () => {
  it('picks the box with the largest area', () => {
    const boxes = [
      { x1: 0, y1: 0, x2: 10, y2: 40 },
      { x1: 5, y1: 5, x2: 35, y2: 25 },
      { x1: 0, y1: 0, x2: 20, y2: 20 },
    ];
    expect(largestBoxIndex(boxes)).toBe(1);
  });

  it('is -1 without boxes', () => {
    expect(largestBoxIndex([])).toBe(-1);
  });
});

describe('boxToPercentRect', () => {
  it('expresses the box as percentages of the image', () => {
    expect(boxToPercentRect({ x1: 100, y1: 50, x2: 300, y2: 250 }, 400, 500)).toEqual({ left: 25, top: 10, width: 50, height: 40 });
  });

  it('clamps boxes that stick out of the picture', () => {
    expect(boxToPercentRect({ x1: -20, y1: 0, x2: 500, y2: 100 }, 400, 200)).toEqual({ left: 0, top: 0, width: 100, height: 50 });
  });
});
