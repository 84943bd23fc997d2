// SQL for images (ingested frames).
import { Prisma, toVectorSql, type DatabaseTransaction, type Image, type SqlClient } from '@person-search/db';
import type { NewDetection } from './detections-repository.js';

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

/** Every column of an image row under its Prisma field name: raw reads return what `tx.image` would. */
const IMAGE_COLUMNS = Prisma.raw(`tenant_id AS "tenantId", id, gallery_id AS "galleryId", device_id AS "deviceId", idempotency_key AS "idempotencyKey",
  blob_sha256 AS "blobSha256", content_type AS "contentType", width, height, bytes, captured_at AS "capturedAt", created_at AS "createdAt"`);

/** Raw SQL, so search and ingest transactions on the driver can use it; the same row as `tx.image.findUnique`. */
export async function findImage(tx: SqlClient, tenantId: string, id: string): Promise<Image | null> {
  const [row] = await tx.$queryRaw<Image[]>`SELECT ${IMAGE_COLUMNS} FROM images WHERE tenant_id = ${tenantId}::uuid AND id = ${id}::uuid`;
  return row ?? null;
}

export function findImages(tx: SqlClient, tenantId: string, ids: readonly string[]): Promise<Image[]> {
  return tx.$queryRaw<Image[]>`SELECT ${IMAGE_COLUMNS} FROM images WHERE tenant_id = ${tenantId}::uuid AND id = ANY(${[...ids]}::uuid[])`;
}

/**
 * One page of a gallery's frames, newest capturedAt first (ties by id descending), after the
 * keyset position `before`; the window bounds are inclusive. Served by the
 * (tenant_id, gallery_id, captured_at) index.
 */
export function listGalleryImages(
  tx: DatabaseTransaction,
  tenantId: string,
  galleryId: string,
  page: { limit: number; before: { capturedAt: Date; id: string } | null; capturedAfter: Date | null; capturedBefore: Date | null },
): Promise<Image[]> {
  const { before, capturedAfter } = page;
  // The cursor's time also bounds the index range (the OR below alone would not).
  const capturedBefore = before && (!page.capturedBefore || before.capturedAt < page.capturedBefore) ? before.capturedAt : page.capturedBefore;
  return tx.image.findMany({
    where: {
      tenantId,
      galleryId,
      ...(capturedAfter || capturedBefore ? { capturedAt: { ...(capturedAfter ? { gte: capturedAfter } : {}), ...(capturedBefore ? { lte: capturedBefore } : {}) } } : {}),
      ...(before ? { OR: [{ capturedAt: { lt: before.capturedAt } }, { capturedAt: before.capturedAt, id: { lt: before.id } }] } : {}),
    },
    orderBy: [{ capturedAt: 'desc' }, { id: 'desc' }],
    take: page.limit,
  });
}

export async function findImageByIdempotencyKey(tx: SqlClient, tenantId: string, idempotencyKey: string): Promise<Image | null> {
  const [row] = await tx.$queryRaw<Image[]>`SELECT ${IMAGE_COLUMNS} FROM images WHERE tenant_id = ${tenantId}::uuid AND idempotency_key = ${idempotencyKey}`;
  return row ?? null;
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

export interface InsertFrameOutcome {
  /** False when the gallery is not the tenant's. */
  galleryFound: boolean;
  /** False when a device id was given and it is not the tenant's. */
  deviceFound: boolean;
  /** False when an image with this idempotency key exists already (a retry, or a concurrent ingest that committed first). */
  inserted: boolean;
  /** The target gallery's row (when found), for the response. */
  gallery: { name: string; retentionDays: number | null; createdAt: Date } | null;
}

/**
 * An ingested frame in one statement: the gallery and device checks, the image (ON CONFLICT on the
 * tenant's idempotency key: a retry inserts nothing) and its detections (parallel arrays unnested
 * into rows, inserted only with the image). Nothing is read back: the caller knows every value.
 * Foreign keys are checked at the end of the statement, so the detections may reference the image
 * inserted by the sibling CTE (and every data-modifying CTE runs to completion, read or not).
 */
export async function insertFrame(
  tx: SqlClient,
  tenantId: string,
  image: NewImage,
  studentModelId: string,
  detections: readonly NewDetection[],
): Promise<InsertFrameOutcome> {
  const column = <T,>(pick: (d: NewDetection) => T) => detections.map(pick);
  const [row] = await tx.$queryRaw<{ galleryName: string | null; galleryRetentionDays: number | null; galleryCreatedAt: Date | null; deviceFound: boolean; inserted: boolean }[]>`
    WITH target AS (
      SELECT g.name, g.retention_days, g.created_at,
             (${image.deviceId}::uuid IS NULL OR EXISTS (SELECT 1 FROM devices WHERE tenant_id = ${tenantId}::uuid AND id = ${image.deviceId}::uuid)) AS device_found
      FROM (SELECT 1) AS one LEFT JOIN galleries g ON g.tenant_id = ${tenantId}::uuid AND g.id = ${image.galleryId}::uuid
    ), new_image AS (
      INSERT INTO images (tenant_id, id, gallery_id, device_id, idempotency_key, blob_sha256, content_type, width, height, bytes, captured_at)
      SELECT ${tenantId}::uuid, ${image.id}::uuid, ${image.galleryId}::uuid, ${image.deviceId}::uuid, ${image.idempotencyKey}, ${image.blobSha256},
             ${image.contentType}, ${image.width}::int, ${image.height}::int, ${image.bytes}::int, ${image.capturedAt}::timestamptz
      FROM target WHERE target.name IS NOT NULL AND target.device_found
      ON CONFLICT (tenant_id, idempotency_key) DO NOTHING
      RETURNING id, gallery_id, captured_at
    ), new_detections AS (
      INSERT INTO detections (tenant_id, id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score, student_model_id, student_embedding)
      SELECT ${tenantId}::uuid, d.id, i.id, i.gallery_id, i.captured_at, d.x1, d.y1, d.x2, d.y2, d.score, ${studentModelId}, d.embedding::vector
      FROM new_image i,
           unnest(${column((d) => d.id)}::uuid[], ${column((d) => d.box.x1)}::real[], ${column((d) => d.box.y1)}::real[],
                  ${column((d) => d.box.x2)}::real[], ${column((d) => d.box.y2)}::real[], ${column((d) => d.score)}::real[],
                  ${column((d) => toVectorSql(d.embedding))}::text[]) AS d(id, x1, y1, x2, y2, score, embedding)
      RETURNING 1
    )
    SELECT target.name AS "galleryName", target.retention_days AS "galleryRetentionDays", target.created_at AS "galleryCreatedAt",
           target.device_found AS "deviceFound", EXISTS (SELECT 1 FROM new_image) AS "inserted"
    FROM target`;
  return {
    galleryFound: row?.galleryName != null,
    deviceFound: row?.deviceFound ?? false,
    inserted: row?.inserted ?? false,
    gallery: row?.galleryName != null ? { name: row.galleryName, retentionDays: row.galleryRetentionDays, createdAt: row.galleryCreatedAt! } : null,
  };
}
