/**
 * Crop embedder (`family: "reid-embedder"`): crops the boxes out of the image
 * (clamped), resizes each per the manifest, runs them in batches and returns
 * one L2-normalised embedding per box, in box order (with `embedding.flipAverage`,
 * the renormalised sum of the crop's and its mirror image's embeddings).
 */
import { asModelError, ModelError } from '../errors/model-error.js';
import { mirrorCrops, prepareCrops, type Float32Tensor } from '../image/input-tensor.js';
import type { Box, RgbImage } from '../image/rgb-image.js';
import type { ModelManifest } from '../manifest/manifest-schema.js';
import { l2Normalize } from '../postprocess/embedding.js';
import type { InferenceRunner } from './inference-runner.js';

export interface CropEmbedder {
  readonly manifest: ModelManifest;
  readonly executionProvider: string;
  readonly batchSize: number;
  embedCrops(image: RgbImage, boxes: readonly Box[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

/** The largest batch the graph accepts: 1 when its batch dim is fixed to 1. */
function effectiveBatchSize(manifest: ModelManifest, runner: InferenceRunner, requested: number): number {
  const input = runner.signature.inputs.find((tensor) => tensor.name === manifest.input.name);
  const batchDim = input?.shape?.[0];
  if (typeof batchDim === 'number' && batchDim > 0) return Math.min(batchDim, requested);
  return Math.max(1, Math.floor(requested));
}

export function createCropEmbedder(manifest: ModelManifest, runner: InferenceRunner, requestedBatchSize = 16): CropEmbedder {
  const embedding = manifest.embedding;
  if (manifest.family !== 'reid-embedder' || !embedding) {
    throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" has family "${manifest.family}"; an embedder needs "reid-embedder"`);
  }
  const batchSize = effectiveBatchSize(manifest, runner, requestedBatchSize);
  const { dimension } = embedding;

  async function runCrops(tensor: Float32Tensor, count: number): Promise<Float32Array[]> {
    let outputs;
    try {
      outputs = await runner.run({ [manifest.input.name]: tensor }, [embedding!.tensor]);
    } catch (error) {
      throw asModelError(error, 'INFERENCE_FAILED', `model "${manifest.id}" failed on ${count} crops`);
    }
    const result = outputs[embedding!.tensor];
    if (!result || result.data.length !== count * dimension) {
      throw new ModelError(
        'INFERENCE_FAILED',
        `model "${manifest.id}" returned [${result?.dims.join(', ') ?? ''}] for ${count} crops; expected [${count}, ${dimension}]`,
      );
    }
    return Array.from({ length: count }, (_, row) => {
      const vector = result.data.slice(row * dimension, (row + 1) * dimension);
      return embedding!.normalized ? vector : l2Normalize(vector);
    });
  }

  async function embedBatch(image: RgbImage, boxes: readonly Box[]): Promise<Float32Array[]> {
    const tensor = prepareCrops(image, boxes, manifest.input);
    const plain = await runCrops(tensor, boxes.length);
    if (!embedding!.flipAverage) return plain;
    // Test-time flip: the mean of the unit vectors of the crop and its mirror image, renormalised.
    const mirrored = await runCrops(mirrorCrops(tensor, manifest.input), boxes.length);
    return plain.map((vector, row) => l2Normalize(vector.map((value, i) => value + mirrored[row]![i]!)));
  }

  return {
    manifest,
    executionProvider: runner.executionProvider,
    batchSize,
    async embedCrops(image, boxes) {
      const embeddings: Float32Array[] = [];
      // Sequential on purpose: one session runs one batch at a time anyway.
      for (let start = 0; start < boxes.length; start += batchSize) {
        embeddings.push(...(await embedBatch(image, boxes.slice(start, start + batchSize))));
      }
      return embeddings;
    },
    release: () => runner.release(),
  };
}
