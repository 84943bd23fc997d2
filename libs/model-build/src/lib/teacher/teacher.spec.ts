import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { sha256Hex } from '@person-search/model';
import { buildDefaultTeacher } from './build-default-teacher.js';
import { TEACHER_DESIGN, teacherDimension } from './teacher-design.js';
import { rgbToHsv } from '../evaluation/hsv-histogram.js';

const { height, width, hueBins, saturationBins, valueBins, stripes, centreSigma } = TEACHER_DESIGN;

/** A crop [1, 3, H, W] in 0..1 from a per-pixel RGB (0..255) function. */
function crop(pixel: (x: number, y: number) => [number, number, number]): Float32Array {
  const data = new Float32Array(3 * height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      pixel(x, y).forEach((value, channel) => (data[channel * height * width + y * width + x] = value / 255));
    }
  }
  return data;
}

async function embed(crops: Float32Array[]): Promise<Float32Array[]> {
  const { onnx, manifest } = await buildDefaultTeacher();
  const session = await ort.InferenceSession.create(onnx);
  const batch = new Float32Array(crops.length * 3 * height * width);
  crops.forEach((one, index) => batch.set(one, index * one.length));
  const output = await session.run({ [manifest.input.name]: new ort.Tensor('float32', batch, [crops.length, 3, height, width]) });
  const data = output[manifest.embedding!.tensor]!.data as Float32Array;
  const dimension = teacherDimension();
  return crops.map((_, index) => data.slice(index * dimension, (index + 1) * dimension));
}

/** Independent per-pixel implementation of the design, to check the graph against. */
function referenceEmbedding(chw: Float32Array): Float32Array {
  const membership = (value: number, count: number, circular: boolean): number[] =>
    Array.from({ length: count }, (_, k) => {
      const clipped = circular ? value : Math.min(1 - 0.5 / count, Math.max(0.5 / count, value));
      let distance = Math.abs(clipped - (k + 0.5) / count);
      if (circular) distance = Math.min(distance, 1 - distance);
      return Math.max(0, 1 - distance * count);
    });
  const bins = hueBins * saturationBins * valueBins;
  const histogram = new Float64Array(stripes * bins);
  const stripeWeight = new Float64Array(stripes);
  for (let y = 0; y < height; y++) {
    const stripe = Math.floor((y * stripes) / height);
    for (let x = 0; x < width; x++) {
      const at = (channel: number) => Math.round(chw[channel * height * width + y * width + x]! * 255);
      const [hue, saturation, value] = rgbToHsv(at(0), at(1), at(2));
      const weight = Math.exp(-0.5 * ((x + 0.5 - width / 2) / (centreSigma * width)) ** 2);
      stripeWeight[stripe]! += weight;
      const hueWeights = membership(hue, hueBins, true);
      const saturationWeights = membership(saturation, saturationBins, false);
      const valueWeights = membership(value, valueBins, false);
      hueWeights.forEach((hw, h) =>
        saturationWeights.forEach((sw, s) =>
          valueWeights.forEach((vw, v) => (histogram[stripe * bins + (h * saturationBins + s) * valueBins + v]! += hw * sw * vw * weight)),
        ),
      );
    }
  }
  const hellinger = Array.from(histogram, (count, index) => Math.sqrt(count / stripeWeight[Math.floor(index / bins)]!));
  const norm = Math.hypot(...hellinger);
  return Float32Array.from(hellinger, (value) => value / norm);
}

const bin = (stripe: number, hue: number, saturation: number, value: number) =>
  stripe * hueBins * saturationBins * valueBins + (hue * saturationBins + saturation) * valueBins + value;

