// Tenant partitions of `detections` (migration 20261203150000_detections_by_tenant), on PGlite and
// (when TEST_DATABASE_URL is set) Postgres: isolating a tenant moves exactly its rows into a
// partition of their own with its own HNSW index, searches answer as before, and the tenants stay
// apart across partitions (RLS on the parent, no grant on any partition, cross-tenant reads and
// writes refused).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isolateTenantDetections, Prisma, tenantPartition } from '@person-search/db';
import { DeleteImageDocument, DetectionDocument, IngestFrameDocument, SearchPersonDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { annTransactionSettings, indexRowsEstimateSql, nearestStudentNeighboursSql } from '../src/lib/repositories/detections-repository.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

const FRAMES = 3;
const PER_FRAME = 4;

describe.each(backends())('tenant partitions (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  const imagesOf = new Map<string, string[]>();
  const detectionsOf = new Map<string, string[]>();
  const partitionOfA = () => `detections_t_${a.tenantId.replaceAll('-', '')}`;

  async function ingest(tenant: TenantKeys, blobId: string, key: string, seed: number) {
    const response = await server.gql(IngestFrameDocument, {
      input: {
        idempotencyKey: key, galleryId: tenant.galleryId, blobId, capturedAt: '2026-02-01T08:00:00.000Z', modelId: FIXTURE_STUDENT_ID,
        detections: Array.from({ length: PER_FRAME }, (_, i) => ({ box: { x1: 5 + i * 10, y1: 5, x2: 40 + i * 10, y2: 120 }, score: 0.9 - i * 0.1, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, seed * 10 + i)) })),
      },
    }, tenant.device);
    expect(response.errors).toBeUndefined();
    const frame = response.data!.ingestFrame;
    imagesOf.set(tenant.tenantId, [...(imagesOf.get(tenant.tenantId) ?? []), frame.image.id]);
    detectionsOf.set(tenant.tenantId, [...(detectionsOf.get(tenant.tenantId) ?? []), ...frame.detections.map((d) => d.id)]);
  }

  async function search(tenant: TenantKeys, seed: number) {
    const response = await server.gql(SearchPersonDocument, {
      input: { query: { embedding: { modelId: FIXTURE_STUDENT_ID, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, seed)) } }, topK: 50, rerank: false },
    }, tenant.search);
    expect(response.errors).toBeUndefined();
    return response.data!.searchPerson.hits.map((hit) => ({ id: hit.detection.id, score: hit.score }));
  }

  const countAsSystem = async (sql: Prisma.Sql) => (await server.app.db.asSystem((tx) => tx.$queryRaw<{ count: number }[]>(sql)))[0]!.count;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    a = await createTenantWithKeys(server, 'partition-a');
    b = await createTenantWithKeys(server, 'partition-b');
    for (const [index, tenant] of [a, b].entries()) {
      const blobId = (await server.putBlob(await jpegImage(160, 160, index), 'image/jpeg', tenant.device)).body.blobId as string;
      for (let frame = 0; frame < FRAMES; frame++) await ingest(tenant, blobId, `frame-${frame}`, index * 100 + frame);
    }
  });
  afterAll(() => server?.close());

  it('starts every tenant in the shared partition', async () => {
    expect(await tenantPartition(server.app.db, a.tenantId)).toEqual({ partition: 'detections_shared', isolated: false, rows: FRAMES * PER_FRAME });
    expect(await tenantPartition(server.app.db, b.tenantId)).toEqual({ partition: 'detections_shared', isolated: false, rows: FRAMES * PER_FRAME });
  });

  it('moves exactly the tenant’s rows into a partition of their own, and searches answer as before', async () => {
    const seeds = [0, 1, 5, 11, 102];
    const before = { a: await Promise.all(seeds.map((seed) => search(a, seed))), b: await Promise.all(seeds.map((seed) => search(b, seed))) };
    expect(before.a[0]).toHaveLength(FRAMES * PER_FRAME);

    const moved = await isolateTenantDetections(server.app.db, a.tenantId, { maintenanceWorkMem: '64MB' });
    expect(moved).toEqual({ partition: partitionOfA(), isolated: true, rows: FRAMES * PER_FRAME, moved: true });
    // The new partition holds A's rows and nothing else; the shared one holds B's and none of A's.
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM ${Prisma.raw(`"${partitionOfA()}"`)}`)).toBe(FRAMES * PER_FRAME);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM ${Prisma.raw(`"${partitionOfA()}"`)} WHERE tenant_id <> ${a.tenantId}::uuid`)).toBe(0);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM detections_shared WHERE tenant_id = ${a.tenantId}::uuid`)).toBe(0);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM detections_shared WHERE tenant_id = ${b.tenantId}::uuid`)).toBe(FRAMES * PER_FRAME);
    // Its own copy of the student model's HNSW index.
    const indexes = await server.app.db.asSystem((tx) => tx.$queryRaw<{ indexdef: string }[]>`SELECT indexdef FROM pg_indexes WHERE tablename = ${partitionOfA()}`);
    expect(indexes.filter((index) => /USING hnsw/i.test(index.indexdef))).toHaveLength(1);

    const after = { a: await Promise.all(seeds.map((seed) => search(a, seed))), b: await Promise.all(seeds.map((seed) => search(b, seed))) };
    expect(after).toEqual(before);
  });

  it('plans an isolated tenant’s stage 1 on its own partition’s HNSW index', async () => {
    const filter = { modelId: FIXTURE_STUDENT_ID, dimension: FIXTURE_DIMENSION, galleryIds: null, capturedAfter: null, capturedBefore: null, excludeDetectionId: null };
    const planFor = (tenant: TenantKeys) =>
      server.app.db.withTenant(tenant.tenantId, async (tx) => {
        // A dozen rows would otherwise be scanned and sorted: leave the planner only the ordered index scan.
        await tx.$queryRaw`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_sort', 'off', true)`;
        const sql = nearestStudentNeighboursSql(tenant.tenantId, unitEmbedding(FIXTURE_DIMENSION, 3), filter, 10, 'hnsw');
        const rows = await tx.$queryRaw<{ 'QUERY PLAN': string }[]>(Prisma.sql`EXPLAIN ${sql}`);
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      }, { settings: annTransactionSettings(10) });
    const planA = await planFor(a);
    expect(planA).toMatch(new RegExp(`Index Scan using \\S+ on ${partitionOfA()}`));
    expect(planA).not.toContain('detections_shared');
    const planB = await planFor(b);
    expect(planB).toMatch(/Index Scan using \S+ on detections_shared/);
    expect(planB).not.toContain(partitionOfA());
  });

  it('sizes stage 1 by the rows of the tenant’s partition', async () => {
    await server.app.db.asSystem((tx) => tx.$executeRaw`ANALYZE detections`);
    const estimate = async (tenant: TenantKeys) => (await server.app.db.withTenant(tenant.tenantId, (tx) => tx.$queryRaw<{ rows: number }[]>(indexRowsEstimateSql(tenant.tenantId))))[0]!.rows;
    expect(await estimate(a)).toBe(FRAMES * PER_FRAME);
    expect(await estimate(b)).toBe(FRAMES * PER_FRAME);
  });

  it('keeps the tenants apart across partitions', async () => {
    const aDetection = detectionsOf.get(a.tenantId)![0]!;
    const bDetection = detectionsOf.get(b.tenantId)![0]!;
    // Through the API: neither reads the other's detection, and searches stay inside the tenant.
    expect(errorCodes(await server.gql(DetectionDocument, { id: aDetection }, b.admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await server.gql(DetectionDocument, { id: bDetection }, a.admin))).toEqual(['NOT_FOUND']);
    for (const seed of [0, 102]) {
      expect((await search(a, seed)).every((hit) => detectionsOf.get(a.tenantId)!.includes(hit.id))).toBe(true);
      expect((await search(b, seed)).every((hit) => detectionsOf.get(b.tenantId)!.includes(hit.id))).toBe(true);
    }
    // In SQL as the application role: the parent shows each tenant its own rows only ...
    const visible = (tenant: TenantKeys) => server.app.db.withTenant(tenant.tenantId, (tx) => tx.$queryRaw<{ tenant_id: string }[]>`SELECT DISTINCT tenant_id::text FROM detections`);
    expect(await visible(a)).toEqual([{ tenant_id: a.tenantId }]);
    expect(await visible(b)).toEqual([{ tenant_id: b.tenantId }]);
    // ... the partitions are not readable directly ...
    for (const partition of [partitionOfA(), 'detections_shared']) {
      await expect(server.app.db.withTenant(b.tenantId, (tx) => tx.$queryRaw(Prisma.sql`SELECT count(*) FROM ${Prisma.raw(`"${partition}"`)}`))).rejects.toThrow(/permission denied/);
    }
    // ... and a write of the other tenant's rows, or into its partition, is refused.
    await expect(server.app.db.withTenant(b.tenantId, (tx) => tx.$executeRaw`UPDATE detections SET score = 0.01 WHERE tenant_id = ${a.tenantId}::uuid`)).resolves.toBe(0);
    await expect(
      server.app.db.withTenant(b.tenantId, (tx) => tx.$executeRaw`
        INSERT INTO detections (tenant_id, image_id, gallery_id, captured_at, x1, y1, x2, y2, score, student_model_id)
        VALUES (${a.tenantId}::uuid, ${imagesOf.get(a.tenantId)![0]!}::uuid, ${a.galleryId}::uuid, now(), 0, 0, 1, 1, 0.5, ${FIXTURE_STUDENT_ID})`),
    ).rejects.toThrow(/row-level security/);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM detections WHERE tenant_id = ${a.tenantId}::uuid AND score < 0.05`)).toBe(0);
  });

  it('routes new frames into the isolated partition and deletes through it', async () => {
    const blobId = (await server.putBlob(await jpegImage(160, 160, 7), 'image/jpeg', a.device)).body.blobId as string;
    await ingest(a, blobId, 'after-isolation', 50);
    const inPartition = () => countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM ${Prisma.raw(`"${partitionOfA()}"`)}`);
    expect(await inPartition()).toBe((FRAMES + 1) * PER_FRAME);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM detections_shared WHERE tenant_id = ${a.tenantId}::uuid`)).toBe(0);
    const deleted = await server.gql(DeleteImageDocument, { id: imagesOf.get(a.tenantId)!.at(-1)! }, a.admin);
    expect(deleted.errors).toBeUndefined();
    expect(await inPartition()).toBe(FRAMES * PER_FRAME);
  });

  it('loses no frame ingested while a tenant is being isolated: each waits for the move and lands once, in the new partition', async () => {
    const c = await createTenantWithKeys(server, 'partition-c');
    const blobId = (await server.putBlob(await jpegImage(160, 160, 9), 'image/jpeg', c.device)).body.blobId as string;
    for (let frame = 0; frame < 20; frame++) await ingest(c, blobId, `before-${frame}`, 300 + frame);
    const frame = (key: string, seed: number) => ({
      idempotencyKey: key, galleryId: c.galleryId, blobId, capturedAt: '2026-02-02T08:00:00.000Z', modelId: FIXTURE_STUDENT_ID,
      detections: [{ box: { x1: 5, y1: 5, x2: 40, y2: 120 }, score: 0.8, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, seed)) }],
    });
    let movedAt = Number.POSITIVE_INFINITY;
    // Ingests racing the move; one that fails is retried with the same idempotency key, as a kiosk would.
    const racing = Array.from({ length: 24 }, async (_, index) => {
      await new Promise((resolve) => setTimeout(resolve, index * 5));
      const input = frame(`during-${index}`, 400 + index);
      let response = await server.gql(IngestFrameDocument, { input }, c.device);
      for (let retry = 0; retry < 3 && response.errors; retry++) {
        firstTryErrors.push(response.errors[0]!.message);
        response = await server.gql(IngestFrameDocument, { input }, c.device);
      }
      finished.push(performance.now());
      return response.errors ? `failed: ${response.errors[0]!.message}` : 'ok';
    });
    const finished: number[] = [];
    const firstTryErrors: string[] = [];
    const started = performance.now();
    const [moved, ...outcomes] = await Promise.all([isolateTenantDetections(server.app.db, c.tenantId).finally(() => (movedAt = performance.now())), ...racing]);
    expect(outcomes).toEqual(outcomes.map(() => 'ok'));
    // Ingests wait for the move instead of failing: the move takes its locks in the order an ingest does
    // (before that order, ingests racing it died in deadlocks and only their retries landed).
    expect(firstTryErrors).toEqual([]);
    // The race was real: some ingests finished while the move ran, or after it, not all before it started.
    expect(finished.some((at) => at > started && at <= movedAt) || finished.some((at) => at > movedAt)).toBe(true);
    expect(moved.isolated).toBe(true);
    const partition = `detections_t_${c.tenantId.replaceAll('-', '')}`;
    // Every frame's detections exactly once, all in the tenant's partition.
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM ${Prisma.raw(`"${partition}"`)}`)).toBe(20 * PER_FRAME + 24);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM detections_shared WHERE tenant_id = ${c.tenantId}::uuid`)).toBe(0);
    expect(await countAsSystem(Prisma.sql`SELECT count(*)::int AS count FROM images WHERE tenant_id = ${c.tenantId}::uuid`)).toBe(20 + 24);
  });

  it('is idempotent and refuses an unknown tenant', async () => {
    expect(await isolateTenantDetections(server.app.db, a.tenantId)).toEqual({ partition: partitionOfA(), isolated: true, rows: FRAMES * PER_FRAME, moved: false });
    await expect(isolateTenantDetections(server.app.db, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/no tenant/);
    await expect(tenantPartition(server.app.db, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(/no tenant/);
    await expect(isolateTenantDetections(server.app.db, 'not-a-uuid')).rejects.toThrow(/must be a uuid/);
    expect(await tenantPartition(server.app.db, b.tenantId)).toMatchObject({ partition: 'detections_shared', isolated: false });
  });
});
