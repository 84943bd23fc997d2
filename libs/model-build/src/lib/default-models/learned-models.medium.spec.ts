/**
 * `npm run models` with learned weights committed: the teacher package is
 * republished byte for byte as default-teacher, the student's re-ID head is
 * spliced onto the converted detector (RoiAlign over a backbone map) and its
 * manifest says alignedWith default-teacher; every package gets a
 * MODEL_CARD.md; inconsistent weights fail loudly. Stand-in weights: the tiny
 * embedder as teacher and a pooled linear head, run by real ONNX Runtime.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, iou, sha256Hex } from '@person-search/model';
import { decodeImage, loadStudent, loadTeacher } from '@person-search/model/node';
import { OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { packagedPhoto } from '../../../test/support/test-images';
import { tinyEmbedderBytes, tinyEmbedderManifest, TINY_EMBEDDER } from '../../../test/support/tiny-models';
import { buildDefaultModels } from './build-default-models';
import { readLearnedWeights } from './learned-weights';
import { DEFAULT_STUDENT_VERSION, LEARNED_STUDENT_VERSION } from './student';

// A 32-channel map of the converted MobileNetV3 (what a head reads; the name is the converter's).
const FEATURE_MAP = { name: 'tower_0/MobilenetV3/expanded_conv_5/add_67', stride: 8, channels: 32 };
const D = TINY_EMBEDDER.dimension;

function headBytes(): Uint8Array {
  const graph = new OnnxGraphBuilder('head');
  const features = graph.addInput('features', OnnxDataType.FLOAT, ['n', FEATURE_MAP.channels, 4, 2]);
  const weights = Float32Array.from({ length: FEATURE_MAP.channels * D }, (_, i) => Math.cos(i * 1.3));
  // Reshape [N, C, 1, 1] → [N, C] with shape (0, -1), as torch exports it: it fails on an empty batch, so this head
  // also checks that the student never hands it one (a frame with nobody in it).
  const pooled = graph.op('Reshape', [graph.op('GlobalAveragePool', [features]), graph.int64s('shape', [0, -1])]);
  graph.addOutput(graph.op('MatMul', [pooled, graph.addFloatTensor('w', [FEATURE_MAP.channels, D], weights)]), 'embeddings', OnnxDataType.FLOAT, ['n', D]);
  return graph.serialize({ opset: 17, producerName: 'test', producerVersion: '0' });
}

async function writeWeights(root: string, teacherSha256ForHead?: string): Promise<void> {
  const teacher = tinyEmbedderBytes();
  await mkdir(path.join(root, 'teacher'), { recursive: true });
  await writeFile(path.join(root, 'teacher/model.onnx'), teacher);
  await writeFile(path.join(root, 'teacher/manifest.json'), JSON.stringify({ ...(await tinyEmbedderManifest(teacher)), id: 'trained-teacher', version: '0.1.0' }));
  await writeFile(path.join(root, 'teacher/MODEL_CARD.md'), '# Teacher card\n\nData: CUHK03 (research use only).\n');
  await mkdir(path.join(root, 'student-head'), { recursive: true });
  await writeFile(path.join(root, 'student-head/head.onnx'), headBytes());
  const spec = {
    featureMap: FEATURE_MAP.name,
    stride: FEATURE_MAP.stride,
    channels: FEATURE_MAP.channels,
    roiAlign: { outputHeight: 4, outputWidth: 2 },
    dimension: D,
    teacherSha256: teacherSha256ForHead ?? (await sha256Hex(teacher)),
    version: '0.1.0',
  };
  await writeFile(path.join(root, 'student-head/head.json'), JSON.stringify(spec));
}

describe('learned default models', () => {
  let workDir: string;
  let weightsDir: string;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'learned-models-'));
    weightsDir = path.join(workDir, 'weights');
    await writeWeights(weightsDir);
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('republishes the teacher, splices the head, writes alignedWith and model cards; rebuilds byte-identically', async () => {
    const outDir = path.join(workDir, 'a');
    const results = await buildDefaultModels({ outDir, weights: readLearnedWeights(weightsDir) });
    expect(results.map((result) => result.id)).toEqual(['default-student', 'default-teacher', 'colour-student', 'colour-teacher']);

    const teacherManifest = JSON.parse(await readFile(path.join(outDir, 'default-teacher/manifest.json'), 'utf8'));
    expect(teacherManifest).toMatchObject({ id: 'default-teacher', role: 'teacher', embedding: { dimension: D } });
    expect(teacherManifest.version).toMatch(/^0\.1\.0\+[0-9a-f]{12}$/);
    expect(Buffer.from(await readFile(path.join(outDir, 'default-teacher/model.onnx'))).equals(Buffer.from(tinyEmbedderBytes()))).toBe(true);

    const studentManifest = JSON.parse(await readFile(path.join(outDir, 'default-student/manifest.json'), 'utf8'));
    expect(studentManifest).toMatchObject({ id: 'default-student', alignedWith: 'default-teacher', embedding: { dimension: D, normalized: true } });
    expect(studentManifest.version).toMatch(new RegExp(`^${LEARNED_STUDENT_VERSION.replaceAll(".", "\\.")}\\+[0-9a-f]{12}$`));
    // A learned head embeds crop queries at the largest person height the distiller trains on.
    expect(studentManifest.embedding.queryBoxes.cropQuery).toEqual({ personHeight: 256 });
    const colour = JSON.parse(await readFile(path.join(outDir, 'colour-student/manifest.json'), 'utf8'));
    expect(colour.alignedWith).toBeUndefined();

    const cards = await Promise.all(results.map((result) => readFile(path.join(result.dir, 'MODEL_CARD.md'), 'utf8')));
    expect(cards[0]).toMatch(/alignedWith \| default-teacher/);
    expect(cards[1]).toMatch(/Teacher card[\s\S]*research use only[\s\S]*Commercial use: retrain on your own data/);
    expect(cards[2]).toMatch(/nothing is learned from images of people/);

    const again = await buildDefaultModels({ outDir: path.join(workDir, 'b'), weights: readLearnedWeights(weightsDir) });
    expect(again.map((result) => result.sha256)).toEqual(results.map((result) => result.sha256));
  });

  const photo = packagedPhoto();
  if (photo.skipReason) console.warn(`skipping the photo check: ${photo.skipReason}`);
  it.skipIf(photo.file === undefined)('the learned student runs on a group photo: same boxes as the colour student, unit embeddings of the teacher dimension', async () => {
    const outDir = path.join(workDir, 'a');
    const [learned, colour, teacher] = await Promise.all([
      loadStudent(path.join(outDir, 'default-student')),
      loadStudent(path.join(outDir, 'colour-student')),
      loadTeacher(path.join(outDir, 'default-teacher')),
    ]);
    expect(learned.embeddingDimension).toBe(teacher.manifest.embedding?.dimension);
    const image = await decodeImage(await readFile(photo.file!));
    const [a, b] = await Promise.all([learned.detectPeople(image), colour.detectPeople(image)]);
    expect(a.length).toBeGreaterThanOrEqual(2);
    expect(a.length).toBe(b.length);
    for (const [i, person] of a.entries()) {
      expect(iou(person.box, b[i]!.box)).toBeGreaterThan(0.9999);
      expect(person.embedding).toHaveLength(D);
      expect(Math.abs(Math.hypot(...person.embedding!) - 1)).toBeLessThan(1e-5);
    }
    // The head is fed by the backbone: different people give different embeddings.
    expect(cosineSimilarity(a[0]!.embedding!, a[1]!.embedding!)).toBeLessThan(0.9999);
    // Query boxes go through the same head; a frame with nobody in it gives no detections (not an empty-batch error).
    const [again] = await learned.embedBoxes!(image, [a[0]!.box]);
    expect(cosineSimilarity(again!, a[0]!.embedding!)).toBeGreaterThan(0.999);
    const blank = { data: new Uint8Array(64 * 48 * 3), width: 64, height: 48, channels: 3 as const };
    expect(await learned.detectPeople(blank)).toEqual([]);
    await Promise.all([learned.release(), colour.release(), teacher.release()]);
  });

  it('a committed teacher without a student head: learned default-teacher, colour default-student (not aligned)', async () => {
    const outDir = path.join(workDir, 'teacher-only');
    await buildDefaultModels({ outDir, weights: { ...readLearnedWeights(weightsDir), studentHead: null } });
    const student = JSON.parse(await readFile(path.join(outDir, 'default-student/manifest.json'), 'utf8'));
    const teacher = JSON.parse(await readFile(path.join(outDir, 'default-teacher/manifest.json'), 'utf8'));
    expect(student.alignedWith).toBeUndefined();
    expect(student.version).toBe(DEFAULT_STUDENT_VERSION);
    expect(teacher.embedding.dimension).toBe(D);
  });

  it('refuses a head distilled from another teacher, and a head without a teacher', async () => {
    const other = path.join(workDir, 'other');
    await writeWeights(other, 'f'.repeat(64));
    await expect(buildDefaultModels({ outDir: path.join(workDir, 'c'), weights: readLearnedWeights(other) })).rejects.toThrow(/distilled from teacher sha256 f{64}, but the committed teacher is/);
    const weights = readLearnedWeights(weightsDir);
    await expect(buildDefaultModels({ outDir: path.join(workDir, 'd'), weights: { ...weights, teacher: null } })).rejects.toThrow(/student head is committed but no teacher/);
  });
});
