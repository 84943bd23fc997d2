/**
 * A student turns an image into person detections with embeddings. Either one
 * end-to-end model (boxes, scores and embeddings from one run), or a composite
 * of any detector manifest plus any embedder manifest (detect, then embed the
 * crops) for two-model edge setups, or a bare detector (embedding = null).
 */
import { asModelError, ModelError } from '../errors/model-error.js';
import { prepareImage } from '../image/input-tensor.js';
import type { RgbImage } from '../image/rgb-image.js';
import type { ModelManifest } from '../manifest/manifest-schema.js';
import { decodeDetections, type PersonDetection } from '../postprocess/decode-detections.js';
import type { CropEmbedder } from './embedder.js';
import type { InferenceRunner } from './inference-runner.js';

export interface Student {
  /** The detector's (or end-to-end model's) manifest. */
  readonly manifest: ModelManifest;
  /** The embedder's manifest in a composite student, else null. */
  readonly embedderManifest: ModelManifest | null;
  readonly executionProvider: string;
  /** Length of every returned embedding; null when this student has no embeddings. */
  readonly embeddingDimension: number | null;
  detectPeople(image: RgbImage): Promise<PersonDetection[]>;
  release(): Promise<void>;
}

export function createStudent(manifest: ModelManifest, detector: InferenceRunner, embedder?: CropEmbedder): Student {
  const output = manifest.output;
  if (!output) {
    throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" has family "${manifest.family}"; a student needs a detector family`);
  }
  if (embedder && manifest.embedding) {
    throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" already outputs embeddings; it cannot be paired with embedder "${embedder.manifest.id}"`);
  }
  const outputNames = [...new Set([...Object.values(output.tensors), ...(manifest.embedding ? [manifest.embedding.tensor] : [])])];

  return {
    manifest,
    embedderManifest: embedder?.manifest ?? null,
    executionProvider: detector.executionProvider,
    embeddingDimension: manifest.embedding?.dimension ?? embedder?.manifest.embedding?.dimension ?? null,
    async detectPeople(image) {
      const prepared = prepareImage(image, manifest.input);
      let outputs;
      try {
        outputs = await detector.run({ [manifest.input.name]: prepared.tensor }, outputNames);
      } catch (error) {
        throw asModelError(error, 'INFERENCE_FAILED', `model "${manifest.id}" failed`);
      }
      const detections = decodeDetections(outputs, manifest, prepared.geometry);
      if (!embedder || detections.length === 0) return detections;
      const embeddings = await embedder.embedCrops(image, detections.map((detection) => detection.box));
      return detections.map((detection, i) => ({ ...detection, embedding: embeddings[i]! }));
    },
    async release() {
      await Promise.all([detector.release(), embedder?.release()]);
    },
  };
}
