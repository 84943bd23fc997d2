/**
 * MOT17 ground truth (`gt/gt.txt`: frame, id, x, y, w, h, consider, class,
 * visibility) and the two evaluation protocols built on it: detection with
 * ignore regions, and the re-ID regression split.
 */
import type { EvaluationBox } from './detection-metrics.js';

export interface MotGroundTruthRow {
  frame: number;
  identity: number;
  /** Corners in 0-based pixels (MOT's x, y are 1-based). */
  box: EvaluationBox;
  consider: boolean;
  classId: number;
  visibility: number;
}

/** MOT17 class 1 = pedestrian, the only class scored. */
const PEDESTRIAN_CLASS = 1;
/** Pedestrians less visible than this are ignore regions, not misses. */
export const MIN_POSITIVE_VISIBILITY = 0.3;

export function parseMotGroundTruth(text: string): MotGroundTruthRow[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0)
    .map((line, lineIndex) => {
      const fields = line.split(',').map(Number);
      if (fields.length < 9 || fields.some((value) => Number.isNaN(value))) {
        throw new Error(`gt.txt line ${lineIndex + 1}: expected 9 numeric fields, got "${line}"`);
      }
      const [frame, identity, x, y, width, height, consider, classId, visibility] = fields as [
        number, number, number, number, number, number, number, number, number,
      ];
      return {
        frame,
        identity,
        box: { x1: x - 1, y1: y - 1, x2: x - 1 + width, y2: y - 1 + height },
        consider: consider === 1,
        classId,
        visibility,
      };
    });
}

/** A row that detectors are scored on; every other row is an ignore region. */
export function isPositivePedestrian(row: MotGroundTruthRow): boolean {
  return row.consider && row.classId === PEDESTRIAN_CLASS && row.visibility >= MIN_POSITIVE_VISIBILITY;
}

/**
 * MOT17 classes that are people though only class 1 is scored: 2 person on vehicle, 7 static
 * person, 8 distractor, 12 reflection. The rest (vehicles, occluders) are things.
 */
const PERSON_CLASSES = new Set([PEDESTRIAN_CLASS, 2, 7, 8, 12]);

export function isPersonClass(row: MotGroundTruthRow): boolean {
  return PERSON_CLASSES.has(row.classId);
}

/** Splits one frame's rows into positives and ignore regions. */
export function groundTruthForFrame(rows: readonly MotGroundTruthRow[], frame: number): {
  positives: EvaluationBox[];
  ignored: EvaluationBox[];
} {
  const inFrame = rows.filter((row) => row.frame === frame);
  return {
    positives: inFrame.filter(isPositivePedestrian).map((row) => row.box),
    ignored: inFrame.filter((row) => !isPositivePedestrian(row)).map((row) => row.box),
  };
}

export interface ReidCrop {
  sequence: string;
  frame: number;
  /** `<sequence>/<identity>`: identities are only stable within a sequence. */
  label: string;
  box: EvaluationBox;
}

/**
 * Re-ID regression split over positive pedestrians: queries are each
 * identity's box in the first frame of its sequence, the gallery is every
 * positive box of every later frame of every sequence.
 */
export function motReidSplit(sequences: readonly { sequence: string; rows: readonly MotGroundTruthRow[] }[]): {
  queries: ReidCrop[];
  gallery: ReidCrop[];
} {
  const queries: ReidCrop[] = [];
  const gallery: ReidCrop[] = [];
  for (const { sequence, rows } of sequences) {
    const positives = rows.filter(isPositivePedestrian);
    if (positives.length === 0) continue;
    const firstFrame = Math.min(...positives.map((row) => row.frame));
    for (const row of positives) {
      const crop = { sequence, frame: row.frame, label: `${sequence}/${row.identity}`, box: row.box };
      (row.frame === firstFrame ? queries : gallery).push(crop);
    }
  }
  return { queries, gallery };
}
