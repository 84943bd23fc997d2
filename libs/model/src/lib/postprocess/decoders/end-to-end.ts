/**
 * End-to-end person search output: boxes [N, 4] (x1, y1, x2, y2 in model-input
 * pixels), scores [N], embeddings [N, D]; persons only, NMS already in the graph.
 */
import { ModelError } from '../../errors/model-error.js';
import type { Float32Tensor } from '../../image/input-tensor.js';
import type { Candidate } from '../nms.js';
import type { DetectorDecoder } from './decoder.js';

export function decodeEndToEnd(boxes: Float32Tensor, scores: Float32Tensor, scoreThreshold: number): Candidate[] {
  const count = scores.data.length;
  if (boxes.data.length !== count * 4 || boxes.dims.at(-1) !== 4) {
    throw new ModelError(
      'INFERENCE_FAILED',
      `end-to-end boxes have shape [${boxes.dims.join(', ')}] for ${count} scores; expected [${count}, 4]`,
    );
  }
  const candidates: Candidate[] = [];
  for (let index = 0; index < count; index++) {
    const score = scores.data[index]!;
    if (score < scoreThreshold) continue;
    const base = index * 4;
    candidates.push({
      box: { x1: boxes.data[base]!, y1: boxes.data[base + 1]!, x2: boxes.data[base + 2]!, y2: boxes.data[base + 3]! },
      score,
      index,
    });
  }
  return candidates;
}

/** Row `index` of an [N, D] embeddings tensor (a copy). */
export function embeddingRow(embeddings: Float32Tensor, index: number, dimension: number): Float32Array {
  if (embeddings.data.length % dimension !== 0 || embeddings.dims.at(-1) !== dimension) {
    throw new ModelError('INFERENCE_FAILED', `embeddings have shape [${embeddings.dims.join(', ')}]; expected [N, ${dimension}]`);
  }
  return embeddings.data.slice(index * dimension, (index + 1) * dimension);
}

/** NMS is in the graph: the runtime only thresholds, orders and caps. */
export const endToEndDecoder: DetectorDecoder = {
  name: 'end-to-end',
  tensors: ['boxes', 'scores'],
  embeddings: 'per-box',
  checkShapes({ output, fixedDim }) {
    const boxes = output('boxes');
    if (boxes.shape) fixedDim(boxes, boxes.shape.length - 1, 4, 'boxes (x1, y1, x2, y2)');
  },
  decode({ tensor, output }) {
    return decodeEndToEnd(tensor('boxes'), tensor('scores'), output.scoreThreshold)
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, output.maxDetections);
  },
};
