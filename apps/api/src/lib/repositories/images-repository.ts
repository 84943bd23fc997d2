// SQL for images (ingested frames).
import type { DatabaseTransaction, Image } from '@person-search/db';

export interface NewImage {
  id: string;
  galleryId: string;
  deviceId: string | null;
  idempotencyKey: string;
  blobSha256: string;
  contentType: string;
  width: number;
  height: number;
  bytes: number;
  capturedAt: Date;
}

export function insertImage(tx: DatabaseTransaction, tenantId: string, image: NewImage): Promise<Image> {
  return tx.image.create({ data: { tenantId, ...image } });
}

export function findImage(tx: DatabaseTransaction, tenantId: string, id: string): Promise<Image | null> {
  return tx.image.findUnique({ where: { tenantId_id: { tenantId, id } } });
}

export function findImages(tx: DatabaseTransaction, tenantId: string, ids: readonly string[]): Promise<Image[]> {
  return tx.image.findMany({ where: { tenantId, id: { in: [...ids] } } });
}

export function findImageByIdempotencyKey(tx: DatabaseTransaction, tenantId: string, idempotencyKey: string): Promise<Image | null> {
  return tx.image.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey } } });
}

export async function deleteImage(tx: DatabaseTransaction, tenantId: string, id: string): Promise<void> {
  await tx.image.delete({ where: { tenantId_id: { tenantId, id } } });
}

/** Blob hashes used by the gallery's images (to delete the blobs after the rows). */
export async function galleryBlobHashes(tx: DatabaseTransaction, tenantId: string, galleryId: string): Promise<string[]> {
  const rows = await tx.image.findMany({ where: { tenantId, galleryId }, select: { blobSha256: true }, distinct: ['blobSha256'] });
  return rows.map((row) => row.blobSha256);
}

/** Of `hashes`, those still referenced by some image of the tenant. */
export async function referencedBlobHashes(tx: DatabaseTransaction, tenantId: string, hashes: readonly string[]): Promise<Set<string>> {
  const rows = await tx.image.findMany({ where: { tenantId, blobSha256: { in: [...hashes] } }, select: { blobSha256: true }, distinct: ['blobSha256'] });
  return new Set(rows.map((row) => row.blobSha256));
}
