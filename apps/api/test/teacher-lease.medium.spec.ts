// The teacher lease with a real worker process, on Postgres (a second process
// cannot share an embedded PGlite): a child worker claims a batch and stalls
// in it; its heartbeats keep the rows away from other workers past the
// initial lease; after `kill -9` of the child, a surviving worker takes the
// rows over within about one lease and finishes every one, each claimed
// exactly twice (the dead claim and the survivor's).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestFrameDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimPendingDetections } from '../src/lib/repositories/teacher-queue-repository.js';
import { TeacherWorker } from '../src/lib/worker/teacher-worker.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, unitEmbedding, writeManifestOnlyModels } from './support/fixtures.js';
import { linkOsnetTeacher, missing, mot17Dir, osnetDir, readSequences } from './support/shared-data.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const LEASE_SECONDS = 3;
const skipReason = !process.env.TEST_DATABASE_URL
  ? 'TEST_DATABASE_URL is not set (a worker in another process needs a shared Postgres)'
  : missing(mot17Dir, path.join(osnetDir, 'model.onnx'));
if (skipReason) console.log(`teacher lease suite skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('teacher lease with heartbeats (postgres, worker process killed)', () => {
  let server: TestServer;
  let child: ChildProcess | null = null;
  let env: Record<string, string>;
  const detectionIds: string[] = [];

  const rows = () =>
    server.app.db.asSystem((tx) =>
      tx.$queryRaw<{ status: string; attempts: number; leaseLeftMs: number }[]>`
        SELECT teacher_status::text AS status, teacher_attempts AS attempts,
               (extract(epoch FROM teacher_next_attempt_at - now()) * 1000)::float8 AS "leaseLeftMs"
        FROM detections WHERE id = ANY(${detectionIds}::uuid[])`);

  beforeAll(async () => {
    const modelsDir = await mkdtemp(path.join(os.tmpdir(), 'api-models-'));
    const fixtures = await writeManifestOnlyModels(modelsDir);
    const teacherId = await linkOsnetTeacher(modelsDir);
    env = { ...fixtures.env, TEACHER_MODEL_ID: teacherId };
    server = await startTestServer({ backend: 'postgres', env });
    const tenant = await createTenantWithKeys(server, 'lease');
    const sequence = (await readSequences()).find((s) => s.name.startsWith('MOT17-05'))!;
    for (const [index, frame] of sequence.frames.slice(0, 2).entries()) {
      const blobId = (await server.putBlob(await readFile(frame.file), 'image/jpeg', tenant.device)).body.blobId as string;
      const boxes = sequence.groundTruth.filter((gt) => gt.frame === frame.index && gt.visibility > 0.3).slice(0, 5);
      const response = await server.gql(IngestFrameDocument, {
        input: {
          idempotencyKey: `lease-${index}`, galleryId: tenant.galleryId, blobId, capturedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(),
          modelId: FIXTURE_STUDENT_ID,
          detections: boxes.map((gt, i) => ({ box: gt.box, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, gt.identity * 10 + i)) })),
        },
      }, tenant.device);
      expect(response.errors).toBeUndefined();
      detectionIds.push(...response.data!.ingestFrame.detections.map((d) => d.id));
    }
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await server?.close();
  });

  it('a killed worker’s batch is taken over within about one lease and finished exactly once', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', 'test/support/teacher-worker-child.ts'], {
      cwd: path.resolve(import.meta.dirname, '..'),
      env: {
        ...process.env, ...env, DATABASE_URL: server.app.config.databaseUrl!, DATA_DIR: server.dataDir, LOG_LEVEL: 'silent',
        WORKER_LEASE_SECONDS: String(LEASE_SECONDS), WORKER_BATCH_SIZE: '100', BLOB_DELAY_MS: '120000',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child!.on('exit', (code, signal) => resolve(signal ? null : code)));

    // The child claims the whole batch (one claim each) and stalls in it.
    const claimDeadline = Date.now() + 60_000;
    while ((await rows()).some((row) => row.attempts < 1) && Date.now() < claimDeadline) await sleep(100);
    expect((await rows()).map((row) => row.attempts)).toEqual(detectionIds.map(() => 1));

    // Two leases later the rows are still held: heartbeats keep renewing them.
    await sleep(2 * LEASE_SECONDS * 1000);
    for (const row of await rows()) {
      expect(row.status).toBe('pending');
      expect(row.leaseLeftMs).toBeGreaterThan(0);
    }
    expect(await server.app.db.asSystem((tx) => claimPendingDetections(tx, 100, LEASE_SECONDS))).toEqual([]);

    child.kill('SIGKILL');
    expect(await exited).toBeNull();
    const killedAt = performance.now();
    const survivor = new TeacherWorker(server.app, { batchSize: 100, pollMs: 100, maxAttempts: 5, maxPixels: 40e6, leaseSeconds: LEASE_SECONDS });
    let handled = 0;
    while (handled < detectionIds.length && performance.now() - killedAt < 30_000) {
      const n = await survivor.runOnce();
      handled += n;
      if (n === 0) await sleep(100);
    }
    const takeoverSeconds = (performance.now() - killedAt) / 1000;
    console.log(`teacher lease: ${detectionIds.length} detections finished ${takeoverSeconds.toFixed(1)} s after kill -9 (lease ${LEASE_SECONDS} s)`);
    expect(handled).toBe(detectionIds.length);
    // One lease, plus the survivor's own embedding work on two cores.
    expect(takeoverSeconds).toBeLessThan(LEASE_SECONDS + 15);
    expect(await rows()).toEqual(detectionIds.map(() => ({ status: 'done', attempts: 2, leaseLeftMs: expect.any(Number) })));
  });
});
