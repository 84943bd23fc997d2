// The smallest valid ingestFrame input: one person box with a unit student
// embedding of the manifest-only fixture model (see fixtures.ts). Specs
// override what they test.
import type { IngestFrameInput } from '@person-search/schema';
import { b64, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, unitEmbedding } from './fixtures.js';

export function oneDetectionFrame(frame: { idempotencyKey: string; galleryId: string; blobId: string; seed?: number }): IngestFrameInput {
  return {
    idempotencyKey: frame.idempotencyKey,
    galleryId: frame.galleryId,
    blobId: frame.blobId,
    capturedAt: '2026-02-01T08:00:00.000Z',
    modelId: FIXTURE_STUDENT_ID,
    detections: [{ box: { x1: 1, y1: 1, x2: 30, y2: 60 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, frame.seed ?? 1)) }],
  };
}
