// Hand-computed cases for the CUHK-SYSU/PRW protocol: a missed target,
// duplicate boxes, ties, an empty gallery, the detection threshold, the
// small-person IoU rule, and scikit-learn's AP on its documented example.
import { describe, expect, it } from 'vitest';
import { averagePrecision, evaluateQuery, hitIouThreshold, summarise, type EvalBox, type ScoredDetection } from './person-search-protocol.js';

const target: EvalBox = { x1: 0, y1: 0, x2: 100, y2: 200 };
const elsewhere: EvalBox = { x1: 300, y1: 0, x2: 400, y2: 200 };
/** A box shifted right by `dx` over the target (IoU = (100−dx)/(100+dx)). */
const shifted = (dx: number): EvalBox => ({ x1: dx, y1: 0, x2: 100 + dx, y2: 200 });
const det = (imageId: string, box: EvalBox, similarity: number, detectionScore = 0.9): ScoredDetection => ({ imageId, box, similarity, detectionScore });
const options = { detectionThreshold: 0.5 };

describe('person-search protocol', () => {
  it('computes scikit-learn’s average precision on its documented example (0.8333)', () => {
    expect(averagePrecision([false, false, true, true], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.833333, 6);
    expect(averagePrecision([false, false], [0.3, 0.2])).toBe(0);
  });

  it('relaxes the IoU threshold for small people: min(0.5, wh/((w+10)(h+10)))', () => {
    expect(hitIouThreshold(target)).toBe(0.5);
    expect(hitIouThreshold({ x1: 0, y1: 0, x2: 10, y2: 20 })).toBeCloseTo(200 / 600, 12);
  });

  it('scores a perfect ranking AP 1 and top-1 1', () => {
    const gallery = { imageIds: ['a', 'b', 'c'], targetBoxes: new Map([['a', target], ['b', target]]) };
    const outcome = evaluateQuery(gallery, [det('a', target, 0.9), det('b', shifted(5), 0.8), det('c', target, 0.7)], options);
    expect(outcome).toEqual({ averagePrecision: 1, present: 2, found: 2, topK: [1, 1, 1] });
  });

  it('multiplies AP by found/present when the detector missed the target in one image', () => {
    // Ranked: a-other 0.9 (no), a-target 0.6 (hit), b-other 0.5 (no); b's target was never detected.
    // AP over detections = 1/2 (one positive, reached at precision 1/2); × recall 1/2 = 0.25.
    const gallery = { imageIds: ['a', 'b'], targetBoxes: new Map([['a', target], ['b', target]]) };
    const outcome = evaluateQuery(gallery, [det('a', elsewhere, 0.9), det('a', target, 0.6), det('b', elsewhere, 0.5)], options);
    expect(outcome.averagePrecision).toBeCloseTo(0.25, 12);
    expect(outcome).toMatchObject({ present: 2, found: 1, topK: [0, 1, 1] });
  });

  it('counts one hit per image: the most similar overlapping duplicate, the rest are false positives', () => {
    const gallery = { imageIds: ['a', 'c'], targetBoxes: new Map([['a', target]]) };
    // Duplicates on the target at 0.8 (IoU 0.82) and 0.7 (IoU 1): the 0.8 one is the hit, 0.7 a false positive.
    // Ranked: 0.8 hit, 0.75 no, 0.7 no → AP 1.
    const duplicates = evaluateQuery(gallery, [det('a', shifted(10), 0.8), det('a', target, 0.7), det('c', elsewhere, 0.75)], options);
    expect(duplicates).toEqual({ averagePrecision: 1, present: 1, found: 1, topK: [1, 1, 1] });
    // The most similar box overlaps too little (IoU 0.29 < 0.5): the next overlapping one is the hit. Ranked no, hit → AP 0.5.
    const offset = evaluateQuery(gallery, [det('a', shifted(55), 0.9), det('a', target, 0.7)], options);
    expect(offset.averagePrecision).toBeCloseTo(0.5, 12);
    expect(offset.topK).toEqual([0, 1, 1]);
  });

  it('treats equal similarities as one threshold for AP and ranks non-hits first for top-k', () => {
    // hit 0.5 and non-hit 0.5 tie: at that threshold precision 1/2, recall 1 → AP 0.5; top-1 0.
    const gallery = { imageIds: ['a', 'b'], targetBoxes: new Map([['a', target]]) };
    const outcome = evaluateQuery(gallery, [det('a', target, 0.5), det('b', elsewhere, 0.5), det('b', target, 0.3)], options);
    expect(outcome.averagePrecision).toBeCloseTo(0.5, 12);
    expect(outcome.topK).toEqual([0, 1, 1]);
  });

  it('ignores detections below the detection threshold (a target found only by them is missed)', () => {
    const gallery = { imageIds: ['a'], targetBoxes: new Map([['a', target]]) };
    const outcome = evaluateQuery(gallery, [det('a', target, 0.99, 0.4), det('a', elsewhere, 0.2)], options);
    expect(outcome).toEqual({ averagePrecision: 0, present: 1, found: 0, topK: [0, 0, 0] });
  });

  it('leaves queries with an empty gallery (or none holding the target) out of mAP and counts them', () => {
    const empty = evaluateQuery({ imageIds: [], targetBoxes: new Map() }, [det('x', target, 0.9)], options);
    expect(empty).toEqual({ averagePrecision: 0, present: 0, found: 0, topK: [0, 0, 0] });
    const perfect = { averagePrecision: 1, present: 2, found: 2, topK: [1, 1, 1] };
    const missed = { averagePrecision: 0.25, present: 2, found: 1, topK: [0, 1, 1] };
    expect(summarise([perfect, missed, empty])).toEqual({ queries: 2, queriesWithoutTarget: 1, mAP: 0.625, topK: { 1: 0.5, 5: 1, 10: 1 }, detectionRecall: 0.75 });
    expect(summarise([empty])).toEqual({ queries: 0, queriesWithoutTarget: 1, mAP: 0, topK: { 1: 0, 5: 0, 10: 0 }, detectionRecall: 0 });
  });
});
