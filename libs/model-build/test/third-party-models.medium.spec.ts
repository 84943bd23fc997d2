/**
 * Bring-your-own conformance: the third-party YOLOX-nano detector and OSNet
 * embedder run through the same runtime as the default models, configured by
 * the manifests in test/fixtures alone.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, iou, sha256Hex, type Box, type Student } from '@person-search/model';
import { decodeImage, loadStudent, loadTeacher, type Teacher } from '@person-search/model/node';

import {
  isPositivePedestrian,
  modelPackage,
  motFrames,
  mot17Dir,
  readFixtureManifest,
  removeModelPackages,
  skipReason,
  THIRD_PARTY,
} from './support/third-party-models.js';

const { yolox, osnet } = THIRD_PARTY;
const missing = skipReason(yolox.onnx, osnet.onnx, mot17Dir);

/** Greedy one-to-one matching at IoU ≥ 0.5, best score first; returns matched ground-truth count. */
function matchedCount(detections: readonly { box: Box; score: number }[], truths: readonly Box[]): number {
  const free = new Set(truths.map((_, i) => i));
  for (const detection of [...detections].sort((a, b) => b.score - a.score)) {
    let best = -1;
    let bestIou = 0.5;
    for (const i of free) {
      const overlap = iou(detection.box, truths[i]!);
      if (overlap >= bestIou) [best, bestIou] = [i, overlap];
    }
    if (best >= 0) free.delete(best);
  }
  return truths.length - free.size;
}

