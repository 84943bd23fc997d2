import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { addPersonDecoding } from './person-decoder';

const SIZE = 8;
const STRIDE = 4;

async function decode(peaks: Array<{ cls: number; row: number; col: number; score: number; distances?: number[] }>) {
  const graph = new OnnxGraphBuilder('decoder-test');
  const heatmap = graph.addInput('heatmap', OnnxDataType.FLOAT, [1, 2, SIZE, SIZE]);
  const boxDistances = graph.addInput('distances', OnnxDataType.FLOAT, [1, 4, SIZE, SIZE]);
  const decoded = addPersonDecoding(graph, {
    heatmap, boxDistances, heatmapHeight: SIZE, heatmapWidth: SIZE, stride: STRIDE, inputHeight: SIZE * STRIDE, inputWidth: SIZE * STRIDE,
    personClass: 0, topK: 6, maxDetections: 10, iouThreshold: 0.5, scoreFloor: 0.1,
  });
  graph.addOutput(decoded.boxes, 'boxes', OnnxDataType.FLOAT, ['n', 4]);
  graph.addOutput(decoded.scores, 'scores', OnnxDataType.FLOAT, ['n']);
  graph.addOutput(decoded.batchIndices, 'batch', OnnxDataType.INT64, ['n']);
  const session = await ort.InferenceSession.create(graph.serialize({ opset: 17, producerName: 'test', producerVersion: '0' }));
  const heat = new Float32Array(2 * SIZE * SIZE);
  const distances = new Float32Array(4 * SIZE * SIZE);
  for (const peak of peaks) {
    heat[peak.cls * SIZE * SIZE + peak.row * SIZE + peak.col] = peak.score;
    peak.distances?.forEach((distance, edge) => (distances[edge * SIZE * SIZE + peak.row * SIZE + peak.col] = distance));
  }
  const out = await session.run({ heatmap: new ort.Tensor('float32', heat, [1, 2, SIZE, SIZE]), distances: new ort.Tensor('float32', distances, [1, 4, SIZE, SIZE]) });
  const boxes = out.boxes!.data as Float32Array;
  return {
    boxes: Array.from({ length: boxes.length / 4 }, (_, i) => Array.from(boxes.subarray(i * 4, i * 4 + 4))),
    scores: Array.from(out.scores!.data as Float32Array).map((score) => Number(score.toFixed(4))),
    batch: Array.from(out.batch!.data as BigInt64Array).map(Number),
  };
}

describe('in-graph person decoding', () => {
  it('keeps person peaks, builds boxes from edge distances, suppresses overlaps, clips to the canvas', async () => {
    const result = await decode([
      { cls: 0, row: 2, col: 2, score: 0.9, distances: [4, 4, 4, 4] }, // centre (8, 8) → [4, 4, 12, 12]
      { cls: 0, row: 2, col: 3, score: 0.85 }, // next to a higher cell: not a peak
      { cls: 0, row: 2, col: 5, score: 0.6, distances: [10, 4, 2, 4] }, // centre (20, 8) → [10, 4, 22, 12], IoU 0.11 with the first
      { cls: 0, row: 4, col: 2, score: 0.5, distances: [4, 11, 4, -1] }, // [4, 5, 12, 15], IoU 0.64 with the first: suppressed
      { cls: 0, row: 7, col: 7, score: 0.4, distances: [2, 2, 10, 10] }, // [26, 26, 38, 38] clipped to 32
      { cls: 0, row: 6, col: 0, score: 0.05, distances: [1, 1, 1, 1] }, // below the score floor
      { cls: 1, row: 0, col: 7, score: 0.95, distances: [1, 1, 1, 1] }, // another class
    ]);
    expect(result.scores).toEqual([0.9, 0.6, 0.4]);
    expect(result.boxes).toEqual([
      [4, 4, 12, 12],
      [10, 4, 22, 12],
      [26, 26, 32, 32],
    ]);
    expect(result.batch).toEqual([0, 0, 0]);
  });

  it('returns empty tensors when nothing clears the floor', async () => {
    const result = await decode([{ cls: 1, row: 3, col: 3, score: 0.99 }]);
    expect(result).toEqual({ boxes: [], scores: [], batch: [] });
  });
});
