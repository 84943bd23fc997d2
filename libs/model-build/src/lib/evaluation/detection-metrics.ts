/**
 * Detection metrics with ignore regions: AP at an IoU threshold (VOC-style
 * all-point interpolation) and recall, pooled over frames.
 *
 * A detection is a true positive when it overlaps an unmatched positive box
 * with IoU >= threshold (greedy, highest score first, best IoU wins). A
 * detection that matches no positive but overlaps an ignore region with
 * IoU >= threshold is dropped: neither a true nor a false positive (MOT17's
 * occluded, static or distractor persons should not be punished nor rewarded).
 * Everything else is a false positive.
 */

/** Axis-aligned box in pixels, corners (x1, y1) top-left and (x2, y2) bottom-right. */
export interface EvaluationBox {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface ScoredBox {
  box: EvaluationBox;
  score: number;
}

export interface DetectionFrame {
  detections: readonly ScoredBox[];
  /** Ground truth that must be found. */
  positives: readonly EvaluationBox[];
  /** Ground truth that may be found without reward or penalty. */
  ignored: readonly EvaluationBox[];
}

export interface DetectionMetrics {
  averagePrecision: number;
  /** True positives / positives, over all detections given. */
  recall: number;
  /** True positives / (true + false positives), over all detections given. */
  precision: number;
  truePositives: number;
  falsePositives: number;
  positives: number;
}

export function intersectionOverUnion(a: EvaluationBox, b: EvaluationBox): number {
  const width = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const height = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  if (width <= 0 || height <= 0) return 0;
  const intersection = width * height;
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - intersection;
  return union <= 0 ? 0 : intersection / union;
}

export type DetectionOutcome = 'true-positive' | 'false-positive' | 'ignored';

/** One frame's detections, best score first, each with its outcome under the greedy matching above. */
export function frameOutcomes(frame: DetectionFrame, iouThreshold = 0.5): { detection: ScoredBox; outcome: DetectionOutcome }[] {
  const matched = new Array<boolean>(frame.positives.length).fill(false);
  const byScore = [...frame.detections].sort((a, b) => b.score - a.score);
  return byScore.map((detection) => ({ detection, outcome: classify(detection.box, frame, matched, iouThreshold) }));
}

export function detectionMetrics(frames: readonly DetectionFrame[], iouThreshold = 0.5): DetectionMetrics {
  const scored = frames.flatMap((frame) => frameOutcomes(frame, iouThreshold).map(({ detection, outcome }) => ({ score: detection.score, outcome })));
  const positives = frames.reduce((sum, frame) => sum + frame.positives.length, 0);
  // Pool frames, then sweep the score threshold from high to low.
  const counted = scored.filter((entry) => entry.outcome !== 'ignored').sort((a, b) => b.score - a.score);
  const precisions: number[] = [];
  const recalls: number[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  for (const entry of counted) {
    if (entry.outcome === 'true-positive') truePositives += 1;
    else falsePositives += 1;
    precisions.push(truePositives / (truePositives + falsePositives));
    recalls.push(positives === 0 ? 0 : truePositives / positives);
  }
  return {
    averagePrecision: interpolatedAreaUnderCurve(precisions, recalls),
    recall: positives === 0 ? 0 : truePositives / positives,
    precision: truePositives + falsePositives === 0 ? 0 : truePositives / (truePositives + falsePositives),
    truePositives,
    falsePositives,
    positives,
  };
}

function classify(box: EvaluationBox, frame: DetectionFrame, matched: boolean[], iouThreshold: number): DetectionOutcome {
  let bestIndex = -1;
  let bestIou = iouThreshold;
  frame.positives.forEach((positive, index) => {
    if (matched[index]) return;
    const iou = intersectionOverUnion(box, positive);
    if (iou >= bestIou) {
      bestIou = iou;
      bestIndex = index;
    }
  });
  if (bestIndex >= 0) {
    matched[bestIndex] = true;
    return 'true-positive';
  }
  const hitsIgnoreRegion = frame.ignored.some((region) => intersectionOverUnion(box, region) >= iouThreshold);
  return hitsIgnoreRegion ? 'ignored' : 'false-positive';
}

/**
 * VOC (2010+) AP: make precision monotonically non-increasing from the right,
 * then sum precision x recall increment over the points where recall grows.
 */
function interpolatedAreaUnderCurve(precisions: number[], recalls: number[]): number {
  const envelope = [...precisions];
  for (let i = envelope.length - 2; i >= 0; i--) envelope[i] = Math.max(envelope[i]!, envelope[i + 1]!);
  let area = 0;
  let previousRecall = 0;
  envelope.forEach((precision, index) => {
    const recall = recalls[index]!;
    area += (recall - previousRecall) * precision;
    previousRecall = recall;
  });
  return area;
}
