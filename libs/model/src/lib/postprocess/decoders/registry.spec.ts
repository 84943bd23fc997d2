/** The decoder registry is the single source the schema, the graph checks and decoding read. */
import { describe, expect, it } from 'vitest';
import { checkManifestAgainstSignature } from '../../manifest/manifest-checks.js';
import { parseManifest } from '../../manifest/manifest-schema.js';
import { computeResizeGeometry } from '../../image/geometry.js';
import { decodeDetections } from '../decode-detections.js';
import { DECODER_REGISTRY, DECODERS, EMBEDDER_PAIRED_DECODERS } from './registry.js';

function manifestFor(name: string, tensors: Record<string, string>) {
  const perBox = DECODER_REGISTRY[name as keyof typeof DECODER_REGISTRY]?.embeddings === 'per-box';
  return {
    schemaVersion: 1,
    id: `test-${name}`,
    version: '1',
    role: 'student',
    family: name,
    file: 'model.onnx',
    sha256: 'a'.repeat(64),
    license: 'MIT',
    source: 'test',
    input: { name: 'images', layout: 'NCHW', height: 64, width: 64, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
    output: { decoder: name, tensors, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 10 },
    ...(perBox ? { embedding: { tensor: 'e', dimension: 2, normalized: true } } : {}),
  };
}

describe('decoder registry', () => {
  it('registers end-to-end, centernet, yolox and yolov8 under their own names', () => {
    expect(DECODERS).toEqual(['end-to-end', 'centernet', 'yolox', 'yolov8']);
    for (const name of DECODERS) expect(DECODER_REGISTRY[name].name).toBe(name);
    expect(EMBEDDER_PAIRED_DECODERS).toEqual(['centernet', 'yolox', 'yolov8']);
  });

  it.each(DECODERS)('the schema requires every tensor role %s declares, and nothing else', (name) => {
    const roles = DECODER_REGISTRY[name].tensors;
    const tensors = Object.fromEntries(roles.map((role) => [role, role]));
    expect(parseManifest(manifestFor(name, tensors)).output?.decoder).toBe(name);
    for (const role of roles) {
      const { [role]: _missing, ...rest } = tensors;
      expect(() => parseManifest(manifestFor(name, rest))).toThrow(new RegExp(`output\\.tensors\\.${role}: required by decoder "${name}"`));
    }
  });

  it('an unregistered decoder is refused, listing the registered ones', () => {
    expect(() => parseManifest(manifestFor('ssd', { output: 'output' }))).toThrow(/family: Invalid option: expected one of "end-to-end"\|"centernet"\|"yolox"\|"yolov8"\|"reid-embedder"/);
  });

  it('the load-time check and decoding go through the registered decoder (yolox: anchors for the input size)', () => {
    const manifest = parseManifest(manifestFor('yolox', { output: 'output' }));
    // 64x64: 8x8 + 4x4 + 2x2 = 84 anchors
    expect(() => checkManifestAgainstSignature(manifest, { inputs: [{ name: 'images', shape: [1, 3, 64, 64] }], outputs: [{ name: 'output', shape: [1, 80, 6] }] })).toThrow(
      /yolox anchors for a 64x64 input is 84 but "output" has 80/,
    );
    const data = new Float32Array(84 * 6);
    data.set([0.5, 0.5, 0, 0, 1, 0.9], 0);
    const geometry = computeResizeGeometry({ width: 64, height: 64 }, { width: 64, height: 64 }, manifest.input.resize);
    const [person] = decodeDetections({ output: { data, dims: [1, 84, 6] } }, manifest, geometry);
    expect(person!.score).toBeCloseTo(0.9, 6);
    expect(person!.box).toEqual({ x1: 0, y1: 0, x2: 8, y2: 8 });
  });
});
