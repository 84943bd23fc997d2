/**
 * The built default models: reproducible bytes, skip/rebuild behaviour, the
 * student's person boxes against the original CenterNet in TF.js (wasm),
 * and the student loaded through the runtime on a real photo.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, loadStudent } from '@person-search/model/node';
import { loadTfjsReference, type TfjsReference } from '../../../test/support/tfjs-reference';
import { letterboxFile, mot17Frames, packagedPhoto } from '../../../test/support/test-images';
import { buildDefaultModels } from './build-default-models';
import { centernetTensors, readCenternetModel } from './centernet-source';
import { STUDENT_DESIGN } from './student';

const SIZE = STUDENT_DESIGN.inputSize;
type Xyxy = [number, number, number, number];

function iou(a: Xyxy, b: Xyxy): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

function hwcToChw(hwc: Float32Array): Float32Array {
  const pixels = SIZE * SIZE;
  const chw = new Float32Array(3 * pixels);
  for (let i = 0; i < pixels; i++) for (let c = 0; c < 3; c++) chw[c * pixels + i] = hwc[i * 3 + c]!;
  return chw;
}

describe('default models', () => {
  let workDir: string;
  let first: Awaited<ReturnType<typeof buildDefaultModels>>;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(os.tmpdir(), 'default-models-'));
    first = await buildDefaultModels({ outDir: path.join(workDir, 'a') });
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('rebuild gives byte-identical files with the manifest sha256', async () => {
    const second = await buildDefaultModels({ outDir: path.join(workDir, 'b') });
    expect(second.map((model) => model.id)).toEqual(['default-student', 'default-teacher', 'colour-student', 'colour-teacher']);
    for (const [i, model] of first.entries()) {
      expect(second[i]!.sha256).toBe(model.sha256);
      for (const file of ['model.onnx', 'manifest.json', 'MODEL_CARD.md']) {
        const [a, b] = await Promise.all([readFile(path.join(model.dir, file)), readFile(path.join(second[i]!.dir, file))]);
        expect(a.equals(b), `${model.id}/${file}`).toBe(true);
      }
      const manifest = JSON.parse(await readFile(path.join(model.dir, 'manifest.json'), 'utf8')) as { sha256: string };
      expect(manifest.sha256).toBe(model.sha256);
    }
  });

  it('skips valid packages, rebuilds a corrupted one, and rebuilds all with force', async () => {
    const outDir = path.join(workDir, 'a');
    expect((await buildDefaultModels({ outDir })).map((model) => model.status)).toEqual(['up-to-date', 'up-to-date', 'up-to-date', 'up-to-date']);
    await writeFile(path.join(outDir, 'default-student', 'model.onnx'), 'truncated');
    expect((await buildDefaultModels({ outDir })).map((model) => model.status)).toEqual(['built', 'up-to-date', 'up-to-date', 'up-to-date']);
    const lines: string[] = [];
    expect((await buildDefaultModels({ outDir, force: true, log: (line) => lines.push(line) })).map((model) => model.status)).toEqual(['built', 'built', 'built', 'built']);
    expect(lines.join('\n')).toMatch(/default-student \S+: built/);
  });

  describe('student against TF.js', () => {
    let reference: TfjsReference;
    let session: ort.InferenceSession;

    beforeAll(async () => {
      reference = await loadTfjsReference((await readCenternetModel()).files);
      session = await ort.InferenceSession.create(await readFile(path.join(first[0]!.dir, 'model.onnx')));
    });

    async function compare(file: string): Promise<number> {
      const hwc = await letterboxFile(file, SIZE);
      const detections = (await reference.run(hwc, [1, SIZE, SIZE, 3], [centernetTensors.detections])).get(centernetTensors.detections)!.data;
      const tfPersons: Array<{ box: Xyxy; score: number }> = [];
      for (let row = 0; row < detections.length; row += 6) {
        if (detections[row + 5] === 0) tfPersons.push({ box: Array.from(detections.subarray(row, row + 4)) as Xyxy, score: detections[row + 4]! });
      }
      // No query boxes: the graph's second input is an empty [0, 4] while detecting.
      const out = await session.run({ image: new ort.Tensor('float32', hwcToChw(hwc), [1, 3, SIZE, SIZE]), query_boxes: new ort.Tensor('float32', new Float32Array(0), [0, 4]) });
      const boxes = out['boxes']!.data as Float32Array;
      const scores = out['scores']!.data as Float32Array;
      const embeddings = out['embeddings']!.data as Float32Array;
      const student = Array.from(scores, (score, i) => ({ box: Array.from(boxes.subarray(i * 4, i * 4 + 4)) as Xyxy, score }));
      // The built default student's dimension: 128 (colour branch) or the teacher's (a committed learned head).
      const dimension = (JSON.parse(await readFile(path.join(first[0]!.dir, 'manifest.json'), 'utf8')) as { embedding: { dimension: number } }).embedding.dimension;
      expect(embeddings.length).toBe(student.length * dimension);
      for (let i = 0; i < student.length; i++) {
        const norm = Math.hypot(...embeddings.subarray(i * dimension, (i + 1) * dimension));
        expect(norm).toBeCloseTo(1, 4);
      }
      const clipped = (box: Xyxy): Xyxy => box.map((value) => Math.min(SIZE, Math.max(0, value))) as Xyxy;
      for (const person of student.filter((candidate) => candidate.score >= STUDENT_DESIGN.scoreThreshold)) {
        const match = tfPersons.find((candidate) => iou(clipped(candidate.box), person.box) > 0.99);
        expect(match, `student box [${person.box.map((v) => v.toFixed(1))}] is not a TF.js person detection`).toBeDefined();
        expect(Math.abs(match!.score - person.score)).toBeLessThan(1e-3);
      }
      // Every clear TF.js person is kept, or was suppressed by a better-scoring overlapping student box (NMS).
      for (const person of tfPersons.filter((candidate) => candidate.score >= STUDENT_DESIGN.scoreThreshold + 0.01)) {
        const kept = student.some((candidate) => iou(candidate.box, clipped(person.box)) > 0.99);
        const suppressed = student.some((candidate) => candidate.score >= person.score && iou(candidate.box, clipped(person.box)) >= STUDENT_DESIGN.iouThreshold);
        expect(kept || suppressed, `TF.js person ${person.score.toFixed(3)} [${person.box.map((v) => v.toFixed(1))}] is missing`).toBe(true);
      }
      const persons = student.filter((candidate) => candidate.score >= STUDENT_DESIGN.scoreThreshold).length;
      console.log(`${path.basename(path.dirname(path.dirname(file)))}/${path.basename(file)}: ${persons} persons ≥ ${STUDENT_DESIGN.scoreThreshold} (${student.length} boxes ≥ floor)`);
      return persons;
    }

    it('finds the same people as TF.js on the packaged group photo', async (context) => {
      const { file, skipReason } = packagedPhoto();
      if (file === undefined) {
        console.log(`skipped: ${skipReason}`);
        context.skip();
        return;
      }
      expect(await compare(file)).toBeGreaterThan(0);
    });

    it('finds the same people as TF.js on MOT17-mini frames', async (context) => {
      const { files, skipReason } = mot17Frames();
      if (files.length === 0) {
        console.log(`skipped: ${skipReason}`);
        context.skip();
        return;
      }
      let persons = 0;
      for (const file of files) persons += await compare(file);
      expect(persons).toBeGreaterThan(0);
    });
  });

  it('runs through the runtime: detectPeople gives boxes in original pixels with unit embeddings of the manifest dimension', async (context) => {
    const { file, skipReason } = packagedPhoto();
    if (file === undefined) {
      console.log(`skipped: ${skipReason}`);
      context.skip();
      return;
    }
    const student = await loadStudent(first[0]!.dir);
    const image = await decodeImage(new Uint8Array(await readFile(file)));
    const people = await student.detectPeople(image);
    expect(people.length).toBeGreaterThan(0);
    for (const person of people) {
      expect(person.score).toBeGreaterThanOrEqual(STUDENT_DESIGN.scoreThreshold);
      expect(person.box.x2).toBeLessThanOrEqual(image.width + 1e-3);
      expect(person.box.y2).toBeLessThanOrEqual(image.height + 1e-3);
      expect(person.embedding?.length).toBe(student.embeddingDimension);
      expect(Math.hypot(...(person.embedding ?? []))).toBeCloseTo(1, 4);
    }
  });
});
