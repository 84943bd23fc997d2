// The repository reads that search and ingest run on the driver directly (withTenantRaw) return
// exactly what Prisma's model queries return for the same rows, through either transaction client,
// on PGlite and (when TEST_DATABASE_URL is set) Postgres: every column, nulls and non-nulls, types
// (Date, number, string) and order.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SqlClient } from '@person-search/db';
import { IngestFrameDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectionsOfImages, findDetection, findDetections } from '../src/lib/repositories/detections-repository.js';
import { findGalleries } from '../src/lib/repositories/galleries-repository.js';
import { findImage, findImageByIdempotencyKey, findImages } from '../src/lib/repositories/images-repository.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('raw repository reads (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;
  let imageIds: string[];
  let detectionIds: string[];

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    tenant = await createTenantWithKeys(server, 'raw-reads');
    const blobId = (await server.putBlob(await jpegImage(200, 160, 3), 'image/jpeg', tenant.device)).body.blobId as string;
    imageIds = [];
    detectionIds = [];
    for (const frame of [0, 1]) {
      const response = await server.gql(IngestFrameDocument, {
        input: {
          idempotencyKey: `raw-${frame}`, galleryId: tenant.galleryId, blobId, capturedAt: `2026-02-0${frame + 1}T08:00:00.123Z`, modelId: FIXTURE_STUDENT_ID,
          // Scores that a float4 cannot hold exactly, and a tie, so types and order are both exercised.
          detections: [0.7, 0.3333333, 0.7].map((score, i) => ({ box: { x1: 5.25 + i, y1: 5, x2: 50.5 + i, y2: 120.125 }, score, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, frame * 3 + i)) })),
        },
      }, tenant.device);
      expect(response.errors).toBeUndefined();
      imageIds.push(response.data!.ingestFrame.image.id);
      detectionIds.push(...response.data!.ingestFrame.detections.map((d) => d.id));
    }
    // Fill the nullable columns the ingest leaves empty, so nulls and values are both compared.
    await server.app.db.asSystem(async (tx) => {
      const device = await tx.device.create({ data: { tenantId: tenant.tenantId, name: 'raw-reads kiosk' } });
      await tx.image.update({ where: { tenantId_id: { tenantId: tenant.tenantId, id: imageIds[0]! } }, data: { deviceId: device.id } });
      await tx.gallery.update({ where: { tenantId_id: { tenantId: tenant.tenantId, id: tenant.galleryId } }, data: { retentionDays: 30 } });
      await tx.detection.update({ where: { tenantId_id: { tenantId: tenant.tenantId, id: detectionIds[0]! } }, data: { teacherStatus: 'failed', teacherAttempts: 3, teacherLastError: 'decode failed' } });
    });
  });
  afterAll(() => server?.close());

  /** `read` through Prisma's transaction client and through the raw one: both results. */
  async function bothWays<T>(read: (sql: SqlClient) => Promise<T>): Promise<[T, T]> {
    const db = server.app.db;
    return [await db.withTenant(tenant.tenantId, (tx) => read(tx)), await db.withTenantRaw(tenant.tenantId, (sql) => read(sql))];
  }

  it('reads images as tx.image does', async () => {
    const { tenantId } = tenant;
    const model = await server.app.db.withTenant(tenantId, async (tx) => ({
      one: await tx.image.findUnique({ where: { tenantId_id: { tenantId, id: imageIds[0]! } } }),
      many: await tx.image.findMany({ where: { tenantId, id: { in: imageIds } }, orderBy: { id: 'asc' } }),
      byKey: await tx.image.findUnique({ where: { tenantId_idempotencyKey: { tenantId, idempotencyKey: 'raw-1' } } }),
    }));
    expect(model.one?.deviceId).not.toBeNull();
    for (const result of await bothWays(async (sql) => ({
      one: await findImage(sql, tenantId, imageIds[0]!),
      many: (await findImages(sql, tenantId, imageIds)).sort((x, y) => x.id.localeCompare(y.id)),
      byKey: await findImageByIdempotencyKey(sql, tenantId, 'raw-1'),
      missing: await findImage(sql, tenantId, '00000000-0000-4000-8000-000000000000'),
    }))) {
      expect(result).toStrictEqual({ ...model, missing: null });
    }
  });

  it('reads detections as tx.detection does, in the same order', async () => {
    const { tenantId } = tenant;
    const model = await server.app.db.withTenant(tenantId, async (tx) => ({
      one: await tx.detection.findUnique({ where: { tenantId_id: { tenantId, id: detectionIds[0]! } } }),
      many: await tx.detection.findMany({ where: { tenantId, id: { in: detectionIds } }, orderBy: { id: 'asc' } }),
      ofImages: await tx.detection.findMany({ where: { tenantId, imageId: { in: imageIds } }, orderBy: [{ score: 'desc' }, { id: 'asc' }] }),
    }));
    expect(model.one).toMatchObject({ teacherStatus: 'failed', teacherLastError: 'decode failed' });
    for (const result of await bothWays(async (sql) => ({
      one: await findDetection(sql, tenantId, detectionIds[0]!),
      many: (await findDetections(sql, tenantId, detectionIds)).sort((x, y) => x.id.localeCompare(y.id)),
      ofImages: await detectionsOfImages(sql, tenantId, imageIds),
    }))) {
      expect(result).toStrictEqual(model);
    }
  });

  it('reads galleries as tx.gallery does', async () => {
    const { tenantId, galleryId } = tenant;
    const model = await server.app.db.withTenant(tenantId, (tx) => tx.gallery.findMany({ where: { tenantId, id: { in: [galleryId] } } }));
    expect(model[0]?.retentionDays).toBe(30);
    for (const result of await bothWays((sql) => findGalleries(sql, tenantId, [galleryId, '00000000-0000-4000-8000-000000000000']))) {
      expect(result).toStrictEqual(model);
    }
  });
});
