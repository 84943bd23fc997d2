// Frames: ingest (idempotent, one transaction of one statement), reads and deletion.
import type { Detection, Image, SqlClient } from '@person-search/db';
import type { DetectionParent, GalleryParent, ImageParent } from '@person-search/schema';
import { canUseGallery, requireGallery, requireKey, type KeyPrincipal, type Principal } from '../auth/principal.js';
import { badInput, notFound } from '../errors.js';
import { insertAuditEntry } from '../repositories/audit-repository.js';
import { detectionsOfImages, findDetection, type NewDetection } from '../repositories/detections-repository.js';
import { deleteImage, findImage, findImageByIdempotencyKey, insertFrame, listGalleryImages, referencedBlobHashes } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { checkCaptureWindow } from './capture-window.js';
import { decodeCursor, pageSize, toConnectionBy } from './cursor.js';
import { toDetectionParent, toImageParent } from './frame-mapping.js';
import { checkDetections, checkIngestShape, type IngestFrameInput } from './ingest-validation.js';
import type { ServiceDeps } from './service-deps.js';

export interface IngestResult {
  image: ImageParent;
  detections: DetectionParent[];
  /** The frame's gallery when this call stored it (for the request's loaders); null for a retry. */
  gallery: GalleryParent | null;
  duplicate: boolean;
}

/** A stored `real` as Postgres prints it (the shortest decimal that round-trips float4), so a response matches later reads. */
function asStoredReal(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits < 9; digits++) {
    const shortest = Number(single.toPrecision(digits));
    if (Math.fround(shortest) === single) return shortest;
  }
  return Number(single.toPrecision(9));
}

