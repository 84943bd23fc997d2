/**
 * Parity: the converted CenterNet run by onnxruntime-node against the
 * original TF.js graph run by TF.js (wasm backend) on the same letterboxed
 * photos: raw head outputs within float tolerance and the same person boxes.
 */
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { centernetTensors, readCenternetModel, type TfjsModelFiles } from '../default-models/centernet-source';
import { convertTfjsGraphModel } from './index';
import { loadTfjsReference, type TfjsReference } from '../../../test/support/tfjs-reference';
import { letterboxFile, mot17Frames, packagedPhoto, syntheticImage } from '../../../test/support/test-images';

const SIZE = 512;
const outputs = [centernetTensors.heatmap, centernetTensors.boxDistances, centernetTensors.detections];

interface PersonBox {
  box: [number, number, number, number];
  score: number;
}

function personBoxes(detections: Float32Array, minScore: number): PersonBox[] {
  const boxes: PersonBox[] = [];
  for (let row = 0; row + 6 <= detections.length; row += 6) {
    const [x1, y1, x2, y2, score, cls] = detections.subarray(row, row + 6);
    if (cls === 0 && score! >= minScore) boxes.push({ box: [x1!, y1!, x2!, y2!], score: score! });
  }
  return boxes;
}

function iou(a: PersonBox['box'], b: PersonBox['box']): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('CenterNet TF.js → ONNX parity', () => {
  let files: TfjsModelFiles;
  let session: ort.InferenceSession;
  let reference: TfjsReference;

  beforeAll(async () => {
    const source = await readCenternetModel();
    files = source.files;
    session = await ort.InferenceSession.create(convertTfjsGraphModel(source.model, { outputs }));
    reference = await loadTfjsReference(files);
  });

  async function compare(hwc: Float32Array, label: string): Promise<{ persons: number }> {
    const shape = [1, SIZE, SIZE, 3];
    const expected = await reference.run(hwc, shape, outputs);
    const actual = await session.run({ [centernetTensors.input]: new ort.Tensor('float32', hwc, shape) });
    const heatmapDiff = maxAbsDiff(actual[centernetTensors.heatmap]!.data as Float32Array, expected.get(centernetTensors.heatmap)!.data);
    const distanceDiff = maxAbsDiff(actual[centernetTensors.boxDistances]!.data as Float32Array, expected.get(centernetTensors.boxDistances)!.data);
    // Heatmaps are sigmoid scores in 0..1; distances are input pixels (0..~500).
    expect(heatmapDiff, `${label}: heatmap`).toBeLessThan(2e-3);
    expect(distanceDiff, `${label}: box distances`).toBeLessThan(0.05);

    const expectedPersons = personBoxes(expected.get(centernetTensors.detections)!.data, 0.3);
    const actualPersons = personBoxes(actual[centernetTensors.detections]!.data as Float32Array, 0.3);
    console.log(`${label}: heatmap max |Δ| ${heatmapDiff.toExponential(2)}, distances max |Δ| ${distanceDiff.toExponential(2)} px, persons ${expectedPersons.length} (TF.js) / ${actualPersons.length} (ONNX)`);
    // Scores within tolerance can straddle the threshold: compare boxes clearly above it one way, and all the other.
    for (const person of expectedPersons.filter((candidate) => candidate.score >= 0.31)) {
      const best = Math.max(0, ...actualPersons.map((candidate) => iou(candidate.box, person.box)));
      expect(best, `${label}: TF.js person box [${person.box.map((v) => v.toFixed(1)).join(', ')}] has no ONNX match`).toBeGreaterThan(0.99);
    }
    for (const person of actualPersons.filter((candidate) => candidate.score >= 0.31)) {
      const best = Math.max(0, ...expectedPersons.map((candidate) => iou(candidate.box, person.box)));
      expect(best, `${label}: ONNX person box has no TF.js match`).toBeGreaterThan(0.99);
    }
    return { persons: expectedPersons.length };
  }

  it('matches on a synthetic image', async () => {
    await compare(syntheticImage(SIZE), 'synthetic');
  });

  it('matches on the group photo shipped with @vladmandic/human', async (context) => {
    const { file, skipReason } = packagedPhoto();
    if (file === undefined) {
      console.log(`skipped: ${skipReason}`);
      context.skip();
      return;
    }
    const { persons } = await compare(await letterboxFile(file, SIZE), path.basename(file));
    expect(persons).toBeGreaterThan(0);
  });

  it('matches on MOT17-mini street frames', async (context) => {
    const { files: frames, skipReason } = mot17Frames();
    if (frames.length === 0) {
      console.log(`skipped: ${skipReason}`);
      context.skip();
      return;
    }
    let persons = 0;
    for (const frame of frames) persons += (await compare(await letterboxFile(frame, SIZE), path.relative(path.dirname(path.dirname(path.dirname(frame))), frame))).persons;
    expect(persons).toBeGreaterThan(0);
  });
});
