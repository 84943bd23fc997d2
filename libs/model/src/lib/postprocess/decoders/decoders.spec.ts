import { describe, expect, it } from 'vitest';
import { decodeCenternet } from './centernet.js';
import { decodeEndToEnd } from './end-to-end.js';
import { decodeYolov8 } from './yolov8.js';
import { decodeYolox } from './yolox.js';

describe('decodeYolox', () => {
  // 64 wide x 32 high: stride 8 → 8x4 = 32 anchors, 16 → 4x2 = 8, 32 → 2x1 = 2; 42 in all
  const options = { inputWidth: 64, inputHeight: 32, personClass: 0, scoreThreshold: 0.3 };

  it('decodes one anchor on the stride-16 grid at (x 2, y 1)', () => {
    const data = new Float32Array(42 * 6);
    const anchor = 32 + 1 * 4 + 2;
    data.set([0.5, 0.25, Math.log(2), 0, 0.9, 0.5], anchor * 6);
    const [candidate, ...rest] = decodeYolox({ data, dims: [1, 42, 6] }, options);
    expect(rest).toHaveLength(0);
    // cx = (0.5 + 2) * 16 = 40, cy = (0.25 + 1) * 16 = 20, w = 2 * 16 = 32, h = 16; score = 0.9 * 0.5
    expect(candidate!.score).toBeCloseTo(0.45, 6);
    expect(candidate!.index).toBe(anchor);
    const box = candidate!.box;
    expect([box.x1, box.y1, box.x2, box.y2].map((v) => Number(v.toFixed(4)))).toEqual([24, 12, 56, 28]);
  });

  it('drops anchors whose objectness * class score is under the threshold', () => {
    const data = new Float32Array(42 * 6);
    data.set([0, 0, 0, 0, 0.5, 0.5], 0); // 0.25 < 0.3
    expect(decodeYolox({ data, dims: [1, 42, 6] }, options)).toHaveLength(0);
  });

  it('rejects an output whose anchor count does not fit the input size', () => {
    expect(() => decodeYolox({ data: new Float32Array(756 * 6), dims: [1, 756, 6] }, options)).toThrow(/expected \[1, 42/);
  });
});

describe('decodeYolov8', () => {
  it('reads the channel-major [1, 4 + C, N] layout', () => {
    // 3 anchors, 2 classes; anchor 1 is a person (class 0) at cx 50, cy 40, 20x10
    const rows = [
      [0, 50, 0],
      [0, 40, 0],
      [0, 20, 0],
      [0, 10, 0],
      [0.1, 0.8, 0.2],
      [0.9, 0.1, 0.9],
    ];
    const candidates = decodeYolov8({ data: Float32Array.from(rows.flat()), dims: [1, 6, 3] }, { personClass: 0, scoreThreshold: 0.3 });
    expect(candidates).toEqual([{ box: { x1: 40, y1: 35, x2: 60, y2: 45 }, score: expect.closeTo(0.8, 6), index: 1 }]);
  });
});

describe('decodeCenternet', () => {
  it('keeps person rows (class 0) above the threshold, boxes as given in input pixels', () => {
    const rows = [
      [10, 20, 110, 220, 0.9, 0],
      [10, 20, 110, 220, 0.9, 2],
      [30, 40, 50, 60, 0.1, 0],
    ];
    const candidates = decodeCenternet({ data: Float32Array.from(rows.flat()), dims: [1, 3, 6] }, { personClass: 0, scoreThreshold: 0.3 });
    expect(candidates).toEqual([{ box: { x1: 10, y1: 20, x2: 110, y2: 220 }, score: expect.closeTo(0.9, 6), index: 0 }]);
  });
});

describe('decodeEndToEnd', () => {
  it('applies the score threshold and keeps row indices for the embeddings', () => {
    const boxes = { data: Float32Array.from([0, 0, 10, 10, 5, 5, 20, 30]), dims: [2, 4] };
    const scores = { data: Float32Array.from([0.2, 0.6]), dims: [2] };
    expect(decodeEndToEnd(boxes, scores, 0.3)).toEqual([{ box: { x1: 5, y1: 5, x2: 20, y2: 30 }, score: expect.closeTo(0.6, 6), index: 1 }]);
  });
  it('rejects boxes that do not match the scores', () => {
    expect(() => decodeEndToEnd({ data: new Float32Array(4), dims: [1, 4] }, { data: new Float32Array(2), dims: [2] }, 0.3)).toThrow(/expected \[2, 4\]/);
  });
});
