/** Greedy non-maximum suppression over scored boxes. */
import { iou } from '../image/box.js';
import type { Box } from '../image/rgb-image.js';

/** A decoded box before NMS; `index` points back into the raw outputs (e.g. embedding rows). */
export interface Candidate {
  box: Box;
  score: number;
  index: number;
}

/**
 * Keeps the highest-scoring boxes, dropping any whose IoU with an already kept
 * box exceeds iouThreshold; returns at most maxDetections, best first. Ties keep
 * the lower index first so results are deterministic.
 */
export function nonMaxSuppression(candidates: readonly Candidate[], iouThreshold: number, maxDetections: number): Candidate[] {
  const sorted = [...candidates].sort((a, b) => b.score - a.score || a.index - b.index);
  const kept: Candidate[] = [];
  for (const candidate of sorted) {
    if (kept.length >= maxDetections) break;
    if (kept.every((other) => iou(other.box, candidate.box) <= iouThreshold)) kept.push(candidate);
  }
  return kept;
}
