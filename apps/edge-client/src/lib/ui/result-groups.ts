// Honest search results. A search always returns topK hits, so "20 matches" is
// wrong: most hits are just the nearest strangers. The API returns cosine
// scores, no calibrated probability, and each teacher has its own scale (with
// the colour teacher strangers score 82-87 %, with the learned one 0-45 %). So
// the kiosk calibrates per query, from the scores it got, on the re-ranking
// teacher's scale: most of a gallery is other people, so the bulk of the
// returned scores describes "someone else", and a hit counts as "likely the
// same person" only when it stands clearly above that bulk (a robust outlier:
// median + 3·MAD, MAD scaled to σ) and above the teacher's stranger floor.
// Near-identical frames of one camera (same gallery, seconds apart, the box in
// nearly the same place, nearly the same score) collapse into one sighting.
import { iou } from '@person-search/model';
import type { SearchHit } from '../api/kiosk-api.js';

/** Where one model's cosine scores stop meaning "a stranger". */
export interface ScoreScale {
  /** Below this no hit is "likely", whatever the rest scored. */
  floor: number;
  /** At or above this a hit always counts (and with fewer hits than minHitsForBulk only such a hit does). */
  sureScore: number;
}

/**
 * Measured on cuhk03/val (938 crops, 3,976 same-person and 435,477 different-person pairs, whole
 * crop as the box; `npm run bench:models`, table "Score scale"): the floor is the teacher's 99.9th
 * percentile of different-person cosines (a stranger passes it once in a thousand pairs), the sure
 * score is the highest different-person cosine seen, rounded up (a small gallery's scores are too
 * few and too spread to describe a bulk, and then only a sure score counts). Learned teacher 2.0.0
 * (256x128): strangers p99.9 0.550, max 0.730 (same person median 0.536; the 192x96 1.x weights
 * were 0.559 / 0.802). Colour teacher: p99.9 0.879, max 0.945 (same person median 0.744).
 */
export const TEACHER_SCALES: Readonly<Record<string, ScoreScale>> = {
  'default-teacher': { floor: 0.55, sureScore: 0.73 },
  'colour-teacher': { floor: 0.88, sureScore: 0.95 },
};

/**
 * A teacher the kiosk has no measurement for, or student scores (no re-rank): the colour scale,
 * the highest known, so an unknown scale errs towards "nobody here is likely".
 */
export const UNKNOWN_SCALE: ScoreScale = TEACHER_SCALES['colour-teacher']!;

/** The scale of these hits' scores: the teacher's when every hit was re-ranked by a teacher the kiosk knows. */
export function scoreScale(hits: readonly SearchHit[], teacherModelId: string | null): ScoreScale {
  const reranked = hits.length > 0 && hits.every((hit) => hit.teacherScore !== null);
  return (reranked && teacherModelId && TEACHER_SCALES[teacherModelId]) || UNKNOWN_SCALE;
}

export const CALIBRATION = {
  ...UNKNOWN_SCALE,
  /** Robust z-score a likely hit must reach above the bulk. */
  outlierZ: 3,
  /** Scaled MAD never below this: a gallery of near-equal scores must not make every tiny lead an outlier. */
  minSpread: 0.01,
  /** Fewer hits than this cannot describe a bulk: only a hit at or above `sureScore` is then likely. */
  minHitsForBulk: 6,
  /** Frames of one gallery closer than this (ms) and within `duplicateScoreGap` are one sighting. */
  duplicateWindowMs: 10_000,
  duplicateScoreGap: 0.02,
  duplicateBoxIou: 0.5,
};

export type Calibration = typeof CALIBRATION;

export interface Sighting {
  hit: SearchHit;
  /** Near-identical frames folded into this one (same camera, moments apart). */
  similar: SearchHit[];
}

export interface GroupedResults {
  likely: Sighting[];
  others: Sighting[];
  /** The score a hit needed to count as likely for this query. */
  threshold: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The score a hit must reach to be "likely the same person", from this query's scores. */
export function likelyThreshold(scores: readonly number[], calibration: Calibration = CALIBRATION): number {
  if (scores.length < calibration.minHitsForBulk) return calibration.sureScore;
  const centre = median(scores);
  const spread = Math.max(calibration.minSpread, 1.4826 * median(scores.map((score) => Math.abs(score - centre))));
  // Widely spread scores (a small or mixed gallery) can push the outlier line past 1; a sure score stays likely.
  return Math.min(calibration.sureScore, Math.max(calibration.floor, centre + calibration.outlierZ * spread));
}

/** Folds hits (best first) into sightings: a hit near an already kept one of the same gallery joins it. */
export function collapseSightings(hits: readonly SearchHit[], calibration: Calibration = CALIBRATION): Sighting[] {
  const sightings: Sighting[] = [];
  for (const hit of [...hits].sort((a, b) => b.score - a.score)) {
    const time = Date.parse(hit.capturedAt);
    const same = sightings.find(
      (sighting) =>
        sighting.hit.galleryId === hit.galleryId &&
        Math.abs(Date.parse(sighting.hit.capturedAt) - time) <= calibration.duplicateWindowMs &&
        sighting.hit.score - hit.score <= calibration.duplicateScoreGap &&
        iou(sighting.hit.box, hit.box) >= calibration.duplicateBoxIou,
    );
    if (same) same.similar.push(hit);
    else sightings.push({ hit, similar: [] });
  }
  return sightings;
}

/** Groups one query's hits; `teacherModelId` (the API's re-ranking teacher) picks the score scale. */
export function groupResults(hits: readonly SearchHit[], teacherModelId: string | null = null, base: Calibration = CALIBRATION): GroupedResults {
  const calibration = { ...base, ...scoreScale(hits, teacherModelId) };
  const threshold = likelyThreshold(
    hits.map((hit) => hit.score),
    calibration,
  );
  const sightings = collapseSightings(hits, calibration);
  return {
    threshold,
    likely: sightings.filter((sighting) => sighting.hit.score >= threshold),
    others: sightings.filter((sighting) => sighting.hit.score < threshold),
  };
}