describe.skipIf(missing)('third-party models through manifests', () => {
  afterAll(removeModelPackages);

  it('fixture manifests carry the real sha256 of the ONNX files', async () => {
    for (const model of [yolox, osnet]) {
      expect(readFixtureManifest(model.fixture)['sha256']).toBe(await sha256Hex(await readFile(model.onnx)));
    }
  });

  describe('YOLOX-nano detector', () => {
    let detector: Student;
    beforeAll(async () => {
      detector = await loadStudent(modelPackage(yolox.fixture, yolox.onnx), { intraOpThreads: 1 });
    });
    afterAll(() => detector?.release());

    // A 192x192 input shrinks 1920x1080 frames tenfold: most MOT pedestrians end up
    // under 24 px tall, below what YOLOX-nano resolves. So recall is asserted over
    // all visible pedestrians (low) and over those >= 24 px tall at model input.
    it('finds the visible pedestrians of MOT17-mini (recall at IoU 0.5)', async () => {
      const all = { truths: 0, found: 0 };
      const large = { truths: 0, found: 0 };
      let detections = 0;
      for (const frame of motFrames()) {
        const image = await decodeImage(await readFile(frame.imagePath));
        const people = await detector.detectPeople(image);
        expect(people.every((person) => person.embedding === null)).toBe(true);
        const positives = frame.rows.filter(isPositivePedestrian).map((row) => row.box);
        const inputScale = Math.min(192 / image.width, 192 / image.height);
        const largePositives = positives.filter((box) => (box.y2 - box.y1) * inputScale >= 24);
        all.truths += positives.length;
        all.found += matchedCount(people, positives);
        large.truths += largePositives.length;
        large.found += matchedCount(people, largePositives);
        detections += people.length;
      }
      const recall = all.found / all.truths;
      const largeRecall = large.found / large.truths;
      console.log(
        `YOLOX-nano on MOT17-mini: recall@0.5 ${recall.toFixed(3)} (${all.found}/${all.truths} pedestrians, visibility >= 0.3); ` +
          `${largeRecall.toFixed(3)} (${large.found}/${large.truths}) for those >= 24 px tall at input; ${detections} detections`,
      );
      expect(recall).toBeGreaterThan(0.12);
      expect(largeRecall).toBeGreaterThan(0.45);
    });
  });

  describe('OSNet-x0.25 embedder', () => {
    let teacher: Teacher;
    beforeAll(async () => {
      teacher = await loadTeacher(modelPackage(osnet.fixture, osnet.onnx), { intraOpThreads: 1, batchSize: 16 });
    });
    afterAll(() => teacher?.release());

    it('embeds ground-truth crops: the same identity in the next frame is nearer than other identities', async () => {
      // Two consecutive frames of each sequence; well-visible, not tiny people.
      const frames = motFrames();
      let correct = 0;
      let total = 0;
      for (const sequence of new Set(frames.map((frame) => frame.sequence))) {
        const [first, second] = frames.filter((frame) => frame.sequence === sequence);
        if (!first || !second) continue;
        const usable = (row: (typeof first.rows)[number]) => isPositivePedestrian(row) && row.visibility >= 0.6 && row.box.y2 - row.box.y1 >= 64;
        const firstRows = first.rows.filter(usable).slice(0, 12);
        const secondRows = second.rows.filter((row) => usable(row));
        const queries = await teacher.embedCrops(await decodeImage(await readFile(first.imagePath)), firstRows.map((row) => row.box));
        const gallery = await teacher.embedCrops(await decodeImage(await readFile(second.imagePath)), secondRows.map((row) => row.box));
        expect(queries.every((vector) => vector.length === 512 && Math.abs(Math.hypot(...vector) - 1) < 1e-4)).toBe(true);
        firstRows.forEach((row, q) => {
          const same = secondRows.findIndex((other) => other.identity === row.identity);
          if (same < 0 || secondRows.length < 2) return;
          const sameSimilarity = cosineSimilarity(queries[q]!, gallery[same]!);
          const others = gallery.filter((_, g) => g !== same).map((vector) => cosineSimilarity(queries[q]!, vector));
          total += 1;
          if (sameSimilarity > Math.max(...others)) correct += 1;
        });
      }
      const rate = correct / total;
      console.log(`OSNet on MOT17-mini consecutive frames: same identity ranked first for ${correct}/${total} = ${rate.toFixed(3)}`);
      expect(total).toBeGreaterThan(20);
      expect(rate).toBeGreaterThan(0.8);
    });

    it('gives the same embedding whatever the batch size', async () => {
      const frame = motFrames()[0]!;
      const image = await decodeImage(await readFile(frame.imagePath));
      const boxes = frame.rows.filter(isPositivePedestrian).slice(0, 3).map((row) => row.box);
      const single = await loadTeacher(modelPackage(osnet.fixture, osnet.onnx), { intraOpThreads: 1, batchSize: 1 });
      try {
        const one = await single.embedCrops(image, boxes);
        const batched = await teacher.embedCrops(image, boxes);
        one.forEach((vector, i) => expect(cosineSimilarity(vector, batched[i]!)).toBeGreaterThan(0.9999));
      } finally {
        await single.release();
      }
    });
  });

  describe('composite student (YOLOX + OSNet) via loadStudent', () => {
    it('detects and embeds in one call', async () => {
      const student = await loadStudent(modelPackage(yolox.fixture, yolox.onnx), {
        embedderDir: modelPackage(osnet.fixture, osnet.onnx),
        intraOpThreads: 1,
      });
      try {
        expect(student.embeddingDimension).toBe(512);
        expect(student.embedderManifest?.id).toBe('osnet-x0-25-msmt17');
        const frame = motFrames().find((candidate) => candidate.sequence.startsWith('MOT17-09'))!;
        const people = await student.detectPeople(await decodeImage(await readFile(frame.imagePath)));
        console.log(`composite student on ${frame.sequence}/${frame.frame}: ${people.length} people, provider ${student.executionProvider}`);
        expect(people.length).toBeGreaterThan(0);
        for (const person of people) {
          expect(person.embedding).toBeInstanceOf(Float32Array);
          expect(person.embedding!.length).toBe(512);
          expect(Math.abs(Math.hypot(...person.embedding!) - 1)).toBeLessThan(1e-4);
        }
      } finally {
        await student.release();
      }
    });
  });
});
