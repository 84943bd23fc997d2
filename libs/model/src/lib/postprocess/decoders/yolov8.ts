/**
 * YOLOv8 (Ultralytics) detect head output [1, 4 + classes, anchors]:
 * channel-major, rows cx, cy, w, h in input pixels then one score per class
 * (already sigmoid-ed, no objectness).
 */
import { ModelError } from '../../errors/model-error.js';
import type { Float32Tensor } from '../../image/input-tensor.js';
import { nonMaxSuppression, type Candidate } from '../nms.js';
import type { DetectorDecoder } from './decoder.js';

export interface Yolov8DecoderOptions {
  personClass: number;
  scoreThreshold: number;
}

export function decodeYolov8(output: Float32Tensor, options: Yolov8DecoderOptions): Candidate[] {
  const [, rows = 0, anchors = 0] = output.dims;
  if (output.dims.length !== 3 || rows < 5 + options.personClass) {
    throw new ModelError(
      'INFERENCE_FAILED',
      `yolov8 output has shape [${output.dims.join(', ')}]; expected [1, 4 + classes (>${options.personClass}), anchors]`,
    );
  }
  const value = (row: number, anchor: number) => output.data[row * anchors + anchor]!;
  const candidates: Candidate[] = [];
  for (let anchor = 0; anchor < anchors; anchor++) {
    const score = value(4 + options.personClass, anchor);
    if (score < options.scoreThreshold) continue;
    const cx = value(0, anchor);
    const cy = value(1, anchor);
    const halfWidth = value(2, anchor) / 2;
    const halfHeight = value(3, anchor) / 2;
    candidates.push({ box: { x1: cx - halfWidth, y1: cy - halfHeight, x2: cx + halfWidth, y2: cy + halfHeight }, score, index: anchor });
  }
  return candidates;
}

export const yolov8Decoder: DetectorDecoder = {
  name: 'yolov8',
  tensors: ['output'],
  embeddings: 'embedder',
  checkShapes({ output, manifestOutput, atLeast }) {
    atLeast(output('output'), 1, 5 + manifestOutput.personClass, `personClass ${manifestOutput.personClass}`);
  },
  decode({ tensor, output: { personClass, scoreThreshold, iouThreshold, maxDetections } }) {
    return nonMaxSuppression(decodeYolov8(tensor('output'), { personClass, scoreThreshold }), iouThreshold, maxDetections);
  },
};
