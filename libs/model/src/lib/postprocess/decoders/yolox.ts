/**
 * YOLOX raw head output [1, anchors, 5 + classes]: per anchor
 * (cx, cy, log w, log h, objectness, class scores...) before grid decoding.
 * Anchors run over strides 8, 16, 32, each a row-major (y, then x) grid of
 * the input size divided by the stride (Ge et al. 2021, YOLOX demo postprocess).
 */
import { ModelError } from '../../errors/model-error.js';
import type { Float32Tensor } from '../../image/input-tensor.js';
import { nonMaxSuppression, type Candidate } from '../nms.js';
import type { DetectorDecoder } from './decoder.js';

export const YOLOX_STRIDES = [8, 16, 32] as const;

export interface GridDecoderOptions {
  inputWidth: number;
  inputHeight: number;
  personClass: number;
  scoreThreshold: number;
}

function yoloxGrids(inputWidth: number, inputHeight: number) {
  return YOLOX_STRIDES.map((stride) => ({ stride, columns: Math.floor(inputWidth / stride), rows: Math.floor(inputHeight / stride) }));
}

/** Anchors a YOLOX head has for an input size: 192x192 → 24² + 12² + 6² = 756. */
export function yoloxAnchorCount(inputWidth: number, inputHeight: number): number {
  return yoloxGrids(inputWidth, inputHeight).reduce((sum, grid) => sum + grid.columns * grid.rows, 0);
}

export function decodeYolox(output: Float32Tensor, options: GridDecoderOptions): Candidate[] {
  const [, anchors = 0, values = 0] = output.dims;
  const grids = yoloxGrids(options.inputWidth, options.inputHeight);
  const expectedAnchors = yoloxAnchorCount(options.inputWidth, options.inputHeight);
  if (output.dims.length !== 3 || anchors !== expectedAnchors || values < 5 + options.personClass + 1) {
    throw new ModelError(
      'INFERENCE_FAILED',
      `yolox output has shape [${output.dims.join(', ')}]; expected [1, ${expectedAnchors}, >=${6 + options.personClass}] for a ${options.inputWidth}x${options.inputHeight} input`,
    );
  }
  const candidates: Candidate[] = [];
  let anchor = 0;
  for (const { stride, columns, rows } of grids) {
    for (let gridY = 0; gridY < rows; gridY++) {
      for (let gridX = 0; gridX < columns; gridX++, anchor++) {
        const base = anchor * values;
        const score = output.data[base + 4]! * output.data[base + 5 + options.personClass]!;
        if (score < options.scoreThreshold) continue;
        const cx = (output.data[base]! + gridX) * stride;
        const cy = (output.data[base + 1]! + gridY) * stride;
        const width = Math.exp(output.data[base + 2]!) * stride;
        const height = Math.exp(output.data[base + 3]!) * stride;
        candidates.push({
          box: { x1: cx - width / 2, y1: cy - height / 2, x2: cx + width / 2, y2: cy + height / 2 },
          score,
          index: anchor,
        });
      }
    }
  }
  return candidates;
}

export const yoloxDecoder: DetectorDecoder = {
  name: 'yolox',
  tensors: ['output'],
  embeddings: 'embedder',
  checkShapes({ output, manifestOutput, input, fixedDim, atLeast }) {
    const head = output('output');
    fixedDim(head, 1, yoloxAnchorCount(input.width, input.height), `yolox anchors for a ${input.width}x${input.height} input`);
    atLeast(head, 2, 6 + manifestOutput.personClass, `personClass ${manifestOutput.personClass}`);
  },
  decode({ tensor, input, output: { personClass, scoreThreshold, iouThreshold, maxDetections } }) {
    const options = { inputWidth: input.width, inputHeight: input.height, personClass, scoreThreshold };
    return nonMaxSuppression(decodeYolox(tensor('output'), options), iouThreshold, maxDetections);
  },
};
