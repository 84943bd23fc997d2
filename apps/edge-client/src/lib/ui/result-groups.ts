// Honest search results. A search always returns topK hits, and with the colour
// teacher other people in similar clothes score 82–87 %, so "20 matches" is
// wrong: most hits are just the nearest strangers. The API returns no
// calibrated probability, so the kiosk calibrates per query, from the scores
// it got: most of a gallery is other people, so the bulk of the returned scores
// describes "someone else", and a hit counts as "likely the same person" only
// when it stands clearly above that bulk (a robust outlier: median + 3·MAD,
// MAD scaled to σ) and above an absolute floor. Near-identical frames of one
// camera (same gallery, seconds apart, the box in nearly the same place, nearly
// the same score) collapse into one sighting.
import { iou } from '@person-search/model';
import type { SearchHit } from '../api/kiosk-api.js';

export const CALIBRATION = {
  /** Below this no hit is "likely", whatever the rest scored (teacher or student cosine). */
  floor: 0.88,
  /** Robust z-score a likely hit must reach above the bulk. */
  outlierZ: 3,
  /** Scaled MAD never below this: a gallery of near-equal scores must not make every tiny lead an outlier. */
  minSpread: 0.01,
  /** Fewer hits than this cannot describe a bulk: only a hit at or above `sureScore` is then likely (and at or above it always is). */
  minHitsForBulk: 6,
  sureScore: 0.95,
  /** Frames of one gallery closer than this (ms) and within `duplicateScoreGap` are one sighting. */
  duplicateWindowMs: 10_000,
  duplicateScoreGap: 0.02,
  duplicateBoxIou: 0.5,
} as const;

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
export function likelyThreshold(scores: readonly number[], calibration = CALIBRATION): number {
  if (scores.length < calibration.minHitsForBulk) return calibration.sureScore;
  const centre = median(scores);
  const spread = Math.max(calibration.minSpread, 1.4826 * median(scores.map((score) => Math.abs(score - centre))));
  // Widely spread scores (a small or mixed gallery) can push the outlier line past 1; a sure score stays likely.
  return Math.min(calibration.sureScore, Math.max(calibration.floor, centre + calibration.outlierZ * spread));
}

/** Folds hits (best first) into sightings: a hit near an already kept one of the same gallery joins it. */
export function collapseSightings(hits: readonly SearchHit[], calibration = CALIBRATION): Sighting[] {
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

export function groupResults(hits: readonly SearchHit[], calibration = CALIBRATION): GroupedResults {
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
