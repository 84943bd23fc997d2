import { describe, expect, it } from 'vitest';
import { applyPersonnessRule, labelMeanPrototypes, personness, quantile, rampFactor, separationAuc, sphericalKMeans, thresholdAtHeight } from './person-manifold.js';

const box = { x1: 0, y1: 0, x2: 10, y2: 30 };
const detection = (score: number, personnessValue: number) => ({ box, score, personness: personnessValue });

describe('labelMeanPrototypes', () => {
  it('averages each label’s unit embeddings and makes the mean unit length, first-seen label order', () => {
    const prototypes = labelMeanPrototypes(
      [
        [2, 0], // unit (1, 0)
        [0, 5], // unit (0, 1)
        [0, -3], // label b: unit (0, -1)
      ],
      ['a', 'a', 'b'],
    );
    // a: mean (0.5, 0.5) → (1/√2, 1/√2); b: (0, -1)
    expect(prototypes).toHaveLength(2);
    expect(prototypes[0]![0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(prototypes[0]![1]).toBeCloseTo(Math.SQRT1_2, 6);
    expect([...prototypes[1]!]).toEqual([0, -1]);
  });

  it('refuses embeddings and labels of different lengths', () => {
    expect(() => labelMeanPrototypes([[1, 0]], [])).toThrow(RangeError);
  });
});

describe('sphericalKMeans', () => {
  // Two tight groups on the unit circle: around 0° and around 90°.
  const group = (degrees: number[]) => degrees.map((d) => [Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180)]);
  const points = [...group([-10, 0, 10]), ...group([80, 90, 100])];

  it('finds one centre per group, each the unit mean of its members', () => {
    const centres = sphericalKMeans(points, 2, { seed: 7 });
    const angles = centres.map((centre) => Math.round((Math.atan2(centre[1]!, centre[0]!) * 180) / Math.PI)).sort((a, b) => a - b);
    // The mean of ±10° and 0° lies at 0°; of 80°, 90°, 100° at 90°.
    expect(angles).toEqual([0, 90]);
    centres.forEach((centre) => expect(Math.hypot(centre[0]!, centre[1]!)).toBeCloseTo(1, 6));
  });

  it('is the same for the same seed, whatever the seed for separated groups', () => {
    expect(sphericalKMeans(points, 2, { seed: 3 })).toEqual(sphericalKMeans(points, 2, { seed: 3 }));
    const sorted = (centres: Float32Array[]) => centres.map((centre) => [...centre].map((v) => Number(v.toFixed(5)))).sort((a, b) => a[0]! - b[0]!);
    expect(sorted(sphericalKMeans(points, 2, { seed: 1 }))).toEqual(sorted(sphericalKMeans(points, 2, { seed: 99 })));
  });

  it('with k = n keeps every point a centre, and refuses k outside 1..n', () => {
    const centres = sphericalKMeans([[1, 0], [0, 2]], 2);
    expect(centres.map((centre) => [...centre]).sort()).toEqual([[0, 1], [1, 0]]);
    expect(() => sphericalKMeans([[1, 0]], 2)).toThrow(RangeError);
    expect(() => sphericalKMeans([[1, 0]], 0)).toThrow(RangeError);
  });
});

describe('personness', () => {
  const prototypes = [new Float32Array([1, 0, 0]), new Float32Array([0, 1, 0]), new Float32Array([0, 0, 1])];

  it('is the cosine to the nearest prototype, whatever the embedding’s length', () => {
    // (3, 4, 0)/5: cosines 0.6, 0.8, 0
    expect(personness([3, 4, 0], prototypes)).toBeCloseTo(0.8, 6);
    expect(personness([0, 0, -2], prototypes)).toBeCloseTo(0, 6);
  });

  it('with topK is the mean of the k largest cosines', () => {
    expect(personness([3, 4, 0], prototypes, 2)).toBeCloseTo(0.7, 6);
    expect(personness([3, 4, 0], prototypes, 3)).toBeCloseTo(1.4 / 3, 6);
    expect(() => personness([1, 0, 0], prototypes, 4)).toThrow(RangeError);
  });
});

describe('quantile', () => {
  it('interpolates linearly between ranks', () => {
    const values = [4, 1, 3, 2, 5]; // sorted 1..5, rank positions 0..4
    expect(quantile(values, 0)).toBe(1);
    expect(quantile(values, 1)).toBe(5);
    expect(quantile(values, 0.5)).toBe(3);
    expect(quantile(values, 0.1)).toBeCloseTo(1.4, 10); // position 0.4
    expect(quantile([7], 0.3)).toBe(7);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });
});

describe('separationAuc', () => {
  it('is the share of (higher, lower) pairs ordered right, ties half', () => {
    expect(separationAuc([3, 4], [1, 2])).toBe(1);
    expect(separationAuc([1, 2], [3, 4])).toBe(0);
    // pairs: 2>1 ✓, 2=2 ½, 2<3 ✗, 4>1 ✓, 4>2 ✓, 4>3 ✓ → 4.5 / 6
    expect(separationAuc([2, 4], [1, 2, 3])).toBe(0.75);
    expect(() => separationAuc([], [1])).toThrow(RangeError);
  });
});

describe('thresholdAtHeight', () => {
  const curve = [
    { height: 64, threshold: 0.4 },
    { height: 16, threshold: 0.2 },
    { height: 32, threshold: 0.3 },
  ];

  it('interpolates in log height between calibration points (in any order) and clamps outside', () => {
    expect(thresholdAtHeight(curve, 16)).toBe(0.2);
    expect(thresholdAtHeight(curve, 32)).toBe(0.3);
    // 16√2 ≈ 22.6 lies half-way from 16 to 32 in log height
    expect(thresholdAtHeight(curve, 16 * Math.SQRT2)).toBeCloseTo(0.25, 10);
    expect(thresholdAtHeight(curve, 48)).toBeCloseTo(0.3 + 0.1 * Math.log2(1.5), 10);
    expect(thresholdAtHeight(curve, 8)).toBe(0.2);
    expect(thresholdAtHeight(curve, 500)).toBe(0.4);
    expect(() => thresholdAtHeight([], 10)).toThrow(RangeError);
  });
});

describe('rules', () => {
  it('rampFactor rises linearly from low to high, clamped', () => {
    expect(rampFactor(0.2, 0.3, 0.5)).toBe(0);
    expect(rampFactor(0.4, 0.3, 0.5)).toBeCloseTo(0.5, 10);
    expect(rampFactor(0.7, 0.3, 0.5)).toBe(1);
    // A degenerate ramp is a step at `high`.
    expect(rampFactor(0.5, 0.5, 0.5)).toBe(1);
    expect(rampFactor(0.49, 0.5, 0.5)).toBe(0);
  });

  const detections = [detection(0.9, 0.6), detection(0.5, 0.35), detection(0.3, 0.2)];

  it('drop removes boxes below the threshold and keeps scores', () => {
    expect(applyPersonnessRule(detections, { kind: 'drop', threshold: 0.3 }).map((d) => d.score)).toEqual([0.9, 0.5]);
  });

  it('drop-by-height compares with the curve at each box’s height, and needs the height', () => {
    const curve = [
      { height: 16, threshold: 0.2 },
      { height: 64, threshold: 0.4 },
    ];
    const sized = [
      { ...detection(0.9, 0.25), inputHeight: 16 }, // threshold 0.2 → kept
      { ...detection(0.8, 0.25), inputHeight: 32 }, // log-midway: 0.3 → dropped
      { ...detection(0.7, 0.35), inputHeight: 32 }, // kept
      { ...detection(0.6, 0.35), inputHeight: 200 }, // above the curve: 0.4 → dropped
    ];
    expect(applyPersonnessRule(sized, { kind: 'drop-by-height', curve }).map((d) => d.score)).toEqual([0.9, 0.7]);
    expect(() => applyPersonnessRule([detection(0.9, 0.5)], { kind: 'drop-by-height', curve })).toThrow(RangeError);
  });

  it('ramp rescores, removes zero scores and boxes under minScore', () => {
    // factors: 1, (0.35 - 0.3) / 0.2 = 0.25, 0 → scores 0.9, 0.125, (removed)
    const ramped = applyPersonnessRule(detections, { kind: 'ramp', low: 0.3, high: 0.5 });
    expect(ramped.map((d) => d.score)).toEqual([0.9, expect.closeTo(0.125, 10)]);
    expect(ramped[1]!.personness).toBe(0.35);
    expect(applyPersonnessRule(detections, { kind: 'ramp', low: 0.3, high: 0.5 }, 0.2).map((d) => d.score)).toEqual([0.9]);
  });
});
