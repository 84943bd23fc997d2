// Galleries and retention (devices: device-service). Deleting a gallery deletes its frames,
// detections and vectors (FK cascade) and then the blobs no frame uses any more.
import type { DatabaseTransaction, Gallery } from '@person-search/db';
import type { GalleryParent } from '@person-search/schema';
import { requireGallery, requireKey, requireUnscoped, type Principal } from '../auth/principal.js';
import { badInput, notFound, type AppError } from '../errors.js';
import { insertAuditEntry } from '../repositories/audit-repository.js';
import {
  deleteGallery,
  findGallery,
  findGalleryByName,
  insertGallery,
  listGalleries,
  updateGallery,
} from '../repositories/galleries-repository.js';
import { galleryBlobHashes, referencedBlobHashes } from '../repositories/images-repository.js';
import { isUuid } from '../repositories/ids.js';
import { decodeCursor, pageSize, toConnection } from './cursor.js';
import type { ServiceDeps } from './service-deps.js';

export function toGalleryParent(gallery: Gallery): GalleryParent {
  return { id: gallery.id, name: gallery.name, retentionDays: gallery.retentionDays, createdAt: gallery.createdAt };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > 200) throw badInput('input.name', 'must be 1..200 characters');
  return trimmed;
}

function checkRetention(field: string, days: number | null | undefined): number | null {
  if (days === null || days === undefined) return null;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw badInput(field, 'must be between 1 and 36500 days, or null');
  return days;
}

export function createGalleryService({ db, blobs, log }: ServiceDeps) {
  async function galleryOrNotFound(actor: Principal, id: string): Promise<{ tenantId: string; keyId: string }> {
    const key = requireKey(actor);
    if (!isUuid(id)) throw notFound('gallery');
    requireGallery(key, id);
    return key;
  }

  async function rejectDuplicateName(tx: DatabaseTransaction, tenantId: string, name: string, exceptId?: string) {
    const existing = await findGalleryByName(tx, tenantId, name);
    if (existing && existing.id !== exceptId) throw badInput('input.name', `a gallery named ${JSON.stringify(name)} already exists`);
  }

  return {
    async get(actor: Principal, id: string): Promise<GalleryParent> {
      const key = await galleryOrNotFound(actor, id);
      const gallery = await db.withTenant(key.tenantId, (tx) => findGallery(tx, key.tenantId, id));
      if (!gallery) throw notFound('gallery');
      return toGalleryParent(gallery);
    },

    async list(actor: Principal, page: { first?: number | null; after?: string | null }) {
      const key = requireKey(actor);
      const size = pageSize(page.first, 'first');
      const after = decodeCursor(page.after, 'after');
      const rows = await db.withTenant(key.tenantId, (tx) => listGalleries(tx, key.tenantId, { limit: size + 1, after, scope: key.galleryScope }));
      return toConnection(rows, size, toGalleryParent);
    },

    async create(actor: Principal, input: { name: string; retentionDays?: number | null }): Promise<GalleryParent> {
      const admin = requireKey(actor, 'ADMIN');
      requireUnscoped(admin, 'create galleries');
      const name = checkName(input.name);
      const retentionDays = checkRetention('input.retentionDays', input.retentionDays);
      return db.withTenant(admin.tenantId, async (tx) => {
        await rejectDuplicateName(tx, admin.tenantId, name);
        const gallery = await insertGallery(tx, admin.tenantId, { name, retentionDays });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'gallery.create', target: `gallery:${gallery.id}`, galleryIds: [gallery.id], details: { name, retentionDays } });
        return toGalleryParent(gallery);
      });
    },

    async update(actor: Principal, input: { id: string; name: string }): Promise<GalleryParent> {
      const admin = requireKey(actor, 'ADMIN');
      if (!isUuid(input.id)) throw notFound('gallery');
      requireGallery(admin, input.id);
      const name = checkName(input.name);
      return db.withTenant(admin.tenantId, async (tx) => {
        if (!(await findGallery(tx, admin.tenantId, input.id))) throw notFound('gallery');
        await rejectDuplicateName(tx, admin.tenantId, name, input.id);
        const gallery = await updateGallery(tx, admin.tenantId, input.id, { name });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'gallery.update', target: `gallery:${input.id}`, galleryIds: [input.id], details: { name } });
        return toGalleryParent(gallery);
      });
    },

    async setRetention(actor: Principal, input: { galleryId: string; days?: number | null }): Promise<GalleryParent> {
      const admin = requireKey(actor, 'ADMIN');
      if (!isUuid(input.galleryId)) throw notFound('gallery');
      requireGallery(admin, input.galleryId);
      const retentionDays = checkRetention('input.days', input.days);
      return db.withTenant(admin.tenantId, async (tx) => {
        if (!(await findGallery(tx, admin.tenantId, input.galleryId))) throw notFound('gallery');
        const gallery = await updateGallery(tx, admin.tenantId, input.galleryId, { retentionDays });
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'gallery.setRetention', target: `gallery:${input.galleryId}`, galleryIds: [input.galleryId], details: { retentionDays } });
        return toGalleryParent(gallery);
      });
    },

    async delete(actor: Principal, id: string): Promise<{ id: string; deleted: boolean }> {
      const admin = requireKey(actor, 'ADMIN');
      if (!isUuid(id)) throw notFound('gallery');
      requireGallery(admin, id);
      const orphanedBlobs = await db.withTenant(admin.tenantId, async (tx) => {
        if (!(await findGallery(tx, admin.tenantId, id))) throw notFound('gallery');
        const hashes = await galleryBlobHashes(tx, admin.tenantId, id);
        await deleteGallery(tx, admin.tenantId, id);
        await insertAuditEntry(tx, admin.tenantId, { actorKeyId: admin.keyId, action: 'gallery.delete', target: `gallery:${id}`, galleryIds: [id] });
        const stillUsed = await referencedBlobHashes(tx, admin.tenantId, hashes);
        return hashes.filter((hash) => !stillUsed.has(hash));
      });
      // After commit: a crash here leaves unreferenced blobs (harmless), never rows pointing at missing blobs.
      await Promise.all(orphanedBlobs.map((hash) => blobs.delete(admin.tenantId, hash).catch((error: AppError) => log.warn({ err: error, hash }, 'blob delete failed'))));
      return { id, deleted: true };
    },

  };
}
export type GalleryService = ReturnType<typeof createGalleryService>;
