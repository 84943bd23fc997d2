// The teacher worker against the real OSNet teacher (../shared) and real
// MOT17 frames: it embeds pending detections, claims whole frames, resumes
// claims left by a dead worker, retries with backoff and marks poison items failed with a reason;
// concurrent claimers on Postgres never share a row. searchPerson re-ranks
// with the teacher, computing missing teacher vectors on demand.
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DetectionDocument, IngestFrameDocument, SearchPersonDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TeacherWorker } from '../src/lib/worker/teacher-worker.js';
import { claimPendingDetections } from '../src/lib/repositories/teacher-queue-repository.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { linkOsnetTeacher, missing, mot17Dir, osnetDir, readSequences, type Mot17Sequence } from './support/shared-data.js';
import { backends, startTestServer, type TestServer } from './support/test-server.js';

const skipReason = missing(mot17Dir, path.join(osnetDir, 'model.onnx'));
if (skipReason) console.log(`worker suite skipped: ${skipReason}`);

describe.skipIf(skipReason !== null).each(backends())('teacher worker with the OSNet teacher (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;
  let sequence: Mot17Sequence;
  const blobs: string[] = [];

  async function ingest(frameIndex: number, key: string) {
    const frame = sequence.frames[frameIndex]!;
    const boxes = sequence.groundTruth.filter((gt) => gt.frame === frame.index && gt.visibility > 0.3).slice(0, 6);
    const response = await server.gql(IngestFrameDocument, {
      input: {
        idempotencyKey: key,
        galleryId: tenant.galleryId,
        blobId: blobs[frameIndex]!,
        capturedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, frameIndex)).toISOString(),
        modelId: FIXTURE_STUDENT_ID,
        // Client-supplied student vectors: this suite is about the teacher.
        detections: boxes.map((gt, i) => ({ box: gt.box, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, gt.identity * 100 + i)) })),
      },
    }, tenant.device);
    expect(response.errors).toBeUndefined();
    return response.data!.ingestFrame;
  }

  const statusOf = async (id: string) => (await server.gql(DetectionDocument, { id }, tenant.admin)).data!.detection.teacherStatus;
  const worker = (options: Partial<ConstructorParameters<typeof TeacherWorker>[1]> = {}) =>
    new TeacherWorker(server.app, { batchSize: 8, pollMs: 50, maxAttempts: 2, maxPixels: 40e6, retryBaseSeconds: 0, ...options });

  beforeAll(async () => {
    const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'api-models-'));
    const fixtures = await writeManifestOnlyModels(modelsDir);
    const teacherId = await linkOsnetTeacher(modelsDir);
    // The re-ranking case computes missing teacher vectors during the search: a budget no busy machine runs out of
    // (the default 1.5 s budget is search-teacher-budget's concern).
    server = await startTestServer({ backend, env: { ...fixtures.env, TEACHER_MODEL_ID: teacherId, SEARCH_TEACHER_BUDGET_MS: '60000' } });
    tenant = await createTenantWithKeys(server, 'worker');
    // MOT17-05 is 640x480: cheap to decode on two cores.
    sequence = (await readSequences()).find((s) => s.name.startsWith('MOT17-05'))!;
    for (const frame of sequence.frames.slice(0, 3)) {
      blobs.push((await server.putBlob(await readFile(frame.file), 'image/jpeg', tenant.device)).body.blobId as string);
    }
  });
  afterAll(() => server?.close());

  it('embeds pending detections with the teacher and stores unit vectors', async () => {
    const ingested = await ingest(0, 'w-0');
    expect(await statusOf(ingested.detections[0]!.id)).toBe('PENDING');
    let handled = 0;
    for (let n = await worker().runOnce(); n > 0; n = await worker().runOnce()) handled += n;
    expect(handled).toBe(ingested.detections.length);
    const norms = await server.app.db.withTenant(tenant.tenantId, (tx) =>
      tx.$queryRaw<{ norm: number; dims: number }[]>`SELECT l2_norm(teacher_embedding)::float8 AS norm, vector_dims(teacher_embedding) AS dims FROM detections WHERE teacher_status = 'done'`);
    expect(norms).toHaveLength(ingested.detections.length);
    for (const row of norms) expect(row).toEqual({ norm: expect.closeTo(1, 4), dims: 512 });
  });

  it('resumes work claimed by a worker that died (lease expired)', async () => {
    const ingested = await ingest(1, 'w-1');
    // A worker claims with a zero lease and "dies" before writing anything.
    const claimed = await server.app.db.asSystem((tx) => claimPendingDetections(tx, 100, 0));
    expect(claimed.map((row) => row.id).sort()).toEqual(ingested.detections.map((d) => d.id).sort());
    expect(await worker().runOnce()).toBe(ingested.detections.length);
    for (const detection of ingested.detections) expect(await statusOf(detection.id)).toBe('DONE');
  });

  it('claims whole frames with their blob: a batch of one takes every due row of the first frame', async () => {
    const ingested = await ingest(1, 'w-1-whole');
    expect(ingested.detections.length).toBeGreaterThan(1);
    const claimed = await server.app.db.asSystem((tx) => claimPendingDetections(tx, 1, 0));
    expect(claimed.map((row) => row.id).sort()).toEqual(ingested.detections.map((d) => d.id).sort());
    expect(new Set(claimed.map((row) => `${row.imageId} ${row.imageBlobSha256}`))).toEqual(new Set([`${ingested.image.id} ${blobs[1]}`]));
    expect(await worker().runOnce()).toBe(ingested.detections.length);
  });

  it('retries a failing item and marks it failed with the reason after maxAttempts', async () => {
    const ingested = await ingest(2, 'w-2');
    // The frame's blob disappears from storage: every attempt fails.
    await server.app.blobs.delete(tenant.tenantId, blobs[2]!);
    const flaky = worker({ maxAttempts: 2 });
    await flaky.runOnce();
    expect(await statusOf(ingested.detections[0]!.id)).toBe('PENDING');
    await flaky.runOnce();
    expect(await statusOf(ingested.detections[0]!.id)).toBe('FAILED');
    const rows = await server.app.db.withTenant(tenant.tenantId, (tx) => tx.detection.findMany({ where: { imageId: ingested.image.id } }));
    for (const row of rows) {
      expect(row.teacherAttempts).toBe(2);
      expect(row.teacherLastError).toMatch(/ENOENT|no such file/);
    }
    expect(await flaky.runOnce()).toBe(0);
  });

  it.skipIf(backend !== 'postgres')('never hands the same row to two concurrent claimers (SKIP LOCKED)', async () => {
    await server.app.db.asSystem((tx) => tx.$executeRaw`UPDATE detections SET teacher_status = 'pending', teacher_next_attempt_at = now(), teacher_attempts = 0`);
    const [first, second] = await Promise.all([1, 2].map(() => server.app.db.asSystem((tx) => claimPendingDetections(tx, 5, 300))));
    const firstIds = new Set(first!.map((row) => row.id));
    expect(first!.length + second!.length).toBeGreaterThan(0);
    expect(second!.filter((row) => firstIds.has(row.id))).toEqual([]);
    await server.app.db.asSystem((tx) => tx.$executeRaw`UPDATE detections SET teacher_status = 'done' WHERE teacher_embedding IS NOT NULL`);
  });

  it('re-ranks search results with the teacher, computing missing teacher vectors on demand', async () => {
    await server.app.db.withTenant(tenant.tenantId, (tx) => tx.$executeRaw`UPDATE detections SET teacher_status = 'pending', teacher_embedding = NULL, teacher_model_id = NULL WHERE image_id IN (SELECT id FROM images WHERE idempotency_key = 'w-1')`);
    const query = (await server.gql(DetectionDocument, { id: (await ingest(0, 'w-0')).detections[0]!.id }, tenant.admin)).data!.detection;
    const response = await server.gql(SearchPersonDocument, { input: { query: { detectionId: query.id }, topK: 5, candidatePool: 50 } }, tenant.search);
    expect(response.errors).toBeUndefined();
    const { hits, stats } = response.data!.searchPerson;
    expect(stats.reranked).toBeGreaterThan(0);
    expect(stats.teacherComputed).toBeGreaterThan(0);
    expect(hits[0]!.teacherScore).not.toBeNull();
    expect(hits[0]!.score).toBe(hits[0]!.teacherScore);
    const scores = hits.map((hit) => hit.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });
});
