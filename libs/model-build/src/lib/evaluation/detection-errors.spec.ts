import { describe, expect, it } from 'vitest';
import { countKinds, detectionKinds, fractionInside } from './detection-errors.js';
import type { EvaluationBox } from './detection-metrics.js';

const box = (x1: number, y1: number, x2: number, y2: number): EvaluationBox => ({ x1, y1, x2, y2 });
const scored = (score: number, b: EvaluationBox) => ({ box: b, score });

describe('fractionInside', () => {
  it('is the share of the box’s own area inside the region', () => {
    // 10x10 box, 5x10 of it inside
    expect(fractionInside(box(0, 0, 10, 10), box(5, 0, 100, 100))).toBe(0.5);
    expect(fractionInside(box(10, 10, 20, 20), box(0, 0, 100, 100))).toBe(1);
    expect(fractionInside(box(0, 0, 10, 10), box(10, 0, 20, 10))).toBe(0);
    expect(fractionInside(box(5, 5, 5, 9), box(0, 0, 10, 10))).toBe(0);
  });
});

describe('detectionKinds', () => {
  // One person 20 wide x 60 tall.
  const person = box(0, 0, 20, 60);

  it('keeps the metric’s outcomes and sorts false positives by what lies under them, best score first', () => {
    const kinds = detectionKinds({
      detections: [
        scored(0.5, box(1, 0, 21, 60)), // IoU 19*60 / (2*1200 - 1140) = 1140/1260 ≈ 0.90 → second box on the same person
        scored(0.9, person), // matches the positive
        scored(0.4, box(5, 0, 15, 12)), // a head: IoU 120/1200 = 0.1, wholly inside → loose
        scored(0.3, box(100, 0, 120, 60)), // same size as the ignored person → ignored by the metric
        scored(0.35, box(98, 0, 112, 30)), // IoU 12*30 / (420 + 1200 - 360) = 360/1260 ≈ 0.29 with the ignored person
        scored(0.2, box(200, 0, 240, 30)), // on the car: IoU 40*30 / (1200 + 4000 - 1200) = 0.3
        scored(0.1, box(400, 400, 420, 460)), // nothing labelled near
      ],
      positives: [person],
      ignored: [
        { box: box(100, 0, 120, 60), person: true },
        { box: box(200, 0, 300, 40), person: false },
      ],
    });
    expect(kinds.map(({ detection, kind }) => [detection.score, kind])).toEqual([
      [0.9, 'true-positive'],
      [0.5, 'duplicate'],
      [0.4, 'loose'],
      [0.35, 'ignored-person'],
      [0.3, 'ignored'],
      [0.2, 'non-person'],
      [0.1, 'unmatched'],
    ]);
  });

  it('calls a box near both a person and a thing loose: the person comes first', () => {
    // Half of the box (10x20 of 20x20) lies inside the person; IoU with the car 200/600 = 1/3.
    const kinds = detectionKinds({
      detections: [scored(0.6, box(10, 40, 30, 60))],
      positives: [person],
      ignored: [{ box: box(20, 40, 40, 60), person: false }],
    });
    expect(kinds[0]!.kind).toBe('loose');
  });

  it('needs IoU >= 0.1 or half the box inside to call it near', () => {
    // 10x10 boxes; 5x10 inside the person: IoU 50 / (100 + 1200 - 50) = 0.04, fraction inside 0.5;
    // 2x10 inside: IoU 20 / 1280 ≈ 0.016, fraction inside 0.2.
    const kinds = detectionKinds({ detections: [scored(0.6, box(15, 0, 25, 10)), scored(0.5, box(18, 30, 28, 40))], positives: [person], ignored: [] });
    expect(kinds.map(({ kind }) => kind)).toEqual(['loose', 'unmatched']);
  });
});

describe('countKinds', () => {
  it('counts every kind, zero when absent', () => {
    expect(countKinds(['loose', 'unmatched', 'loose'])).toEqual({
      'true-positive': 0,
      ignored: 0,
      duplicate: 0,
      loose: 2,
      'ignored-person': 0,
      'non-person': 0,
      unmatched: 1,
    });
  });
});
