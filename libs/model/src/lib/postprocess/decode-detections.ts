/**
 * From a detector's raw outputs to person detections in original-image pixels:
 * the manifest's registered decoder (score threshold, NMS where the graph has
 * none, maxDetections), then the inverse resize geometry.
 */
import { ModelError } from '../errors/model-error.js';
import { boxToOriginal, type ResizeGeometry } from '../image/geometry.js';
import type { Float32Tensor } from '../image/input-tensor.js';
import type { Box } from '../image/rgb-image.js';
import type { ModelManifest } from '../manifest/manifest-schema.js';
import { embeddingRow } from './decoders/end-to-end.js';
import { DECODER_REGISTRY } from './decoders/registry.js';
import { l2Normalize } from './embedding.js';
import type { Candidate } from './nms.js';

/**
 * One person found in an image. `embedding` is null when the student is a
 * detector without an embedder (nothing to search with, but boxes still useful);
 * otherwise it is L2-normalised.
 */
export interface PersonDetection {
  box: Box;
  score: number;
  embedding: Float32Array | null;
}

export type ModelOutputs = Record<string, Float32Tensor>;

function outputTensor(outputs: ModelOutputs, manifest: ModelManifest, name: string): Float32Tensor {
  const tensor = outputs[name];
  if (!tensor) throw new ModelError('INFERENCE_FAILED', `model "${manifest.id}" produced no output "${name}"`);
  return tensor;
}

function decodeCandidates(outputs: ModelOutputs, manifest: ModelManifest): Candidate[] {
  const output = manifest.output;
  if (!output) throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" is not a detector (no output section)`);
  const tensor = (role: string) => outputTensor(outputs, manifest, output.tensors[role]!);
  return DECODER_REGISTRY[output.decoder].decode({ tensor, output, input: manifest.input });
}

/** Decodes one image's outputs (batch of one); boxes come back in original-image pixels. */
export function decodeDetections(outputs: ModelOutputs, manifest: ModelManifest, geometry: ResizeGeometry): PersonDetection[] {
  const kept = decodeCandidates(outputs, manifest);
  const embedding = manifest.embedding;
  const embeddings = embedding ? outputTensor(outputs, manifest, embedding.tensor) : undefined;
  return kept.map((candidate) => {
    let vector: Float32Array | null = null;
    if (embedding && embeddings) {
      const row = embeddingRow(embeddings, candidate.index, embedding.dimension);
      vector = embedding.normalized ? row : l2Normalize(row);
    }
    return { box: boxToOriginal(candidate.box, geometry), score: candidate.score, embedding: vector };
  });
}