describe('default teacher', () => {
  it('builds byte-identical ONNX with a manifest that matches it', async () => {
    const first = await buildDefaultTeacher();
    const second = await buildDefaultTeacher();
    expect(Buffer.from(first.onnx).equals(Buffer.from(second.onnx))).toBe(true);
    expect(first.manifest.sha256).toBe(await sha256Hex(first.onnx));
    expect(first.manifest).toMatchObject({
      id: 'default-teacher',
      role: 'teacher',
      family: 'reid-embedder',
      input: { name: 'crops', layout: 'NCHW', height: 128, width: 64, resize: { mode: 'stretch' }, colorOrder: 'RGB' },
      embedding: { tensor: 'embeddings', dimension: 1536, normalized: true },
    });
  });

  it('splits pure red between the two hue bins around 0 (hand-computed golden)', async () => {
    // Hue 0 sits half a bin from the centres of hue bins 0 and 7; saturation 1 and value 1
    // clip to the last bins. Each stripe: sqrt(0.5) in two bins; 6 stripes → / sqrt(6).
    const [embedding] = await embed([crop(() => [255, 0, 0])]);
    const expected = Math.sqrt(0.5) / Math.sqrt(stripes);
    for (let stripe = 0; stripe < stripes; stripe++) {
      expect(embedding![bin(stripe, 0, saturationBins - 1, valueBins - 1)]).toBeCloseTo(expected, 6);
      expect(embedding![bin(stripe, hueBins - 1, saturationBins - 1, valueBins - 1)]).toBeCloseTo(expected, 6);
    }
    expect(embedding!.filter((value) => value > 1e-6)).toHaveLength(2 * stripes);
  });

  it('soft-bins a mid grey between two value bins (hand-computed golden)', async () => {
    // value 128/255 = 0.501961: 0.126961 from bin 1's centre (0.375) → weights 0.492157 / 0.507843.
    const [embedding] = await embed([crop(() => [128, 128, 128])]);
    const norm = Math.sqrt(stripes * (0.492157 + 0.507843)) * Math.SQRT2; // hue split in two, sqrt per bin
    expect(embedding![bin(0, 0, 0, 1)]).toBeCloseTo(Math.sqrt(0.5 * 0.492157) * Math.SQRT2 / norm, 5);
    expect(embedding![bin(5, hueBins - 1, 0, 2)]).toBeCloseTo(Math.sqrt(0.5 * 0.507843) * Math.SQRT2 / norm, 5);
  });

  it('matches an independent per-pixel implementation on a patterned crop', async () => {
    const patterned = crop((x, y) => [(x * 37 + y * 11) % 256, (x * 5 + y * 3) % 256, (255 - y * 2) % 256]);
    const [embedding] = await embed([patterned]);
    const reference = referenceEmbedding(patterned);
    let maxDifference = 0;
    reference.forEach((value, index) => (maxDifference = Math.max(maxDifference, Math.abs(value - embedding![index]!))));
    expect(maxDifference).toBeLessThan(1e-5);
    // Golden numbers for this crop (its four largest entries): catch any change of the design or the graph.
    const golden: [number, number][] = [[1343, 0.13622], [1375, 0.133543], [1311, 0.120672], [1079, 0.116246]];
    for (const [index, value] of golden) expect(embedding![index]).toBeCloseTo(value, 5);
    expect(embedding!.filter((value) => value > 0)).toHaveLength(892);
  });

  it('weights the centre of the crop over its sides (background suppression)', async () => {
    const blue: [number, number, number] = [20, 40, 200];
    const green: [number, number, number] = [30, 180, 40];
    // Blue person in the centre half, green background on the sides (half the pixels each).
    const [centred, allBlue, allGreen] = await embed([
      crop((x) => (x >= width / 4 && x < (3 * width) / 4 ? blue : green)),
      crop(() => blue),
      crop(() => green),
    ]);
    const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, index) => sum + value * b[index]!, 0);
    expect(cosine(centred!, allBlue!)).toBeGreaterThan(cosine(centred!, allGreen!) + 0.3);
  });

  it('embeds a batch row by row, each with unit length', async () => {
    const crops = [crop(() => [10, 200, 30]), crop((x, y) => [x * 4, y * 2, 100])];
    const batched = await embed(crops);
    const single = await embed([crops[1]!]);
    expect(Math.max(...batched[1]!.map((value, index) => Math.abs(value - single[0]![index]!)))).toBeLessThan(1e-6);
    for (const embedding of batched) expect(Math.hypot(...embedding)).toBeCloseTo(1, 5);
  });
});
