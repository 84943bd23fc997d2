/**
 * The student pipeline end to end with tiny in-process models of known output
 * (no downloaded weights needed): end-to-end decoding with letterbox mapping,
 * a bare detector (embedding null) and a composite detector + embedder.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, type RgbImage } from '@person-search/model';
import { loadStudent, loadTeacher } from '@person-search/model/node';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadWebStudent } from '@person-search/model/web';
import {
  constantOutputModelBytes,
  removeTinyPackages,
  scratchDir,
  tinyEmbedderBytes,
  tinyEmbedderManifest,
  writePackage,
  writePackageIn,
  writeTinyEmbedderPackage,
} from './support/tiny-models.js';

const image: RgbImage = { data: new Uint8Array(200 * 100 * 3).map((_, i) => (i * 17) % 256), width: 200, height: 100, channels: 3 };

function baseManifest(id: string, family: string, size: number) {
  return {
    schemaVersion: 1,
    id,
    version: '0',
    role: 'student',
    family,
    file: 'model.onnx',
    license: 'MIT',
    source: 'test',
    input: { name: 'image', layout: 'NCHW', height: size, width: size, resize: { mode: 'letterbox', padValue: 0, anchor: 'center' }, colorOrder: 'RGB', scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  };
}

describe('student pipeline on constant-output models', () => {
  afterAll(removeTinyPackages);

  it('end-to-end: thresholds scores, maps boxes out of a centred letterbox, normalises embeddings', async () => {
    const bytes = constantOutputModelBytes('image', [1, 3, 100, 100], [
      { name: 'boxes', dims: [2, 4], values: [10, 30, 50, 70, 0, 0, 4, 4] },
      { name: 'scores', dims: [2], values: [0.9, 0.1] },
      { name: 'embeddings', dims: [2, 2], values: [3, 4, 1, 0] },
    ]);
    const manifest = {
      ...baseManifest('constant-e2e', 'end-to-end', 100),
      output: { decoder: 'end-to-end', tensors: { boxes: 'boxes', scores: 'scores', embeddings: 'embeddings' }, personClass: 0, scoreThreshold: 0.5, iouThreshold: 0.5, maxDetections: 10 },
      embedding: { tensor: 'embeddings', dimension: 2, normalized: false },
    };
    const student = await loadStudent(await writePackage(manifest, bytes));
    expect(student.embeddingDimension).toBe(2);
    const people = await student.detectPeople(image);
    // 200x100 → 100x50 content at y offset 25, scale 0.5: (10, 30, 50, 70) → (20, 10, 100, 90)
    expect(people).toHaveLength(1);
    expect(people[0]!.box).toEqual({ x1: 20, y1: 10, x2: 100, y2: 90 });
    expect(people[0]!.score).toBeCloseTo(0.9, 6);
    expect(Array.from(people[0]!.embedding!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    await student.release();
  });

  // YOLOX at 64x64: 8x8 + 4x4 + 2x2 = 84 anchors; anchor 64 + 5 is stride 16, grid (1, 1).
  const yoloxBytes = () => {
    const values = new Array<number>(84 * 6).fill(0);
    values.splice(69 * 6, 6, 0.5, 0.5, Math.log(2), Math.log(3), 1, 0.8);
    return constantOutputModelBytes('image', [1, 3, 64, 64], [{ name: 'output', dims: [1, 84, 6], values }]);
  };
  const yoloxManifest = {
    ...baseManifest('constant-yolox', 'yolox', 64),
    output: { decoder: 'yolox', tensors: { output: 'output' }, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 10 },
  };

  it('bare detector: boxes and scores, embedding null', async () => {
    const student = await loadStudent(await writePackage(yoloxManifest, yoloxBytes()));
    expect(student.embeddingDimension).toBeNull();
    const people = await student.detectPeople(image);
    // centre (1.5 * 16, 1.5 * 16) = (24, 24), size 32 x 48 → (8, 0, 40, 48) on the canvas;
    // 200x100 → 64x32 at y offset 16, scale 0.32 → (25, 0, 125, 100) after clamping
    expect(people).toHaveLength(1);
    const { box } = people[0]!;
    expect([box.x1, box.y1, box.x2, box.y2].map((value) => Number(value.toFixed(4)))).toEqual([25, 0, 125, 100]);
    expect(people[0]!.embedding).toBeNull();
    await student.release();
  });

  it('composite detector + embedder: each detection carries the embedder\'s crop embedding', async () => {
    const embedderDir = await writeTinyEmbedderPackage();
    const student = await loadStudent(await writePackage(yoloxManifest, yoloxBytes()), { embedderDir });
    const teacher = await loadTeacher(embedderDir);
    expect(student.embeddingDimension).toBe(4);
    const [person] = await student.detectPeople(image);
    const [direct] = await teacher.embedCrops(image, [person!.box]);
    expect(cosineSimilarity(person!.embedding!, direct!)).toBeGreaterThan(0.999999);
    await Promise.all([student.release(), teacher.release()]);
  });

  it('composite declared by manifest: the detector names its embedder, found in the sibling folder', async () => {
    const root = scratchDir('composite-');
    await writePackageIn(root, await tinyEmbedderManifest(tinyEmbedderBytes()), tinyEmbedderBytes());
    const detectorDir = await writePackageIn(root, { ...yoloxManifest, embedder: 'tiny-embedder' }, yoloxBytes());
    const student = await loadStudent(detectorDir);
    expect(student.embedderManifest?.id).toBe('tiny-embedder');
    const [person] = await student.detectPeople(image);
    expect(person!.embedding).toHaveLength(4);
    await student.release();

    const wrongDir = await writePackageIn(root, { ...yoloxManifest, id: 'constant-yolox-wrong', embedder: 'no-such-embedder' }, yoloxBytes());
    await expect(loadStudent(wrongDir)).rejects.toMatchObject({ code: 'MODEL_NOT_FOUND' });
  });

  it('the web loader resolves the declared embedder next to a served student', async () => {
    const root = scratchDir('served-');
    await writePackageIn(root, await tinyEmbedderManifest(tinyEmbedderBytes()), tinyEmbedderBytes());
    await writePackageIn(root, { ...yoloxManifest, embedder: 'tiny-embedder' }, yoloxBytes());
    const requested: string[] = [];
    const serveFolder = (async (url: string | URL | Request) => {
      const { pathname } = new URL(String(url));
      requested.push(pathname);
      return new Response(readFileSync(path.join(root, pathname.replace('/models/', ''))));
    }) as typeof fetch;
    const student = await loadWebStudent('http://kiosk.local/models/constant-yolox', { backend: 'wasm', numThreads: 1, fetch: serveFolder, cacheName: false });
    const nodeStudent = await loadStudent(path.join(root, 'constant-yolox'));
    const [webPerson] = await student.detectPeople(image);
    const [nodePerson] = await nodeStudent.detectPeople(image);
    expect(requested).toContain('/models/tiny-embedder/model.onnx');
    expect(webPerson!.box).toEqual(nodePerson!.box);
    expect(cosineSimilarity(webPerson!.embedding!, nodePerson!.embedding!)).toBeGreaterThan(0.99999);
    await Promise.all([student.release(), nodeStudent.release()]);
  });
});
