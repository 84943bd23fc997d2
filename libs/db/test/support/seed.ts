// One tenant with one row in every tenant-owned table, created as the system
// (owner) the way the operator and ingest paths would.
import { randomBytes } from 'node:crypto';
import { registerEmbeddingModel, toVectorSql, type Database } from '../../src/index';

export interface SeededTenant {
  tenantId: string;
  galleryId: string;
  deviceId: string;
  apiKeyId: string;
  imageId: string;
  detectionId: string;
  auditId: string;
}

/** Registers a model; returns its HNSW index name ('' for a teacher: teacher vectors get no index). */
export async function registerModel(database: Database, id: string, role: 'student' | 'teacher', dimension: number): Promise<string> {
  const { indexName } = await registerEmbeddingModel(database, { id, version: '1.0.0', role, dimension, sha256: '0'.repeat(64) });
  return indexName ?? '';
}

export async function seedTenant(database: Database, name: string, studentModelId: string, embedding: number[]): Promise<SeededTenant> {
  return database.asSystem(async (tx) => {
    const tenant = await tx.tenant.create({ data: { name } });
    const tenantId = tenant.id;
    const gallery = await tx.gallery.create({ data: { tenantId, name: `${name} entrance`, retentionDays: 30 } });
    const device = await tx.device.create({ data: { tenantId, name: `${name} kiosk` } });
    const apiKey = await tx.apiKey.create({
      data: { tenantId, prefix: randomBytes(6).toString('hex'), secretHash: 'x'.repeat(64), role: 'ADMIN', label: name },
    });
    const image = await tx.image.create({
      data: {
        tenantId,
        galleryId: gallery.id,
        deviceId: device.id,
        idempotencyKey: `${name}-frame-1`,
        blobSha256: randomBytes(32).toString('hex'),
        contentType: 'image/jpeg',
        width: 640,
        height: 480,
        bytes: 1234,
        capturedAt: new Date('2026-01-01T12:00:00Z'),
      },
    });
    const [detection] = await tx.$queryRaw<{ id: string }[]>`
      INSERT INTO detections (tenant_id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score, student_model_id, student_embedding)
      VALUES (${tenantId}::uuid, ${image.id}::uuid, ${gallery.id}::uuid, ${image.capturedAt}, 10, 20, 110, 320, 0.9,
              ${studentModelId}, ${toVectorSql(embedding)}::vector)
      RETURNING id`;
    const audit = await tx.auditLogEntry.create({ data: { tenantId, actorKeyId: apiKey.id, action: 'gallery.create', target: `gallery:${gallery.id}` } });
    return {
      tenantId,
      galleryId: gallery.id,
      deviceId: device.id,
      apiKeyId: apiKey.id,
      imageId: image.id,
      detectionId: detection!.id,
      auditId: audit.id,
    };
  });
}