/** The detections just inserted, as a read would return them (score descending, then id). */
function newDetectionParents(image: { id: string; galleryId: string; capturedAt: Date }, studentModelId: string, detections: readonly NewDetection[]): DetectionParent[] {
  return detections
    .map((d) => ({
      id: d.id,
      imageId: image.id,
      galleryId: image.galleryId,
      box: { x1: asStoredReal(d.box.x1), y1: asStoredReal(d.box.y1), x2: asStoredReal(d.box.x2), y2: asStoredReal(d.box.y2) },
      score: asStoredReal(d.score),
      capturedAt: image.capturedAt,
      studentModelId,
      teacherStatus: 'PENDING' as const,
    }))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Most frames one ingestFrames request may hold. */
export const MAX_FRAMES_PER_BATCH = 32;

/** A frame checked against the rules and its blob, ready for insertFrame. */
interface PreparedFrame {
  /** Its path in the request, for error messages. */
  field: string;
  studentModelId: string;
  image: Parameters<typeof insertFrame>[2];
  detections: NewDetection[];
}

export interface ImagePage {
  first?: number | null;
  after?: string | null;
  capturedAfter?: Date | null;
  capturedBefore?: Date | null;
}

export function createFrameService({ db, blobs, models, config, log, onTeacherWork }: ServiceDeps) {
  async function existingResult(tx: SqlClient, tenantId: string, image: Image, actor: KeyPrincipal, galleryId: string, field: string): Promise<IngestResult> {
    // Idempotency keys are tenant-wide: a key first used for another gallery is
    // refused without naming that gallery (nor answering with its frame).
    if (image.galleryId !== galleryId || !canUseGallery(actor, image.galleryId)) {
      throw badInput(`${field}.idempotencyKey`, 'was already used for a frame of another gallery; use a new key');
    }
    const detections = await detectionsOfImages(tx, tenantId, [image.id]);
    return { image: toImageParent(image), detections: detections.map(toDetectionParent), gallery: null, duplicate: true };
  }

  /** Checks a frame against the rules and its blob (nothing written); `field` names it in errors. */
  async function prepareFrame(device: KeyPrincipal, input: IngestFrameInput, field: string): Promise<PreparedFrame> {
    const student = models.requireStudent();
    checkIngestShape(device, input, student, config.limits.detectionsPerFrame, field);
    const blob = await blobs.info(device.tenantId, input.blobId);
    if (!blob) throw notFound('blob (upload it with PUT /v1/blobs first)', `${field}.blobId`);
    const detections = checkDetections(input, blob, student, field);
    // An enrolled device's frames are its own: the device comes from its token, never from the input.
    if (device.deviceId && input.deviceId && input.deviceId !== device.deviceId) throw badInput(`${field}.deviceId`, 'a device token ingests as its own device; omit deviceId');
    const image = {
      id: crypto.randomUUID(),
      galleryId: input.galleryId,
      deviceId: device.deviceId ?? input.deviceId ?? null,
      idempotencyKey: input.idempotencyKey,
      blobSha256: blob.sha256,
      contentType: blob.contentType,
      width: blob.width,
      height: blob.height,
      bytes: blob.bytes,
      capturedAt: input.capturedAt,
    };
    return { field, studentModelId: student.manifest.id, image, detections };
  }

  /** Stores a prepared frame with one statement, or answers its earlier copy (a retry). */
  async function storeFrame(tx: SqlClient, device: KeyPrincipal, { field, studentModelId, image, detections }: PreparedFrame): Promise<IngestResult> {
    const tenantId = device.tenantId;
    const outcome = await insertFrame(tx, tenantId, image, studentModelId, detections);
    if (!outcome.galleryFound) throw notFound('gallery');
    if (!outcome.deviceFound) throw badInput(`${field}.deviceId`, 'no such device');
    if (!outcome.inserted) {
      // A retry, or a concurrent ingest with the same key that committed first (this statement waited for it).
      const earlier = await findImageByIdempotencyKey(tx, tenantId, image.idempotencyKey);
      if (!earlier) throw new Error('ingestFrame: the idempotency key conflicted but no image holds it');
      return existingResult(tx, tenantId, earlier, device, image.galleryId, field);
    }
    return { image: { id: image.id, galleryId: image.galleryId, capturedAt: image.capturedAt, width: image.width, height: image.height }, detections: newDetectionParents(image, studentModelId, detections), gallery: { id: image.galleryId, ...outcome.gallery! }, duplicate: false };
  }

  return {
    async ingestFrame(actor: Principal, input: IngestFrameInput): Promise<IngestResult> {
      const device = requireKey(actor, 'DEVICE', 'ADMIN');
      const frame = await prepareFrame(device, input, 'input');
      // One transaction, one statement: the unique (tenant, idempotency key) index answers a retry,
      // and the response is built from the input (nothing read back).
      // On the driver directly (withTenantRaw): the ingest path's statements are its critical path.
      const result = await db.withTenantRaw(device.tenantId, (tx) => storeFrame(tx, device, frame));
      if (!result.duplicate && result.detections.length > 0) onTeacherWork?.();
      return result;
    },

    /**
     * Several frames, each checked and stored as ingestFrame would, in one transaction: all or none.
     * The request's fixed costs (HTTP, GraphQL, the transaction) are paid once for the batch.
     */
    async ingestFrames(actor: Principal, inputs: readonly IngestFrameInput[]): Promise<IngestResult[]> {
      const device = requireKey(actor, 'DEVICE', 'ADMIN');
      if (inputs.length === 0) throw badInput('input.frames', 'holds no frames');
      if (inputs.length > MAX_FRAMES_PER_BATCH) throw badInput('input.frames', `holds ${inputs.length} frames; the limit is ${MAX_FRAMES_PER_BATCH}`);
      const keys = new Map<string, number>();
      inputs.forEach((input, index) => {
        const first = keys.get(input.idempotencyKey);
        if (first !== undefined) throw badInput(`input.frames[${index}].idempotencyKey`, `repeats frames[${first}]'s key; each frame needs its own`);
        keys.set(input.idempotencyKey, index);
      });
      // Checked concurrently (a blob-metadata miss reads a file); a refusal names the first bad frame by position.
      const prepared = await Promise.allSettled(inputs.map((input, index) => prepareFrame(device, input, `input.frames[${index}]`)));
      const frames = prepared.map((outcome) => {
        if (outcome.status === 'rejected') throw outcome.reason;
        return outcome.value;
      });
      const results = await db.withTenantRaw(device.tenantId, async (tx) => {
        const stored: IngestResult[] = [];
        for (const frame of frames) stored.push(await storeFrame(tx, device, frame));
        return stored;
      });
      if (results.some((result) => !result.duplicate && result.detections.length > 0)) onTeacherWork?.();
      return results;
    },

    // DEVICE keys write frames but do not read them back (see the role table in the README).
    async image(actor: Principal, id: string): Promise<ImageParent> {
      const key = requireKey(actor, 'ADMIN', 'SEARCH');
      if (!isUuid(id)) throw notFound('image');
      const image = await db.withTenant(key.tenantId, (tx) => findImage(tx, key.tenantId, id));
      if (!image || (key.galleryScope && !key.galleryScope.includes(image.galleryId))) throw notFound('image');
      return toImageParent(image);
    },

    /**
     * Gallery.images: the same callers as `image` (ADMIN and SEARCH keys). The parent gallery
     * was already resolved for this key (gallery(id:) and galleries refuse other tenants' and
     * out-of-scope galleries); the scope is checked again here so no other path can widen it.
     */
    async listImages(actor: Principal, galleryId: string, page: ImagePage) {
      const key = requireKey(actor, 'ADMIN', 'SEARCH');
      requireGallery(key, galleryId);
      const size = pageSize(page.first, 'first');
      const after = decodeCursor(page.after, 'after');
      const capturedAfter = page.capturedAfter ?? null;
      const capturedBefore = page.capturedBefore ?? null;
      checkCaptureWindow(capturedAfter, capturedBefore, 'capturedBefore');
      const rows = await db.withTenant(key.tenantId, (tx) =>
        listGalleryImages(tx, key.tenantId, galleryId, { limit: size + 1, before: after && { capturedAt: after.createdAt, id: after.id }, capturedAfter, capturedBefore }),
      );
      return toConnectionBy(rows, size, toImageParent, (row) => ({ createdAt: row.capturedAt, id: row.id }));
    },

    async detection(actor: Principal, id: string): Promise<DetectionParent> {
      const key = requireKey(actor, 'ADMIN', 'SEARCH');
      if (!isUuid(id)) throw notFound('detection');
      const detection: Detection | null = await db.withTenant(key.tenantId, (tx) => findDetection(tx, key.tenantId, id));
      if (!detection || (key.galleryScope && !key.galleryScope.includes(detection.galleryId))) throw notFound('detection');
      return toDetectionParent(detection);
    },

    async deleteImage(actor: Principal, id: string): Promise<{ id: string; deleted: boolean }> {
      const admin = requireKey(actor, 'ADMIN');
      if (!isUuid(id)) throw notFound('image');
      const orphan = await db.withTenant(admin.tenantId, async (tx) => {
        const image = await findImage(tx, admin.tenantId, id);
        // Out of a scoped admin's galleries reads as absent, as for the image query.
        if (!image || !canUseGallery(admin, image.galleryId)) throw notFound('image');
        await deleteImage(tx, admin.tenantId, id);
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'image.delete', target: `image:${id}`, galleryIds: [image.galleryId] });
        const stillUsed = await referencedBlobHashes(tx, admin.tenantId, [image.blobSha256]);
        return stillUsed.size === 0 ? image.blobSha256 : null;
      });
      if (orphan) await blobs.delete(admin.tenantId, orphan).catch((error: unknown) => log.warn({ err: error }, 'blob delete failed'));
      return { id, deleted: true };
    },
  };
}
export type FrameService = ReturnType<typeof createFrameService>;
