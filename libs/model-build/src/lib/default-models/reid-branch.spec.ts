import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { OnnxDataType, OnnxGraphBuilder } from '../onnx';
import { orthonormalProjection } from './random-projection';
import { addReidBranch } from './reid-branch';

const HEIGHT = 64;
const WIDTH = 32;
const STRIPES = 6;
const DIMENSION = 128;
const SEED = 5;
/** One colour per stripe of an 8-pixel-high stripe band (rows 0..47), grey below. */
const stripeColours = [[200, 30, 30], [30, 200, 30], [30, 30, 200], [90, 90, 20], [250, 250, 250], [10, 60, 120]];

function stripedImage(gain = 1): Float32Array {
  const chw = new Float32Array(3 * HEIGHT * WIDTH).fill(128 * gain);
  for (let y = 0; y < 48; y++) {
    for (let x = 0; x < WIDTH; x++) {
      for (let c = 0; c < 3; c++) chw[c * HEIGHT * WIDTH + y * WIDTH + x] = stripeColours[Math.floor(y / 8)]![c]! * gain;
    }
  }
  return chw;
}

describe('student re-ID branch', () => {
  let session: ort.InferenceSession;

  beforeAll(async () => {
    const graph = new OnnxGraphBuilder('reid-test');
    const image = graph.addInput('image', OnnxDataType.FLOAT, [1, 3, HEIGHT, WIDTH]);
    const rois = graph.addInput('rois', OnnxDataType.FLOAT, ['n', 4]);
    const batchIndices = graph.addInput('batch_indices', OnnxDataType.INT64, ['n']);
    const embeddings = addReidBranch(graph, { image, rois, batchIndices, stripes: STRIPES, samplesPerStripe: { rows: 4, cols: 8 }, centreSigma: 0.2, dimension: DIMENSION, projectionSeed: SEED });
    graph.addOutput(embeddings, 'embeddings', OnnxDataType.FLOAT, ['n', DIMENSION]);
    session = await ort.InferenceSession.create(graph.serialize({ opset: 17, producerName: 'test', producerVersion: '0' }));
  });

  async function embed(image: Float32Array, boxes: number[][]): Promise<Float32Array[]> {
    const { embeddings } = await session.run({
      image: new ort.Tensor('float32', image, [1, 3, HEIGHT, WIDTH]),
      rois: new ort.Tensor('float32', Float32Array.from(boxes.flat()), [boxes.length, 4]),
      batch_indices: new ort.Tensor('int64', new BigInt64Array(boxes.length), [boxes.length]),
    });
    const data = embeddings!.data as Float32Array;
    return boxes.map((_, i) => data.slice(i * DIMENSION, (i + 1) * DIMENSION));
  }

  const dot = (a: Float32Array, b: Float32Array): number => a.reduce((sum, value, i) => sum + value * b[i]!, 0);

  it('is the projected, per-stripe normalised mean colour of the box', async () => {
    const [embedding] = await embed(stripedImage(), [[0, 0, WIDTH, 48]]);
    expect(dot(embedding!, embedding!)).toBeCloseTo(1, 5);
    // Rows of the projection are orthonormal, so P · e recovers the descriptor: [channel, stripe] order, each stripe unit length, all / √stripes.
    const projection = orthonormalProjection(3 * STRIPES, DIMENSION, SEED);
    for (let channel = 0; channel < 3; channel++) {
      for (let stripe = 0; stripe < STRIPES; stripe++) {
        const row = projection.subarray((channel * STRIPES + stripe) * DIMENSION, (channel * STRIPES + stripe + 1) * DIMENSION);
        const colour = stripeColours[stripe]!;
        const expected = colour[channel]! / Math.hypot(...colour) / Math.sqrt(STRIPES);
        expect(dot(row, embedding!)).toBeCloseTo(expected, 4);
      }
    }
  });

  it('ignores a global brightness change (camera exposure) but not a colour change', async () => {
    const [reference] = await embed(stripedImage(), [[0, 0, WIDTH, 48]]);
    const [darker] = await embed(stripedImage(0.5), [[0, 0, WIDTH, 48]]);
    expect(dot(reference!, darker!)).toBeGreaterThan(0.9999);
    const recoloured = stripedImage();
    for (let i = 0; i < HEIGHT * WIDTH; i++) [recoloured[i], recoloured[2 * HEIGHT * WIDTH + i]] = [recoloured[2 * HEIGHT * WIDTH + i]!, recoloured[i]!];
    const [swapped] = await embed(recoloured, [[0, 0, WIDTH, 48]]);
    expect(dot(reference!, swapped!)).toBeLessThan(0.95);
  });

  it('embeds each box on its own and handles zero boxes', async () => {
    const [top, bottom] = await embed(stripedImage(), [[0, 0, WIDTH, 48], [0, 48, WIDTH, 64]]);
    expect(dot(top!, bottom!)).toBeLessThan(0.99);
    expect(await embed(stripedImage(), [])).toEqual([]);
  });
});
