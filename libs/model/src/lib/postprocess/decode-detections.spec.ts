import { describe, expect, it } from 'vitest';
import { computeResizeGeometry } from '../image/geometry.js';
import { parseManifest } from '../manifest/manifest-schema.js';
import { decodeDetections } from './decode-detections.js';

const endToEnd = parseManifest({
  schemaVersion: 1,
  id: 'tiny-e2e',
  version: '1',
  role: 'student',
  family: 'end-to-end',
  file: 'model.onnx',
  sha256: 'a'.repeat(64),
  license: 'MIT',
  source: 'test',
  input: { name: 'image', layout: 'NCHW', height: 100, width: 100, resize: { mode: 'letterbox', padValue: 0, anchor: 'top-left' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  output: { decoder: 'end-to-end', tensors: { boxes: 'boxes', scores: 'scores' }, personClass: 0, scoreThreshold: 0.5, iouThreshold: 0.5, maxDetections: 10 },
  embedding: { tensor: 'embeddings', dimension: 2, normalized: false },
});

describe('decodeDetections (end-to-end)', () => {
  it('maps boxes from the 100x100 letterbox back to a 200x100 image and L2-normalises embeddings', () => {
    // 200x100 letterboxed into 100x100 top-left: scale 0.5, content 100x50
    const geometry = computeResizeGeometry({ width: 200, height: 100 }, { width: 100, height: 100 }, endToEnd.input.resize);
    const detections = decodeDetections(
      {
        boxes: { data: Float32Array.from([10, 5, 30, 45, 0, 0, 1, 1]), dims: [2, 4] },
        scores: { data: Float32Array.from([0.9, 0.1]), dims: [2] },
        embeddings: { data: Float32Array.from([3, 4, 1, 0]), dims: [2, 2] },
      },
      endToEnd,
      geometry,
    );
    expect(detections).toHaveLength(1);
    expect(detections[0]!.box).toEqual({ x1: 20, y1: 10, x2: 60, y2: 90 });
    expect(Array.from(detections[0]!.embedding!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
  });

  it('fails with INFERENCE_FAILED when an output tensor is missing', () => {
    const geometry = computeResizeGeometry({ width: 100, height: 100 }, { width: 100, height: 100 }, endToEnd.input.resize);
    expect(() => decodeDetections({}, endToEnd, geometry)).toThrow(expect.objectContaining({ code: 'INFERENCE_FAILED' }));
  });
});
