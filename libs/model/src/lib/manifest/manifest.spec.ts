import { describe, expect, it } from 'vitest';
import { ModelError } from '../errors/model-error.js';
import { checkManifestAgainstSignature, sha256Hex, verifyModelChecksum } from './manifest-checks.js';
import { parseManifest } from './manifest-schema.js';

const yolox = {
  schemaVersion: 1,
  id: 'yolox-nano-person',
  version: '1',
  role: 'student',
  family: 'yolox',
  file: 'model.onnx',
  sha256: 'a'.repeat(64),
  license: 'Apache-2.0',
  source: 'test',
  input: { name: 'images', layout: 'NCHW', height: 192, width: 192, resize: { mode: 'letterbox', padValue: 114, anchor: 'top-left' }, colorOrder: 'BGR', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  output: { decoder: 'yolox', tensors: { output: 'output' }, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 100 },
};

function errorOf(work: () => unknown): ModelError {
  try {
    work();
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error('expected a ModelError');
}

describe('parseManifest', () => {
  it('accepts a valid manifest and fills defaults', () => {
    const { resize } = parseManifest({ ...yolox, input: { ...yolox.input, resize: { mode: 'letterbox' } } }).input;
    expect(resize).toEqual({ mode: 'letterbox', padValue: 0, anchor: 'top-left' });
  });

  it('names each bad field', () => {
    const error = errorOf(() => parseManifest({ ...yolox, input: { ...yolox.input, layout: 'CHW', mean: [0, 0] } }));
    expect(error.code).toBe('INVALID_MANIFEST');
    expect(error.message).toMatch(/input\.layout: .*"NCHW"\|"NHWC"/);
    expect(error.message).toMatch(/input\.mean/);
  });

  it('rejects a misspelt (unknown) key instead of silently defaulting', () => {
    const output = { ...yolox.output, scoreTreshold: 0.3 };
    expect(errorOf(() => parseManifest({ ...yolox, output })).message).toMatch(/output: Unrecognized key.*scoreTreshold/);
  });

  it('checks cross-field rules: decoder vs family, decoder tensors, embedder sections', () => {
    expect(errorOf(() => parseManifest({ ...yolox, output: { ...yolox.output, decoder: 'yolov8' } })).message).toMatch(/output\.decoder: must equal family "yolox"/);
    expect(errorOf(() => parseManifest({ ...yolox, output: { ...yolox.output, tensors: {} } })).message).toMatch(/output\.tensors\.output: required/);
    expect(errorOf(() => parseManifest({ ...yolox, family: 'reid-embedder' })).message).toMatch(/embedding: required/);
  });

  it('lets only detector families name an embedder', () => {
    expect(parseManifest({ ...yolox, embedder: 'osnet-x0-25-msmt17' }).embedder).toBe('osnet-x0-25-msmt17');
    const endToEnd = { ...yolox, family: 'end-to-end', output: { ...yolox.output, decoder: 'end-to-end', tensors: { boxes: 'b', scores: 's' } }, embedding: { tensor: 'e', dimension: 8, normalized: true } };
    expect(errorOf(() => parseManifest({ ...endToEnd, embedder: 'x' })).message).toMatch(/embedder: only a detector family/);
  });

  it('embedding.queryBoxes: only for a family with per-box embeddings', () => {
    const endToEnd = { ...yolox, family: 'end-to-end', output: { ...yolox.output, decoder: 'end-to-end', tensors: { boxes: 'b', scores: 's' } }, embedding: { tensor: 'e', dimension: 8, normalized: true } };
    const queryBoxes = { input: 'query_boxes', output: 'query_embeddings' };
    expect(parseManifest({ ...endToEnd, embedding: { ...endToEnd.embedding, queryBoxes } }).embedding?.queryBoxes).toEqual(queryBoxes);
    const signature = { inputs: [{ name: 'images', shape: [1, 3, 192, 192] }], outputs: [{ name: 'b', shape: ['n', 4] }, { name: 's', shape: ['n'] }, { name: 'e', shape: ['n', 8] }] };
    expect(() => checkManifestAgainstSignature(parseManifest({ ...endToEnd, embedding: { ...endToEnd.embedding, queryBoxes } }), signature)).toThrow(/embedding\.queryBoxes\.input names input "query_boxes"/);
  });

  it('alignedWith: only on a student, naming another model (its teacher)', () => {
    const endToEnd = { ...yolox, family: 'end-to-end', output: { ...yolox.output, decoder: 'end-to-end', tensors: { boxes: 'b', scores: 's' } }, embedding: { tensor: 'e', dimension: 8, normalized: true } };
    expect(parseManifest({ ...endToEnd, alignedWith: 'default-teacher' }).alignedWith).toBe('default-teacher');
    expect(errorOf(() => parseManifest({ ...endToEnd, alignedWith: endToEnd.id })).message).toMatch(/alignedWith: names the model itself/);
    const embedder = { ...yolox, role: 'teacher', family: 'reid-embedder', output: undefined, embedding: { tensor: 'e', dimension: 8, normalized: true } };
    expect(errorOf(() => parseManifest({ ...embedder, alignedWith: 'other' })).message).toMatch(/alignedWith: only a student can be aligned/);
  });

  it('refuses a file path that leaves the model folder', () => {
    expect(errorOf(() => parseManifest({ ...yolox, file: '../../etc/passwd' })).message).toMatch(/^invalid manifest: file:/);
  });

  it('reports JSON syntax errors as INVALID_MANIFEST', () => {
    expect(errorOf(() => parseManifest('{"schemaVersion": 1,')).code).toBe('INVALID_MANIFEST');
  });
});

describe('checkManifestAgainstSignature', () => {
  const manifest = parseManifest(yolox);
  const signature = {
    inputs: [{ name: 'images', shape: [1, 3, 192, 192] }],
    outputs: [{ name: 'output', shape: [1, 756, 6] }],
  };

  it('passes when names and static dims agree', () => {
    expect(() => checkManifestAgainstSignature(manifest, signature)).not.toThrow();
    expect(() => checkManifestAgainstSignature(manifest, { ...signature, inputs: [{ name: 'images', shape: ['batch', 3, 'h', 'w'] }] })).not.toThrow();
  });

  it('names the wrong input and lists the real ones', () => {
    const error = errorOf(() => checkManifestAgainstSignature(parseManifest({ ...yolox, input: { ...yolox.input, name: 'image' } }), signature));
    expect(error.code).toBe('MANIFEST_MISMATCH');
    expect(error.message).toContain('input.name names input "image" but the ONNX graph\'s inputs are "images"');
  });

  it('catches a static size that differs from input.height', () => {
    const error = errorOf(() => checkManifestAgainstSignature(parseManifest({ ...yolox, input: { ...yolox.input, height: 320 } }), signature));
    expect(error.message).toMatch(/input\.height is 320 but "images" has 192/);
  });

  it('catches an NHWC manifest for an NCHW graph', () => {
    const error = errorOf(() => checkManifestAgainstSignature(parseManifest({ ...yolox, input: { ...yolox.input, layout: 'NHWC' } }), signature));
    expect(error.message).toMatch(/input channels is 3 but "images" has 192 at axis 3/);
  });

  it('catches a YOLOX head whose anchors do not fit the input size, and a person class past the outputs', () => {
    // 320x320 would need 40² + 20² + 10² = 2100 anchors, the graph has 756
    const at320 = { ...yolox, input: { ...yolox.input, height: 320, width: 320 } };
    const dynamicInput = { ...signature, inputs: [{ name: 'images', shape: [1, 3, 'h', 'w'] }] };
    expect(errorOf(() => checkManifestAgainstSignature(parseManifest(at320), dynamicInput)).message).toMatch(
      /yolox anchors for a 320x320 input is 2100 but "output" has 756 at axis 1/,
    );
    const personClass3 = { ...yolox, output: { ...yolox.output, personClass: 3 } };
    expect(errorOf(() => checkManifestAgainstSignature(parseManifest(personClass3), signature)).message).toMatch(/output "output" has 6 at axis 2; personClass 3 needs at least 9/);
  });

  it('catches a missing output tensor', () => {
    const error = errorOf(() => checkManifestAgainstSignature(parseManifest({ ...yolox, output: { ...yolox.output, tensors: { output: 'dets' } } }), signature));
    expect(error.message).toMatch(/output\.tensors\.output names output "dets"/);
  });
});

describe('verifyModelChecksum', () => {
  it('hashes with sha256 and rejects a mismatch with CHECKSUM_MISMATCH', async () => {
    const bytes = new TextEncoder().encode('abc');
    const digest = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
    expect(await sha256Hex(bytes)).toBe(digest);
    await expect(verifyModelChecksum(parseManifest({ ...yolox, sha256: digest }), bytes)).resolves.toBeUndefined();
    await expect(verifyModelChecksum(parseManifest(yolox), bytes)).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });
});

describe('parseManifest: preprocessing parity fields', () => {
  const embedderManifest = {
    ...yolox,
    id: 'crop-embedder',
    role: 'teacher',
    family: 'reid-embedder',
    output: undefined,
    input: { ...yolox.input, resize: { mode: 'stretch', antialias: true, sourceMaxHeight: 240 } },
    embedding: { tensor: 'embeddings', dimension: 8, normalized: true, flipAverage: true },
  };

  it('accepts antialias, sourceMaxHeight and flipAverage on an embedder', () => {
    const manifest = parseManifest(embedderManifest);
    expect(manifest.input.resize).toEqual({ mode: 'stretch', antialias: true, sourceMaxHeight: 240 });
    expect(manifest.embedding?.flipAverage).toBe(true);
  });

  it('refuses flipAverage on a detector and sourceMaxHeight on a letterbox', () => {
    const detector = { ...yolox, family: 'end-to-end', output: { ...yolox.output, decoder: 'end-to-end', tensors: { boxes: 'b', scores: 's', embeddings: 'e' } } };
    expect(errorOf(() => parseManifest({ ...detector, embedding: { tensor: 'e', dimension: 8, normalized: true, flipAverage: true } })).message).toMatch(/embedding\.flipAverage: only for family "reid-embedder"/);
    expect(() => parseManifest({ ...yolox, input: { ...yolox.input, resize: { mode: 'letterbox', sourceMaxHeight: 240 } } })).toThrow(/sourceMaxHeight/);
  });

  it('cropQuery: on a letterboxed end-to-end student, personHeight within the input', () => {
    const student = {
      ...yolox,
      family: 'end-to-end',
      output: { ...yolox.output, decoder: 'end-to-end', tensors: { boxes: 'b', scores: 's', embeddings: 'e' } },
      embedding: { tensor: 'e', dimension: 8, normalized: true, queryBoxes: { input: 'q', output: 'qe', cropQuery: { personHeight: 176 } } },
    };
    expect(parseManifest(student).embedding?.queryBoxes?.cropQuery).toEqual({ personHeight: 176 });
    expect(errorOf(() => parseManifest({ ...student, input: { ...student.input, resize: { mode: 'stretch' } } })).message).toMatch(/cropQuery: needs input\.resize\.mode "letterbox"/);
    const tall = { ...student, embedding: { ...student.embedding, queryBoxes: { input: 'q', output: 'qe', cropQuery: { personHeight: 400 } } } };
    expect(errorOf(() => parseManifest(tall)).message).toMatch(/personHeight: must be at most input\.height \(192\)/);
  });
});
