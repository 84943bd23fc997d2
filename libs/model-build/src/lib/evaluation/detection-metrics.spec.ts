import { describe, expect, it } from 'vitest';
import { detectionMetrics, intersectionOverUnion, type EvaluationBox } from './detection-metrics.js';

const box = (x1: number, y1: number, x2: number, y2: number): EvaluationBox => ({ x1, y1, x2, y2 });

describe('intersectionOverUnion', () => {
  it('computes overlap of corner boxes', () => {
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(0, 0, 10, 10))).toBe(1);
    // intersection 5x10 = 50, union 150
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(5, 0, 15, 10))).toBeCloseTo(1 / 3, 12);
    expect(intersectionOverUnion(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
  });
});

describe('detectionMetrics', () => {
  it('scores a perfect detector as AP 1, recall 1', () => {
    const metrics = detectionMetrics([
      { detections: [{ box: box(0, 0, 10, 20), score: 0.9 }], positives: [box(0, 0, 10, 20)], ignored: [] },
      { detections: [{ box: box(50, 50, 60, 70), score: 0.8 }], positives: [box(51, 50, 61, 70)], ignored: [] },
    ]);
    expect(metrics).toMatchObject({ averagePrecision: 1, recall: 1, precision: 1, truePositives: 2, falsePositives: 0 });
  });

  it('computes interpolated AP across frames (hand-computed)', () => {
    // Pooled by score: 0.9 TP, 0.8 FP, 0.7 TP; 3 positives, one never found.
    // precision/recall points: (1, 1/3), (1/2, 1/3), (2/3, 2/3)
    // envelope: 1 up to recall 1/3, 2/3 up to 2/3 → AP = 1/3 * 1 + 1/3 * 2/3 = 5/9
    const metrics = detectionMetrics([
      {
        detections: [
          { box: box(0, 0, 10, 10), score: 0.9 },
          { box: box(100, 100, 110, 110), score: 0.8 },
        ],
        positives: [box(0, 0, 10, 10), box(200, 200, 210, 210)],
        ignored: [],
      },
      { detections: [{ box: box(0, 0, 10, 10), score: 0.7 }], positives: [box(1, 0, 11, 10)], ignored: [] },
    ]);
    expect(metrics.averagePrecision).toBeCloseTo(5 / 9, 12);
    expect(metrics.recall).toBeCloseTo(2 / 3, 12);
    expect(metrics.precision).toBeCloseTo(2 / 3, 12);
  });

  it('neither rewards nor punishes detections of ignore regions', () => {
    const frame = {
      detections: [
        { box: box(0, 0, 10, 10), score: 0.9 },
        { box: box(40, 40, 50, 50), score: 0.95 },
      ],
      positives: [box(0, 0, 10, 10)],
      ignored: [box(40, 40, 50, 50)],
    };
    expect(detectionMetrics([frame])).toMatchObject({ averagePrecision: 1, truePositives: 1, falsePositives: 0 });
  });

  it('counts a duplicate detection of one person as a false positive', () => {
    const metrics = detectionMetrics([
      {
        detections: [
          { box: box(0, 0, 10, 10), score: 0.9 },
          { box: box(0, 0, 10, 11), score: 0.8 },
        ],
        positives: [box(0, 0, 10, 10)],
        ignored: [],
      },
    ]);
    expect(metrics).toMatchObject({ averagePrecision: 1, truePositives: 1, falsePositives: 1, precision: 0.5 });
  });

  it('rejects matches below the IoU threshold', () => {
    const metrics = detectionMetrics([
      { detections: [{ box: box(5, 0, 15, 10), score: 0.9 }], positives: [box(0, 0, 10, 10)], ignored: [] },
    ]);
    expect(metrics).toMatchObject({ averagePrecision: 0, recall: 0, falsePositives: 1 });
  });
});
