/**
 * The web loader (onnxruntime-web, WASM backend) run under Node: the same
 * manifests and pure pipeline must give the same boxes and embeddings as
 * onnxruntime-node. (Chromium/WebGPU parity is the edge client's test.)
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, iou } from '@person-search/model';
import { decodeImage, loadStudent } from '@person-search/model/node';
import { loadWebStudent } from '@person-search/model/web';
import { modelPackage, motFrames, mot17Dir, readFixtureManifest, removeModelPackages, skipReason, THIRD_PARTY } from './support/third-party-models.js';

const { yolox, osnet } = THIRD_PARTY;
const missing = skipReason(yolox.onnx, osnet.onnx, mot17Dir);

describe.skipIf(missing)('onnxruntime-web (WASM) vs onnxruntime-node', () => {
  afterAll(removeModelPackages);

  it('gives the same detections and embeddings for a composite YOLOX + OSNet student', async () => {
    const frame = motFrames().find((candidate) => candidate.sequence.startsWith('MOT17-09'))!;
    const image = await decodeImage(await readFile(frame.imagePath));
    const nodeStudent = await loadStudent(modelPackage(yolox.fixture, yolox.onnx), { embedderDir: modelPackage(osnet.fixture, osnet.onnx), intraOpThreads: 1 });
    const webStudent = await loadWebStudent(
      { manifest: readFixtureManifest(yolox.fixture), modelBytes: await readFile(yolox.onnx) },
      { backend: 'auto', numThreads: 1, embedder: { manifest: readFixtureManifest(osnet.fixture), modelBytes: await readFile(osnet.onnx) } },
    );
    try {
      expect(webStudent.executionProvider).toBe('wasm'); // Node has no navigator.gpu
      const nodePeople = await nodeStudent.detectPeople(image);
      const webPeople = await webStudent.detectPeople(image);
      expect(webPeople).toHaveLength(nodePeople.length);
      const worstIou = Math.min(...nodePeople.map((person, i) => iou(person.box, webPeople[i]!.box)));
      const worstCosine = Math.min(...nodePeople.map((person, i) => cosineSimilarity(person.embedding!, webPeople[i]!.embedding!)));
      console.log(`web(wasm) vs node(cpu) on ${frame.sequence}/${frame.frame}: ${nodePeople.length} people, min IoU ${worstIou.toFixed(5)}, min cosine ${worstCosine.toFixed(6)}`);
      expect(worstIou).toBeGreaterThan(0.99);
      expect(worstCosine).toBeGreaterThan(0.999);
    } finally {
      await Promise.all([nodeStudent.release(), webStudent.release()]);
    }
  });
});
