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
  let averagePrecisionSum = 0;
  let top1Hits = 0;
  let evaluatedQueries = 0;
  queries.embeddings.forEach((queryEmbedding, queryIndex) => {
    const queryLabel = queries.labels[queryIndex];
    if (!gallery.labels.includes(queryLabel!)) return;
    const similarities = gallery.embeddings.map((galleryEmbedding) => cosineSimilarityOf(queryEmbedding, galleryEmbedding));
    const order = similarities.map((_, index) => index).sort((a, b) => similarities[b]! - similarities[a]! || a - b);
    const isPositiveByRank = order.map((galleryIndex) => gallery.labels[galleryIndex] === queryLabel);
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
