/**
 * Re-identification retrieval metrics: mean average precision and CMC rank-1
 * ("top-1"), computed the way the CUHK03 reference numbers in
 * the shared CUHK03 data set's SOURCE.md were measured: rank the whole gallery by
 * cosine similarity of L2-normalised embeddings, AP = mean of the precision at
 * each positive's rank, both averaged over the queries that have at least one
 * positive in the gallery.
 */

export interface LabelledEmbeddings {
  /** One embedding per item; need not be normalised (cosine is used). */
  embeddings: readonly Float32Array[];
  /** Identity label per item, same order as `embeddings`. */
  labels: readonly string[];
}

export interface RetrievalMetrics {
  /** Mean average precision over evaluated queries, 0..1. */
  meanAveragePrecision: number;
  /** Fraction of evaluated queries whose best-ranked gallery item is a positive. */
  top1: number;
  /** Queries with at least one positive in the gallery (the others are skipped). */
  evaluatedQueries: number;
}

/**
 * Average precision of one ranked list, given whether each rank (best first)
 * holds a positive: the mean over positives of (positives so far / rank).
 * Returns 0 when the list has no positive.
 */
export function averagePrecisionOfRanking(isPositiveByRank: readonly boolean[]): number {
  let positivesSeen = 0;
  let precisionSum = 0;
  isPositiveByRank.forEach((isPositive, rankIndex) => {
    if (!isPositive) return;
    positivesSeen += 1;
    precisionSum += positivesSeen / (rankIndex + 1);
  });
  return positivesSeen === 0 ? 0 : precisionSum / positivesSeen;
}

/** Cosine similarity of two equal-length vectors; 0 when either is all zeros. */
export function cosineSimilarityOf(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  const denominator = Math.sqrt(normA * normB);
  return denominator === 0 ? 0 : dot / denominator;
}

/**
 * Ranks every gallery item for every query by descending cosine similarity
 * (ties keep gallery order, so results are deterministic) and averages AP and
 * rank-1 hits over the queries that have a positive in the gallery.
 */
export function retrievalMetrics(queries: LabelledEmbeddings, gallery: LabelledEmbeddings): RetrievalMetrics {
  assertAligned(queries, 'queries');
  assertAligned(gallery, 'gallery');
  return metricsOfOrders(queries.labels, gallery.labels, (queryIndex) => rankByCosine(queries.embeddings[queryIndex]!, gallery.embeddings));
}

/**
 * Two-stage search as the API runs it: stage 1 ranks the whole gallery by the
 * first embedding (the student), the top `pool` are re-ranked by the second
 * (the teacher), the rest keep their stage-1 order behind them. Both sets
 * share labels and item order; their embeddings may live in different spaces.
 */
export function twoStageRetrievalMetrics(
  stage1: { queries: LabelledEmbeddings; gallery: LabelledEmbeddings },
  stage2: { queries: LabelledEmbeddings; gallery: LabelledEmbeddings },
  pool: number,
): RetrievalMetrics {
  for (const [set, name] of [[stage1.queries, 'stage 1 queries'], [stage1.gallery, 'stage 1 gallery'], [stage2.queries, 'stage 2 queries'], [stage2.gallery, 'stage 2 gallery']] as const) assertAligned(set, name);
  return metricsOfOrders(stage1.queries.labels, stage1.gallery.labels, (queryIndex) => {
    const first = rankByCosine(stage1.queries.embeddings[queryIndex]!, stage1.gallery.embeddings);
    const head = first.slice(0, pool);
    const teacherSimilarities = new Map(head.map((galleryIndex) => [galleryIndex, cosineSimilarityOf(stage2.queries.embeddings[queryIndex]!, stage2.gallery.embeddings[galleryIndex]!)]));
    head.sort((a, b) => teacherSimilarities.get(b)! - teacherSimilarities.get(a)! || first.indexOf(a) - first.indexOf(b));
    return [...head, ...first.slice(pool)];
  });
}

/** Gallery indices by descending cosine with the query (ties keep gallery order). */
function rankByCosine(query: Float32Array, gallery: readonly Float32Array[]): number[] {
  const similarities = gallery.map((galleryEmbedding) => cosineSimilarityOf(query, galleryEmbedding));
  return similarities.map((_, index) => index).sort((a, b) => similarities[b]! - similarities[a]! || a - b);
}

function metricsOfOrders(queryLabels: readonly string[], galleryLabels: readonly string[], orderOf: (queryIndex: number) => number[]): RetrievalMetrics {
  let averagePrecisionSum = 0;
  let top1Hits = 0;
  let evaluatedQueries = 0;
  queryLabels.forEach((queryLabel, queryIndex) => {
    if (!galleryLabels.includes(queryLabel)) return;
    const order = orderOf(queryIndex);
    const isPositiveByRank = order.map((galleryIndex) => galleryLabels[galleryIndex] === queryLabel);
    averagePrecisionSum += averagePrecisionOfRanking(isPositiveByRank);
    if (isPositiveByRank[0]) top1Hits += 1;
    evaluatedQueries += 1;
  });
  if (evaluatedQueries === 0) return { meanAveragePrecision: 0, top1: 0, evaluatedQueries };
  return {
    meanAveragePrecision: averagePrecisionSum / evaluatedQueries,
    top1: top1Hits / evaluatedQueries,
    evaluatedQueries,
  };
}

function assertAligned(set: LabelledEmbeddings, name: string): void {
  if (set.embeddings.length !== set.labels.length) {
    throw new Error(`${name}: ${set.embeddings.length} embeddings but ${set.labels.length} labels`);
  }
}

export interface ScoreScaleMeasurement {
  samePersonPairs: number;
  differentPersonPairs: number;
  /** Median cosine of two crops of the same person. */
  samePersonMedian: number;
  /** 99.9th percentile of different-person cosines: a stranger passes it once in a thousand pairs. */
  strangerP999: number;
  /** The highest different-person cosine seen. */
  strangerMax: number;
}

/** The q-quantile (0..1) of sorted values, nearest rank. */
function quantileOfSorted(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Where a model's cosines stop meaning "a stranger", over every unordered pair of `items`: the
 * figures a client needs to call a hit "likely the same person" on that model's scale (the kiosk's
 * TEACHER_SCALES come from this, measured on CUHK03 val).
 */
export function scoreScaleOf(items: LabelledEmbeddings): ScoreScaleMeasurement {
  const { embeddings, labels } = items;
  const same: number[] = [];
  const different: number[] = [];
  for (let i = 0; i < embeddings.length; i++) {
    for (let j = i + 1; j < embeddings.length; j++) {
      (labels[i] === labels[j] ? same : different).push(cosineSimilarityOf(embeddings[i]!, embeddings[j]!));
    }
  }
  const sameSorted = Float64Array.from(same).sort();
  const differentSorted = Float64Array.from(different).sort();
  return {
    samePersonPairs: same.length,
    differentPersonPairs: different.length,
    samePersonMedian: quantileOfSorted(sameSorted, 0.5),
    strangerP999: quantileOfSorted(differentSorted, 0.999),
    strangerMax: differentSorted.length > 0 ? differentSorted[differentSorted.length - 1]! : Number.NaN,
  };
}
