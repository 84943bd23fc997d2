// Frames: ingest (idempotent, one transaction), reads and deletion.
import type { Detection, Image } from '@person-search/db';
import type { DetectionParent, ImageParent } from '@person-search/schema';
import { canUseGallery, requireKey, type KeyPrincipal, type Principal } from '../auth/principal.js';
import { badInput, notFound } from '../errors.js';
import { insertAuditEntry } from '../repositories/audit-repository.js';
import { detectionsOfImages, findDetection, insertDetections } from '../repositories/detections-repository.js';
import { findDevice, findGallery } from '../repositories/galleries-repository.js';
import { deleteImage, findImage, findImageByIdempotencyKey, insertImage, referencedBlobHashes } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { toDetectionParent, toImageParent } from './frame-mapping.js';
import { checkDetections, checkIngestShape, type IngestFrameInput } from './ingest-validation.js';
import type { ServiceDeps } from './service-deps.js';

export interface IngestResult {
  image: ImageParent;
  detections: DetectionParent[];
  duplicate: boolean;
}

function isUniqueViolation(error: unknown): boolean {
  const candidate = error as { code?: string; meta?: unknown; message?: string };
  return candidate.code === 'P2002' || candidate.code === '23505' || /unique constraint|duplicate key/i.test(candidate.message ?? '');
}

export function createFrameService({ db, blobs, models, config, log, onTeacherWork }: ServiceDeps) {
  async function existingResult(tenantId: string, image: Image, actor: KeyPrincipal, galleryId: string): Promise<IngestResult> {
    // Idempotency keys are tenant-wide: a key first used for another gallery is
    // refused without naming that gallery (nor answering with its frame).
    if (image.galleryId !== galleryId || !canUseGallery(actor, image.galleryId)) {
      throw badInput('input.idempotencyKey', 'was already used for a frame of another gallery; use a new key');
    }
    const detections = await db.withTenant(tenantId, (tx) => detectionsOfImages(tx, tenantId, [image.id]));
    return { image: toImageParent(image), detections: detections.map(toDetectionParent), duplicate: true };
  }

  return {
    async ingestFrame(actor: Principal, input: IngestFrameInput): Promise<IngestResult> {
      const device = requireKey(actor, 'DEVICE', 'ADMIN');
      const student = models.requireStudent();
      checkIngestShape(device, input, student, config.limits.detectionsPerFrame);
      const tenantId = device.tenantId;

      const earlier = await db.withTenant(tenantId, (tx) => findImageByIdempotencyKey(tx, tenantId, input.idempotencyKey));
      // A retry answers with the first frame, but never one from a gallery this key may not see.
      if (earlier) return existingResult(tenantId, earlier, device, input.galleryId);

      const blob = await blobs.info(tenantId, input.blobId);
      if (!blob) throw notFound('blob (upload it with PUT /v1/blobs first)', 'input.blobId');
      const detections = checkDetections(input, blob, student);
      // An enrolled device's frames are its own: the device comes from its token, never from the input.
      if (device.deviceId && input.deviceId && input.deviceId !== device.deviceId) throw badInput('input.deviceId', 'a device token ingests as its own device; omit deviceId');
      const deviceId = device.deviceId ?? input.deviceId ?? null;

      try {
        const result = await db.withTenant(tenantId, async (tx): Promise<IngestResult> => {
          if (!(await findGallery(tx, tenantId, input.galleryId))) throw notFound('gallery');
          if (deviceId && !(await findDevice(tx, tenantId, deviceId))) throw badInput('input.deviceId', 'no such device');
          const image = await insertImage(tx, tenantId, {
            id: crypto.randomUUID(),
            galleryId: input.galleryId,
            deviceId,
            idempotencyKey: input.idempotencyKey,
            blobSha256: blob.sha256,
            contentType: blob.contentType,
            width: blob.width,
            height: blob.height,
            bytes: blob.bytes,
            capturedAt: input.capturedAt,
          });
          // The rows are pending for the teacher worker as soon as this commits.
          await insertDetections(tx, tenantId, image, student.manifest.id, detections);
          const stored = await detectionsOfImages(tx, tenantId, [image.id]);
          return { image: toImageParent(image), detections: stored.map(toDetectionParent), duplicate: false };
        });
        if (result.detections.length > 0) onTeacherWork?.();
        return result;
      } catch (error) {
        // A concurrent ingest with the same key committed first: answer as a retry.
        if (!isUniqueViolation(error)) throw error;
        const winner = await db.withTenant(tenantId, (tx) => findImageByIdempotencyKey(tx, tenantId, input.idempotencyKey));
        if (!winner) throw error;
        return existingResult(tenantId, winner, device, input.galleryId);
      }
    },

    // DEVICE keys write frames but do not read them back (see the role table in the README).
    async image(actor: Principal, id: string): Promise<ImageParent> {
      const key = requireKey(actor, 'ADMIN', 'SEARCH');
      if (!isUuid(id)) throw notFound('image');
      const image = await db.withTenant(key.tenantId, (tx) => findImage(tx, key.tenantId, id));
      if (!image || (key.galleryScope && !key.galleryScope.includes(image.galleryId))) throw notFound('image');
      return toImageParent(image);
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
