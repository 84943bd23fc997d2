/**
 * Test-time flip (`embedding.flipAverage`) on the committed tiny embedder run by
 * onnxruntime-node: the embedding of a crop equals the renormalised sum of the
 * plain model's embeddings of the crop and of its mirror image.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cosineSimilarity, l2Normalize, type RgbImage } from '../src/index.js';
import { loadTeacher } from '../src/node.js';
import { removeTinyPackages, writeTinyEmbedderPackage } from './support/tiny-models.js';

const width = 16;
const height = 32;
// Left half bright and flat, right half dark and textured: its mirror image is a different input.
const image: RgbImage = {
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => (Math.floor(i / 3) % width < width / 2 ? 200 + (i % 50) : (i * 7) % 60)),
  width,
  height,
  channels: 3,
};
const mirrored: RgbImage = {
  data: Uint8Array.from({ length: width * height * 3 }, (_, i) => {
    const pixel = Math.floor(i / 3);
    const [x, y] = [pixel % width, Math.floor(pixel / width)];
    return image.data[(y * width + (width - 1 - x)) * 3 + (i % 3)]!;
  }),
  width,
  height,
  channels: 3,
};
const whole = { x1: 0, y1: 0, x2: width, y2: height };

describe('embedding.flipAverage', () => {
  afterAll(removeTinyPackages);

  it('averages the crop and its mirror image, and is mirror-invariant', async () => {
    const plain = await loadTeacher(writeTinyEmbedderPackage());
    const flipping = await loadTeacher(writeTinyEmbedderPackage((manifest) => ((manifest['embedding'] as Record<string, unknown>)['flipAverage'] = true)), { batchSize: 1 });
    const [[a], [b], [flipped], [flippedOfMirror]] = await Promise.all([
      plain.embedCrops(image, [whole]),
      plain.embedCrops(mirrored, [whole]),
      flipping.embedCrops(image, [whole, whole]),
      flipping.embedCrops(mirrored, [whole]),
    ]);
    // The graph pools globally, but its 3x3 kernel is not symmetric: the mirror image embeds differently.
    expect(Math.max(...a!.map((value, i) => Math.abs(value - b![i]!)))).toBeGreaterThan(1e-4);
    expect(cosineSimilarity(flipped!, a!)).toBeGreaterThan(0.99);
    const expected = l2Normalize(a!.map((value, i) => value + b![i]!));
    expected.forEach((value, i) => expect(flipped![i]).toBeCloseTo(value, 5));
    flippedOfMirror!.forEach((value, i) => expect(value).toBeCloseTo(flipped![i]!, 5));
    await Promise.all([plain.release(), flipping.release()]);
  });
});
