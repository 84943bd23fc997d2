// Teacher vectors for stored detections: group the boxes by frame, decode each
// frame once, embed its crops in one batch. Used by the worker and by search
// (for candidates the worker has not reached yet).
import { decodeImage } from '@person-search/model/node';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Metrics } from '../http/metrics.js';
import type { ModelRegistry } from './model-registry.js';

export interface CropRequest {
  id: string;
  imageBlobSha256: string;
  box: { x1: number; y1: number; x2: number; y2: number };
}

export interface CropOutcome {
  id: string;
  embedding?: Float32Array;
  error?: Error;
}

export async function embedStoredCrops(
  deps: { blobs: BlobStore; models: ModelRegistry; metrics: Metrics; maxPixels: number },
  tenantId: string,
  crops: readonly CropRequest[],
): Promise<CropOutcome[]> {
  const teacher = await deps.models.teacherSession();
  const byImage = new Map<string, CropRequest[]>();
  for (const crop of crops) byImage.set(crop.imageBlobSha256, [...(byImage.get(crop.imageBlobSha256) ?? []), crop]);
  const outcomes: CropOutcome[] = [];
  // Frames one after another: inference is CPU-bound, parallel frames only add memory.
  for (const [sha256, group] of byImage) {
    try {
      const image = await decodeImage(await deps.blobs.read(tenantId, sha256), { maxPixels: deps.maxPixels });
      const started = performance.now();
      const embeddings = await teacher.embedCrops(image, group.map((crop) => crop.box));
      deps.metrics.inferenceSeconds.observe({ model: teacher.manifest.id, kind: 'teacher' }, (performance.now() - started) / 1000);
      group.forEach((crop, index) => outcomes.push({ id: crop.id, embedding: embeddings[index]! }));
    } catch (error) {
      group.forEach((crop) => outcomes.push({ id: crop.id, error: error as Error }));
    }
  }
  return outcomes;
}
