// Validation of an ingestFrame input against the server's rules: every
// problem is reported as BAD_USER_INPUT naming the offending field, before
// anything is written.
import type { KeyPrincipal } from '../auth/principal.js';
import { requireGallery } from '../auth/principal.js';
import type { BlobInfo } from '../blobs/blob-store.js';
import { sha256Pattern } from '../blobs/blob-store.js';
import { badInput, notFound } from '../errors.js';
import type { ActiveModel } from '../inference/model-registry.js';
import type { NewDetection } from '../repositories/detections-repository.js';
import { isUuid } from '../repositories/ids.js';

export interface IngestFrameInput {
  idempotencyKey: string;
  galleryId: string;
  blobId: string;
  capturedAt: Date;
  modelId: string;
  deviceId?: string | null;
  detections: readonly { box: { x1: number; y1: number; x2: number; y2: number }; score: number; embedding: Float32Array }[];
}

/** Boxes may overhang the frame by this many pixels (detectors round and pad). */
const BOX_TOLERANCE_PX = 1;
/** Frames may be stamped at most this far in the future (device clock skew). */
const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;

/** `field`: the frame's path in the request, for error messages (`input`, or `input.frames[2]` in a batch). */
export function checkIngestShape(actor: KeyPrincipal, input: IngestFrameInput, student: ActiveModel, maxDetections: number, field = 'input'): void {
  const key = input.idempotencyKey;
  if (key.length < 1 || key.length > 200 || !/^[\x21-\x7e]+$/.test(key)) {
    throw badInput(`${field}.idempotencyKey`, 'must be 1..200 printable ASCII characters without spaces');
  }
  if (!isUuid(input.galleryId)) throw notFound('gallery');
  requireGallery(actor, input.galleryId);
  if (!sha256Pattern.test(input.blobId)) throw badInput(`${field}.blobId`, 'is not a blob id returned by PUT /v1/blobs');
  if (input.deviceId != null && !isUuid(input.deviceId)) throw badInput(`${field}.deviceId`, 'is not a device id');
  if (input.capturedAt.getTime() > Date.now() + MAX_CLOCK_SKEW_MS || input.capturedAt.getFullYear() < 2000) {
    throw badInput(`${field}.capturedAt`, 'is out of range (after year 2000, at most one day in the future)');
  }
  if (input.modelId !== student.manifest.id) {
    throw badInput(`${field}.modelId`, `must be the active student model "${student.manifest.id}"`);
  }
  if (input.detections.length > maxDetections) {
    throw badInput(`${field}.detections`, `holds ${input.detections.length} detections; the limit is ${maxDetections}`);
  }
}

export function checkDetections(input: IngestFrameInput, blob: BlobInfo, student: ActiveModel, frameField = 'input'): NewDetection[] {
  return input.detections.map((detection, index) => {
    const field = `${frameField}.detections[${index}]`;
    const { x1, y1, x2, y2 } = detection.box;
    if (![x1, y1, x2, y2].every(Number.isFinite)) throw badInput(`${field}.box`, 'has a non-finite coordinate');
    if (!(x2 > x1 && y2 > y1)) throw badInput(`${field}.box`, 'must have x2 > x1 and y2 > y1');
    if (x1 < -BOX_TOLERANCE_PX || y1 < -BOX_TOLERANCE_PX || x2 > blob.width + BOX_TOLERANCE_PX || y2 > blob.height + BOX_TOLERANCE_PX) {
      throw badInput(`${field}.box`, `lies outside the ${blob.width}x${blob.height} image`);
    }
    if (!Number.isFinite(detection.score) || detection.score < 0 || detection.score > 1) throw badInput(`${field}.score`, 'must be between 0 and 1');
    if (detection.embedding.length !== student.dimension) {
      throw badInput(`${field}.embedding`, `has ${detection.embedding.length} values; model "${student.manifest.id}" produces ${student.dimension}`);
    }
    const box = {
      x1: Math.max(0, x1),
      y1: Math.max(0, y1),
      x2: Math.min(blob.width, x2),
      y2: Math.min(blob.height, y2),
    };
    return { id: crypto.randomUUID(), box, score: detection.score, embedding: detection.embedding };
  });
}
