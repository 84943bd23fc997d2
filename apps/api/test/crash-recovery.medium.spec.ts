// Crash recovery with exact counts, on a private Postgres cluster: edges keep
// ingesting (and retrying with idempotency keys) while (a) Postgres crashes
// (`pg_ctl stop -m immediate`) and comes back, and (b) the API server process
// is killed with SIGKILL and started again. Afterwards the database holds
// exactly N frames and N×D detections: none lost, none duplicated, and each
// key's row is the one the API acknowledged.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, writeManifestOnlyModels } from './support/fixtures.js';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './support/private-postgres.js';
import { DETECTIONS_PER_FRAME, ingestWithRetries, type IngestRun } from './support/retrying-ingest.js';
import { OPERATOR_TOKEN, startTestServer } from './support/test-server.js';

const FRAMES = 60;

/**
 * A random port free on 127.0.0.1 now, below the kernel's ephemeral range. Fixed ports collided with
 * anything else listening there (another run of this suite included); a port from the ephemeral range
 * (listen(0)) could, while the crashed server is down, become the local port of a client retrying
 * towards it (a self-connect), and the restart could not bind it.
 */
async function freePort(): Promise<number> {
  let ephemeralStart = 32_768; // Linux default
  try {
    ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || ephemeralStart;
  } catch {
    // not Linux: keep the default
  }
  for (;;) {
    const port = 10_000 + Math.floor(Math.random() * Math.max(1, ephemeralStart - 10_000));
    const server = createServer();
    const listening = await new Promise<boolean>((resolve) => server.once('error', () => resolve(false)).listen(port, '127.0.0.1', () => resolve(true)));
    if (!listening) continue;
    await new Promise((resolve) => server.close(resolve));
    return port;
  }
}

const skipReason = !process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL is not set (crash tests run where Postgres does)' : privatePostgresUnavailable();
if (skipReason) console.log(`crash-recovery suite skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('crash recovery with exact counts (private Postgres)', () => {
  let postgres: PrivatePostgres;
  let modelsEnv: Record<string, string>;

  beforeAll(async () => {
    postgres = await startPrivatePostgres(await freePort());
    modelsEnv = (await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')))).env;
  });
  afterAll(() => postgres?.destroy());

  /** Frames and detections stored under the run's keys, and whether each key maps to the acknowledged image. */
  async function storedCounts(database: string, tenantId: string, run: IngestRun) {
    const images = await postgres.query<{ id: string; key: string }>(database, 'SELECT id::text, idempotency_key AS key FROM images WHERE tenant_id = $1', [tenantId]);
    const [detections] = await postgres.query<{ count: number }>(database, 'SELECT count(*)::int AS count FROM detections WHERE tenant_id = $1', [tenantId]);
    const mismatched = images.filter((image) => run.acknowledged.get(image.key) !== image.id).length;
    return { frames: images.length, distinctKeys: new Set(images.map((image) => image.key)).size, detections: detections!.count, mismatched };
  }

  const exactly = { frames: FRAMES, distinctKeys: FRAMES, detections: FRAMES * DETECTIONS_PER_FRAME, mismatched: 0 };

  it('(a) Postgres crashes and restarts mid-ingest: exactly N frames', async () => {
    await postgres.createDatabase('crash_a');
    const server = await startTestServer({ env: { ...modelsEnv, DATABASE_URL: postgres.url('crash_a'), RATE_LIMIT_PER_MINUTE: '0' } });
    try {
      const tenant = await createTenantWithKeys(server, 'crash-a');
      let crash: Promise<void> | null = null;
      const started = performance.now();
      const run = await ingestWithRetries({
        baseUrl: () => server.url, credential: tenant.device, galleryId: tenant.galleryId, count: FRAMES, clients: 4, deadlineMs: 75_000,
        onProgress: (done) => {
          if (done === Math.floor(FRAMES / 3) && !crash) crash = postgres.crashAndRestart(1500);
        },
      });
      await crash;
      console.log(`crash (a): ${FRAMES} frames in ${((performance.now() - started) / 1000).toFixed(1)} s across a Postgres crash, ${run.retries} retried attempts`);
      expect(run.acknowledged.size).toBe(FRAMES);
      expect(run.retries).toBeGreaterThan(0);
      expect(await storedCounts('crash_a', tenant.tenantId, run)).toEqual(exactly);
    } finally {
      await server.close();
    }
  });

  it('(b) the API server is killed with SIGKILL mid-ingest and restarted: exactly N frames', async () => {
    await postgres.createDatabase('crash_b');
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'person-search-crash-'));
    const API_PORT = await freePort();
    const env = {
      ...process.env, ...modelsEnv, DATABASE_URL: postgres.url('crash_b'), DATA_DIR: dataDir, PORT: String(API_PORT), HOST: '127.0.0.1',
      OPERATOR_TOKEN, WORKER_IN_PROCESS: 'false', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn',
    };
    const baseUrl = `http://127.0.0.1:${API_PORT}`;
    let api: ChildProcess | null = null;

    async function startApi(): Promise<ChildProcess> {
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: path.resolve(import.meta.dirname, '..'), env, stdio: ['ignore', 'ignore', 'inherit'] });
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        if (await fetch(`${baseUrl}/healthz`).then((response) => response.ok, () => false)) return child;
        if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode} during start-up`);
        await sleep(200);
      }
      throw new Error('the API did not answer /healthz within 60 s');
    }

    async function gql<T, V>(document: TypedDocumentNode<T, V>, variables: V, credential: string): Promise<T> {
      const response = await fetch(`${baseUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await response.json()) as { data: T; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data;
    }

    try {
      api = await startApi();
      const created = await gql(CreateTenantDocument, { input: { name: 'crash-b' } }, OPERATOR_TOKEN);
      const admin = created.createTenant.adminKey.secret;
      const galleryId = (await gql(CreateGalleryDocument, { input: { name: 'crash-b' } }, admin)).createGallery.id;
      const device = (await gql(CreateApiKeyDocument, { input: { name: 'edge', role: 'DEVICE' } }, admin)).createApiKey.secret;

      let restart: Promise<void> | null = null;
      const started = performance.now();
      const run = await ingestWithRetries({
        baseUrl: () => baseUrl, credential: device, galleryId, count: FRAMES, clients: 4, deadlineMs: 85_000,
        onProgress: (done) => {
          if (done !== Math.floor(FRAMES / 3) || restart) return;
          const killed = api!;
          restart = (async () => {
            const exited = new Promise((resolve) => killed.once('exit', resolve));
            killed.kill('SIGKILL');
            await exited;
            api = await startApi();
          })();
        },
      });
      await restart;
      console.log(`crash (b): ${FRAMES} frames in ${((performance.now() - started) / 1000).toFixed(1)} s across kill -9 of the API, ${run.retries} retried attempts`);
      expect(run.acknowledged.size).toBe(FRAMES);
      expect(run.retries).toBeGreaterThan(0);
      expect(await storedCounts('crash_b', created.createTenant.tenant.id, run)).toEqual(exactly);
    } finally {
      api?.kill('SIGKILL');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
