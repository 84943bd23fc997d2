/**
 * What a detector's false positives are (issue 9, "fewer non-person boxes"):
 * each detection gets the outcome `detectionMetrics` gives it (true positive,
 * ignored, false positive, same greedy matching), and a false positive is
 * further sorted by what lies under it in the ground truth:
 *
 * - `duplicate`: IoU >= the threshold with a positive that a higher-scoring detection already matched;
 * - `loose`: near a positive (a person found badly: part of a body, offset, two people in one box);
 * - `ignored-person`: near a person-like ignore region (occluded, static, on a vehicle, a reflection);
 * - `non-person`: near a labelled non-person region (a vehicle, an occluder);
 * - `unmatched`: nothing labelled near it (background, signs, street furniture).
 *
 * "Near" is IoU >= NEAR_IOU or at least NEAR_INSIDE of the detection's own area inside the region
 * (a head or legs box inside a body box has a small IoU but lies wholly inside it).
 */
import { frameOutcomes, intersectionOverUnion, type EvaluationBox, type ScoredBox } from './detection-metrics.js';

export const NEAR_IOU = 0.1;
export const NEAR_INSIDE = 0.5;

export const DETECTION_KINDS = ['true-positive', 'ignored', 'duplicate', 'loose', 'ignored-person', 'non-person', 'unmatched'] as const;
export type DetectionKind = (typeof DETECTION_KINDS)[number];

/** An ignore region and whether it is a person (ignored for visibility, pose or class) or a thing. */
export interface LabelledRegion {
  box: EvaluationBox;
  person: boolean;
}

export interface LabelledDetectionFrame {
  detections: readonly ScoredBox[];
  positives: readonly EvaluationBox[];
  ignored: readonly LabelledRegion[];
}

/** Fraction (0..1) of `box`'s own area that lies inside `region`. */
export function fractionInside(box: EvaluationBox, region: EvaluationBox): number {
  const width = Math.min(box.x2, region.x2) - Math.max(box.x1, region.x1);
  const height = Math.min(box.y2, region.y2) - Math.max(box.y1, region.y1);
  const area = (box.x2 - box.x1) * (box.y2 - box.y1);
  return width <= 0 || height <= 0 || area <= 0 ? 0 : (width * height) / area;
}

function isNear(box: EvaluationBox, region: EvaluationBox): boolean {
  return intersectionOverUnion(box, region) >= NEAR_IOU || fractionInside(box, region) >= NEAR_INSIDE;
}

/** One frame's detections, best score first, each with its kind. */
export function detectionKinds(frame: LabelledDetectionFrame, iouThreshold = 0.5): { detection: ScoredBox; kind: DetectionKind }[] {
  const outcomes = frameOutcomes({ detections: frame.detections, positives: frame.positives, ignored: frame.ignored.map((region) => region.box) }, iouThreshold);
  return outcomes.map(({ detection, outcome }) => ({ detection, kind: outcome === 'false-positive' ? falsePositiveKind(detection.box, frame, iouThreshold) : outcome }));
}

function falsePositiveKind(box: EvaluationBox, frame: LabelledDetectionFrame, iouThreshold: number): DetectionKind {
  // A false positive overlapping a positive at the threshold means that positive was already taken.
  if (frame.positives.some((positive) => intersectionOverUnion(box, positive) >= iouThreshold)) return 'duplicate';
  if (frame.positives.some((positive) => isNear(box, positive))) return 'loose';
  const near = frame.ignored.filter((region) => isNear(box, region.box));
  if (near.some((region) => region.person)) return 'ignored-person';
  return near.length > 0 ? 'non-person' : 'unmatched';
}

/** Count of each kind (every kind present, zero when absent). */
export function countKinds(kinds: readonly DetectionKind[]): Record<DetectionKind, number> {
  const counts = Object.fromEntries(DETECTION_KINDS.map((kind) => [kind, 0])) as Record<DetectionKind, number>;
  for (const kind of kinds) counts[kind] += 1;
  return counts;
}
