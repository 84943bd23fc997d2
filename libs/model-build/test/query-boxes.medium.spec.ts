/**
 * Query boxes: the built student embeds a given box with the same re-ID
 * branch as its detections (one RoiAlign over both), so a detection's box fed
 * back as a query box gets (to float tolerance) the detection's embedding —
 * in onnxruntime-node and in onnxruntime-web (WASM), where detectPeople feeds
 * an empty [0, 4] query tensor on every frame.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, type RgbImage, type Student } from '@person-search/model';
import { decodeImage, loadStudent } from '@person-search/model/node';
import { loadWebStudent } from '@person-search/model/web';
import { buildStudent } from '../src/lib/default-models/student.js';
import { packagedPhoto } from './support/test-images.js';

const photo = packagedPhoto();
if (photo.skipReason) console.warn(`query-boxes: skipped: ${photo.skipReason}`);

describe.skipIf(photo.file === undefined)('student query boxes', () => {
  let dir: string;
  let image: RgbImage;
  let student: Student;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'query-boxes-'));
    const { onnx, manifest } = await buildStudent({ id: 'colour-student' });
    await writeFile(path.join(dir, 'model.onnx'), onnx);
    await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    image = await decodeImage(await readFile(photo.file!));
    student = await loadStudent(dir);
  });
  afterAll(async () => {
    await student.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('a detection box fed back as a query box gets the detection embedding; other boxes get other embeddings', async () => {
    const people = await student.detectPeople(image);
    expect(people.length).toBeGreaterThanOrEqual(2);
    const embedded = await student.embedBoxes!(image, people.map((person) => person.box));
    expect(embedded).toHaveLength(people.length);
    for (const [i, person] of people.entries()) {
      expect(cosineSimilarity(embedded[i]!, person.embedding!)).toBeGreaterThan(0.999);
      expect(Math.abs(Math.hypot(...embedded[i]!) - 1)).toBeLessThan(1e-5);
    }
    expect(cosineSimilarity(embedded[0]!, embedded[1]!)).toBeLessThan(0.9999);
    expect(await student.embedBoxes!(image, [])).toEqual([]);
  });

  it('onnxruntime-web (WASM) detects with an empty query tensor and embeds boxes like onnxruntime-node', async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8'));
    const web = await loadWebStudent({ manifest, modelBytes: new Uint8Array(await readFile(path.join(dir, 'model.onnx'))) }, { backend: 'wasm', numThreads: 1, cacheName: false });
    const [webPeople, nodePeople] = await Promise.all([web.detectPeople(image), student.detectPeople(image)]);
    expect(webPeople.length).toBe(nodePeople.length);
    const box = { x1: 10, y1: 20, x2: 74, y2: 148 };
    const [[fromWeb], [fromNode]] = await Promise.all([web.embedBoxes!(image, [box]), student.embedBoxes!(image, [box])]);
    expect(cosineSimilarity(fromWeb!, fromNode!)).toBeGreaterThan(0.9999);
    await web.release();
  });
});
