/**
 * Detection quality on MOT17-mini: AP@0.5 over every detection the model
 * returns at a low score threshold (so the precision/recall curve is
 * complete), recall and precision at the manifest's own operating threshold.
 * Class-1 pedestrians with visibility >= 0.3 are positives; every other
 * ground-truth row is an ignore region.
 */
import { readFile } from 'node:fs/promises';
import type { PersonDetection, RgbImage } from '@person-search/model';
import { decodeImage } from '@person-search/model/node';
import { detectionMetrics, type DetectionFrame } from '../src/lib/evaluation/detection-metrics.js';
import { groundTruthForFrame } from '../src/lib/evaluation/mot-ground-truth.js';
import type { MotSequence } from './shared-data.js';

/** Low enough that AP sees the whole curve; the manifests' thresholds are 0.3-0.4. */
export const AP_SCORE_THRESHOLD = 0.05;

export interface DetectionResult {
  averagePrecision: number;
  recall: number;
  precision: number;
  operatingThreshold: number;
  /** Detections at the operating threshold matching no positive (IoU 0.5) nor an ignore region, per frame. */
  falsePositivesPerFrame: number;
  frames: number;
  positives: number;
}

export async function mot17DetectionMetrics(
  sequences: readonly MotSequence[],
  detectPeople: (image: RgbImage) => Promise<PersonDetection[]>,
  operatingThreshold: number,
): Promise<DetectionResult> {
  const frames: DetectionFrame[] = [];
  for (const sequence of sequences) {
    for (const [frame, imagePath] of [...sequence.frames].sort(([a], [b]) => a - b)) {
      const image = await decodeImage(await readFile(imagePath));
      const detections = (await detectPeople(image)).map(({ box, score }) => ({ box, score }));
      frames.push({ detections, ...groundTruthForFrame(sequence.rows, frame) });
    }
  }
  const curve = detectionMetrics(frames);
  const atThreshold = detectionMetrics(
    frames.map((frame) => ({ ...frame, detections: frame.detections.filter((detection) => detection.score >= operatingThreshold) })),
  );
  return {
    averagePrecision: curve.averagePrecision,
    recall: atThreshold.recall,
    precision: atThreshold.precision,
    operatingThreshold,
    falsePositivesPerFrame: atThreshold.falsePositives / frames.length,
    frames: frames.length,
    positives: curve.positives,
  };
}
