import { describe, expect, it } from 'vitest';
import { averagePrecisionOfRanking, cosineSimilarityOf, retrievalMetrics, scoreScaleOf, twoStageRetrievalMetrics } from './retrieval-metrics.js';

const vector = (...values: number[]) => Float32Array.from(values);

describe('averagePrecisionOfRanking', () => {
  it('is 1 when every positive comes first', () => {
    expect(averagePrecisionOfRanking([true, true, false, false])).toBe(1);
  });

  it('averages precision at each positive rank (hand-computed)', () => {
    // positives at ranks 2 and 4: (1/2 + 2/4) / 2 = 0.5
    expect(averagePrecisionOfRanking([false, true, false, true])).toBeCloseTo(0.5, 12);
    // positives at ranks 1, 3, 6: (1/1 + 2/3 + 3/6) / 3 = 0.722222...
    expect(averagePrecisionOfRanking([true, false, true, false, false, true])).toBeCloseTo(13 / 18, 12);
  });

  it('is 0 without positives', () => {
    expect(averagePrecisionOfRanking([false, false])).toBe(0);
  });
});

describe('cosineSimilarityOf', () => {
  it('ignores magnitude and treats zero vectors as dissimilar', () => {
    expect(cosineSimilarityOf(vector(1, 0), vector(5, 0))).toBeCloseTo(1, 12);
    expect(cosineSimilarityOf(vector(1, 0), vector(0, 3))).toBeCloseTo(0, 12);
    expect(cosineSimilarityOf(vector(0, 0), vector(1, 1))).toBe(0);
  });

  it('rejects vectors of different lengths', () => {
    expect(() => cosineSimilarityOf(vector(1), vector(1, 2))).toThrow(/lengths differ/);
  });
});

describe('retrievalMetrics', () => {
  it('ranks the gallery by cosine and averages AP and rank-1 over queries', () => {
    const gallery = {
      embeddings: [vector(1, 0), vector(0.8, 0.6), vector(0, 1), vector(0.6, 0.8)],
      labels: ['a', 'b', 'b', 'a'],
    };
    const queries = {
      // query a ranks gallery as [0 a, 1 b, 3 a, 2 b]: AP = (1 + 2/3) / 2, rank-1 hit
      // query b ranks gallery as [2 b, 3 a, 1 b, 0 a]: AP = (1 + 2/3) / 2, rank-1 hit
      // query c has no positive in the gallery: skipped
      embeddings: [vector(1, 0.01), vector(0, 1), vector(1, 1)],
      labels: ['a', 'b', 'c'],
    };
    const metrics = retrievalMetrics(queries, gallery);
    expect(metrics.evaluatedQueries).toBe(2);
    expect(metrics.meanAveragePrecision).toBeCloseTo(5 / 6, 12);
    expect(metrics.top1).toBe(1);
  });

  it('counts a rank-1 miss', () => {
    const metrics = retrievalMetrics(
      { embeddings: [vector(1, 0)], labels: ['a'] },
      { embeddings: [vector(1, 0.1), vector(0, 1)], labels: ['b', 'a'] },
    );
    // positive at rank 2: AP = 1/2
    expect(metrics).toEqual({ meanAveragePrecision: 0.5, top1: 0, evaluatedQueries: 1 });
  });

  it('rejects embeddings and labels of different lengths', () => {
    expect(() => retrievalMetrics({ embeddings: [vector(1)], labels: [] }, { embeddings: [], labels: [] })).toThrow(
      /queries: 1 embeddings but 0 labels/,
    );
  });
});

describe('twoStageRetrievalMetrics', () => {
  // Gallery a (positive), b, c. Stage 1 (student) ranks b, c, a; stage 2 (teacher) prefers a.
  const labels = { queries: ['p'], gallery: ['p', 'x', 'y'] };
  const student = {
    queries: { embeddings: [vector(1, 0)], labels: labels.queries },
    gallery: { embeddings: [vector(0, 1), vector(1, 0.1), vector(1, 0.5)], labels: labels.gallery },
  };
  const teacher = {
    queries: { embeddings: [vector(0, 1)], labels: labels.queries },
    gallery: { embeddings: [vector(0, 1), vector(1, 0), vector(1, 0.2)], labels: labels.gallery },
  };

  it('re-ranks only the stage-1 pool by the second embedding (hand-computed)', () => {
    expect(retrievalMetrics(student.queries, student.gallery).meanAveragePrecision).toBeCloseTo(1 / 3, 6);
    // Pool 3: the teacher sees a and puts it first.
    expect(twoStageRetrievalMetrics(student, teacher, 3)).toEqual({ meanAveragePrecision: 1, top1: 1, evaluatedQueries: 1 });
    // Pool 2: a (stage-1 rank 3) never reaches the teacher; it stays third.
    expect(twoStageRetrievalMetrics(student, teacher, 2).meanAveragePrecision).toBeCloseTo(1 / 3, 6);
  });
});

describe('scoreScaleOf', () => {
  it('splits every unordered pair into same-person and stranger cosines (hand-computed)', () => {
    // same person: a1·a2 = 0.8, b1·b2 = 0.8; strangers: a1·b1 = 0, a1·b2 = 0.6, a2·b1 = 0.6, a2·b2 = 0.96.
    const v = (x: number, y: number) => Float32Array.of(x, y);
    const scale = scoreScaleOf({ embeddings: [v(1, 0), v(0.8, 0.6), v(0, 1), v(0.6, 0.8)], labels: ['a', 'a', 'b', 'b'] });
    expect(scale.samePersonPairs).toBe(2);
    expect(scale.differentPersonPairs).toBe(4);
    expect(scale.samePersonMedian).toBeCloseTo(0.8, 6);
    expect(scale.strangerMax).toBeCloseTo(0.96, 6);
    expect(scale.strangerP999).toBeCloseTo(0.96, 6); // with 4 pairs the 99.9th percentile is the largest
  });

  it('has no figures without pairs', () => {
    const scale = scoreScaleOf({ embeddings: [Float32Array.of(1, 0)], labels: ['a'] });
    expect(scale.samePersonPairs + scale.differentPersonPairs).toBe(0);
    expect(scale.strangerMax).toBeNaN();
  });
});
