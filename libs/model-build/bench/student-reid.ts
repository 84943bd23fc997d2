/**
 * Makes an end-to-end student usable as a box embedder: it has no crop
 * input, so the image is run through `detectPeople` and each asked-for box
 * takes the embedding of the detection that overlaps it most (IoU >= 0.3).
 * A box the student does not detect gets a zero vector, which ranks last
 * against everything: missed people count against the student, as they
 * would in use.
 */
import { iou, type RgbImage, type Box, type PersonDetection } from '@person-search/model';
import type { BoxEmbedder } from './reid-bench.js';

const MIN_MATCH_IOU = 0.3;

export function studentBoxEmbedder(detectPeople: (image: RgbImage) => Promise<PersonDetection[]>, dimension: number): BoxEmbedder {
  return async (image: RgbImage, boxes: readonly Box[]) => {
    const detections = (await detectPeople(image)).filter((detection) => detection.embedding);
    return boxes.map((box) => {
      let best: PersonDetection | undefined;
      let bestIou = MIN_MATCH_IOU;
      for (const detection of detections) {
        const overlap = iou(box, detection.box);
        if (overlap >= bestIou) {
          bestIou = overlap;
          best = detection;
        }
      }
      return best?.embedding ? Float32Array.from(best.embedding) : new Float32Array(dimension);
    });
  };
}
