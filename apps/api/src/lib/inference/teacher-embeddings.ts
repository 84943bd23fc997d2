// Teacher vectors for stored detections: group the boxes by frame, decode each
// frame once (the next one while the teacher runs on the current), embed its
// crops in one batch. Used by the worker and by search
// (for candidates the worker has not reached yet).
import type { RgbImage } from '@person-search/model';
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
  /** Not attempted: the time budget ran out first. */
  skipped?: true;
}

export interface EmbedCropsOptions {
  /** performance.now() after which no frame is started and a frame still running is abandoned. */
  deadline?: number;
  /** Frames already decoded by the caller (by blob sha256), so no frame is decoded twice in a request. */
  decoded?: Map<string, RgbImage>;
}

class BudgetExceeded extends Error {}

/** `work`, or BudgetExceeded once `deadline` passes (the work itself runs on; its result is dropped). */
async function withinDeadline<T>(work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BudgetExceeded('teacher time budget exceeded')), Math.max(0, deadline - performance.now()));
  });
  work.catch(() => undefined); // an abandoned frame's late failure is not unhandled
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

export async function embedStoredCrops(
  deps: { blobs: BlobStore; models: ModelRegistry; metrics: Metrics; maxPixels: number },
  tenantId: string,
  crops: readonly CropRequest[],
  options: EmbedCropsOptions = {},
): Promise<CropOutcome[]> {
  const teacher = await deps.models.teacherSession();
  const byImage = new Map<string, CropRequest[]>();
  for (const crop of crops) byImage.set(crop.imageBlobSha256, [...(byImage.get(crop.imageBlobSha256) ?? []), crop]);
  const outcomes: CropOutcome[] = [];
  const { deadline } = options;
  const frames = [...byImage];
  const decode = (sha256: string): Promise<RgbImage> => {
    const known = options.decoded?.get(sha256);
    const decoding = known ? Promise.resolve(known) : deps.blobs.read(tenantId, sha256).then((bytes) => decodeImage(bytes, { maxPixels: deps.maxPixels }));
    decoding.catch(() => undefined); // a prefetched frame's failure is reported when its turn comes
    return decoding;
  };
  // Frames one after another through the teacher (CPU-bound: parallel frames only add memory), but
  // the next frame decodes (libuv threads) while the teacher runs on this one.
  let next = frames.length > 0 ? decode(frames[0]![0]) : null;
  for (const [index, [, group]] of frames.entries()) {
    if (!next || (deadline !== undefined && performance.now() >= deadline)) {
      // Out of time: this frame and every later one are skipped.
      for (const [, rest] of frames.slice(index)) rest.forEach((crop) => outcomes.push({ id: crop.id, skipped: true }));
      break;
    }
    const current = next;
    next = index + 1 < frames.length ? decode(frames[index + 1]![0]) : null;
    try {
      const embeddings = await withinDeadline(
        (async () => {
          const image = await current;
          const started = performance.now();
          const result = await teacher.embedCrops(image, group.map((crop) => crop.box));
          deps.metrics.inferenceSeconds.observe({ model: teacher.manifest.id, kind: 'teacher' }, (performance.now() - started) / 1000);
          return result;
        })(),
        deadline,
      );
      group.forEach((crop, i) => outcomes.push({ id: crop.id, embedding: embeddings[i]! }));
    } catch (error) {
      if (error instanceof BudgetExceeded) group.forEach((crop) => outcomes.push({ id: crop.id, skipped: true }));
      else group.forEach((crop) => outcomes.push({ id: crop.id, error: error as Error }));
    }
  }
  return outcomes;
}
