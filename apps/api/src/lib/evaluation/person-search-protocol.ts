// The CUHK-SYSU / PRW person-search protocol (Xiao et al., "Joint Detection and
// Identification Feature Learning for Person Search", CVPR 2017; the
// `eval_search` of their OIM code and of every later person-search paper):
//
// - gallery detections count only above a detection-score threshold;
// - per query, in each gallery image that holds the target, the top-ranked
//   (most similar) detection overlapping the target box by
//   IoU ≥ min(0.5, w·h / ((w+10)(h+10))) is the hit — one per image at most, so
//   duplicate boxes on the target count once and the rest are false positives;
// - AP is the average precision of all gallery detections ranked by
//   similarity (scikit-learn's step-wise `average_precision_score`, equal
//   scores one threshold), multiplied by the recall rate found / present, so a
//   target the detector missed costs AP; top-k is whether a hit is among the k
//   most similar detections (ties ranked non-hits first: a model that cannot
//   tell candidates apart gets no credit for luck).
// Pure functions, unit-tested against hand-computed cases.

export interface EvalBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

/** A gallery detection scored against one query. */
export interface ScoredDetection {
  imageId: string;
  box: EvalBox;
  /** Detector confidence, compared with the protocol's threshold. */
  detectionScore: number;
  /** Similarity to the query (higher = more alike). */
  similarity: number;
}

export interface QueryGallery {
  /** The gallery images of this query (the query's own image excluded by the caller). */
  imageIds: readonly string[];
  /** Where the target is, per gallery image that holds it. */
  targetBoxes: ReadonlyMap<string, EvalBox>;
}

export interface QueryOutcome {
  /** AP × found / present; 0 when nothing was found. */
  averagePrecision: number;
  /** Gallery images holding the target. */
  present: number;
  /** Of those, images where a detection above the threshold hit it. */
  found: number;
  /** Per k of `ks`: 1 when a hit is among the k most similar detections. */
  topK: number[];
}

export const DEFAULT_KS = [1, 5, 10] as const;

function area(box: EvalBox): number {
  return Math.max(0, box.x2 - box.x1) * Math.max(0, box.y2 - box.y1);
}

export function intersectionOverUnion(a: EvalBox, b: EvalBox): number {
  const intersection = area({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });
  const union = area(a) + area(b) - intersection;
  return union > 0 ? intersection / union : 0;
}

/** The protocol's IoU threshold for a target of w × h pixels: 0.5, relaxed for small people. */
export function hitIouThreshold(target: EvalBox): number {
  const width = target.x2 - target.x1;
  const height = target.y2 - target.y1;
  return Math.min(0.5, (width * height) / ((width + 10) * (height + 10)));
}

/**
 * Step-wise average precision (scikit-learn's `average_precision_score`):
 * Σ (Rₙ − Rₙ₋₁) · Pₙ over distinct score thresholds, high to low. 0 without positives.
 */
export function averagePrecision(labels: readonly boolean[], scores: readonly number[]): number {
  const positives = labels.filter(Boolean).length;
  if (positives === 0) return 0;
  const order = labels.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]!);
  let truePositives = 0;
  let seen = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; i++) {
    truePositives += labels[order[i]!] ? 1 : 0;
    seen++;
    // Equal scores are one threshold: only close the step after the last of them.
    if (i + 1 < order.length && scores[order[i + 1]!] === scores[order[i]!]) continue;
    const recall = truePositives / positives;
    ap += (recall - previousRecall) * (truePositives / seen);
    previousRecall = recall;
  }
  return ap;
}

/** Scores one query's ranked gallery detections (any order in; ranked here by similarity). */
export function evaluateQuery(gallery: QueryGallery, detections: readonly ScoredDetection[], options: { detectionThreshold: number; ks?: readonly number[] }): QueryOutcome {
  const ks = options.ks ?? DEFAULT_KS;
  const inGallery = new Set(gallery.imageIds);
  const kept = detections.filter((d) => d.detectionScore >= options.detectionThreshold && inGallery.has(d.imageId));
  const present = gallery.imageIds.filter((id) => gallery.targetBoxes.has(id)).length;
  const labels = kept.map(() => false);
  // Per image: the most similar detection that overlaps the target enough is the one hit.
  const byImage = new Map<string, number[]>();
  kept.forEach((d, index) => byImage.set(d.imageId, [...(byImage.get(d.imageId) ?? []), index]));
  let found = 0;
  for (const [imageId, indices] of byImage) {
    const target = gallery.targetBoxes.get(imageId);
    if (!target) continue;
    const threshold = hitIouThreshold(target);
    const hit = [...indices].sort((a, b) => kept[b]!.similarity - kept[a]!.similarity).find((index) => intersectionOverUnion(kept[index]!.box, target) >= threshold);
    if (hit !== undefined) {
      labels[hit] = true;
      found++;
    }
  }
  const scores = kept.map((d) => d.similarity);
  const averagePrecisionValue = found === 0 ? 0 : averagePrecision(labels, scores) * (found / present);
  // Ties: non-hits first, so equal scores never earn a top-k.
  const ranked = kept.map((_, index) => index).sort((a, b) => scores[b]! - scores[a]! || Number(labels[a]) - Number(labels[b]));
  const topK = ks.map((k) => (ranked.slice(0, k).some((index) => labels[index]) ? 1 : 0));
  return { averagePrecision: averagePrecisionValue, present, found, topK };
}

export interface SearchMetrics {
  /** Queries scored (those whose target is in at least one gallery image). */
  queries: number;
  /** Queries left out: their target is in no gallery image (AP undefined). */
  queriesWithoutTarget: number;
  mAP: number;
  /** Mean top-k per k of `ks`, e.g. { 1: 0.8, 5: 0.9, 10: 0.95 }. */
  topK: Record<number, number>;
  /** Σ found / Σ present: how much of the targets the detector kept at the threshold. */
  detectionRecall: number;
}

export function summarise(outcomes: readonly QueryOutcome[], ks: readonly number[] = DEFAULT_KS): SearchMetrics {
  const scored = outcomes.filter((outcome) => outcome.present > 0);
  const mean = (values: number[]) => (values.length ? values.reduce((sum, value) => sum + value, 0) / values.length : 0);
  const present = scored.reduce((sum, outcome) => sum + outcome.present, 0);
  return {
    queries: scored.length,
    queriesWithoutTarget: outcomes.length - scored.length,
    mAP: mean(scored.map((outcome) => outcome.averagePrecision)),
    topK: Object.fromEntries(ks.map((k, index) => [k, mean(scored.map((outcome) => outcome.topK[index]!))])),
    detectionRecall: present ? scored.reduce((sum, outcome) => sum + outcome.found, 0) / present : 0,
  };
}
