// The stage-1 vector query: its SQL is snapshotted (a change is a reviewable
// diff in test/sql-snapshots), and EXPLAIN on a real database shows that the
// model's partial HNSW expression index serves it, tenant/gallery/time filters
// included, on PGlite and Postgres.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Prisma } from '@person-search/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annSettingsSql, insertDetections, nearestStudentNeighboursSql } from '../src/lib/repositories/detections-repository.js';
import { insertImage } from '../src/lib/repositories/images-repository.js';
import { createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, startTestServer, type TestServer } from './support/test-server.js';

const filter = {
  modelId: FIXTURE_STUDENT_ID,
  dimension: FIXTURE_DIMENSION,
  galleryIds: null as string[] | null,
  capturedAfter: new Date('2026-01-01T00:00:00Z'),
  capturedBefore: null,
  excludeDetectionId: null,
};

describe('stage-1 vector SQL', () => {
  it('matches the checked-in snapshot', async () => {
    const sql = nearestStudentNeighboursSql('00000000-0000-0000-0000-000000000001', unitEmbedding(4, 1), { ...filter, dimension: 128 }, 200);
    const text = sql.sql.replace(/[ \t]+$/gm, '').trim();
    await expect(`-- nearestStudentNeighbours (apps/api/src/lib/repositories/detections-repository.ts)\n${text}\n`).toMatchFileSnapshot('sql-snapshots/nearest-student-neighbours.sql');
    await expect(`-- annSettings\n${annSettingsSql(200).sql.trim()}\n`).toMatchFileSnapshot('sql-snapshots/ann-settings.sql');
  });
});

describe.each(backends())('stage-1 plan (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    tenant = await createTenantWithKeys(server, 'plan');
    await server.app.db.withTenant(tenant.tenantId, async (tx) => {
      for (let frame = 0; frame < 20; frame++) {
        const image = await insertImage(tx, tenant.tenantId, {
          id: crypto.randomUUID(), galleryId: tenant.galleryId, deviceId: null, idempotencyKey: `plan-${frame}`, blobSha256: 'b'.repeat(64),
          contentType: 'image/jpeg', width: 100, height: 100, bytes: 1, capturedAt: new Date(Date.UTC(2026, 0, 2, 0, frame)),
        });
        const detections = Array.from({ length: 50 }, (_, i) => ({ id: crypto.randomUUID(), box: { x1: 0, y1: 0, x2: 10, y2: 10 }, score: 0.5, embedding: unitEmbedding(FIXTURE_DIMENSION, frame * 50 + i) }));
        await insertDetections(tx, tenant.tenantId, image, FIXTURE_STUDENT_ID, detections);
      }
    });
    // Statistics as the owner (the application role may not ANALYZE), so the planner sees 1000 matching rows.
    await server.app.db.asSystem((tx) => tx.$executeRaw`ANALYZE detections`);
  });
  afterAll(() => server?.close());

  it('uses the model’s HNSW index for the filtered query', async () => {
    const query = unitEmbedding(FIXTURE_DIMENSION, 7);
    const plans = await server.app.db.withTenant(tenant.tenantId, async (tx) => {
      await tx.$queryRaw(annSettingsSql(20));
      const natural = await tx.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN ${nearestStudentNeighboursSql(tenant.tenantId, query, { ...filter, galleryIds: [tenant.galleryId] }, 20)}`);
      await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
      const forced = await tx.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN ${nearestStudentNeighboursSql(tenant.tenantId, query, { ...filter, galleryIds: [tenant.galleryId] }, 20)}`);
      return { natural: natural.map((row) => row['QUERY PLAN']).join('\n'), forced: forced.map((row) => row['QUERY PLAN']).join('\n') };
    });
    console.log(`${backend}: planner ${/hnsw/.test(plans.natural) ? 'chose' : 'did not choose'} the HNSW index for 1000 rows without hints`);
    expect(plans.natural).toMatch(/Index Scan using detections_student_fixture_student_\w+_hnsw/);
    expect(plans.forced).toMatch(/Index Scan using detections_student_fixture_student_\w+_hnsw/);
  });
});
