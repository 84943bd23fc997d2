// Data and databases for `npm run bench:search`: a throwaway Postgres database
// (or an in-memory PGlite) behind a real in-process API with manifest-only
// models (embedding queries never run a model), two tenants of clustered
// 128-d vectors over three galleries and 100 days, loaded in bulk with the
// model's HNSW index dropped and then rebuilt (the build is timed).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { DEFAULT_STUDENT_GRAPH, Prisma, registerEmbeddingModelSql } from '@person-search/db';
import { print } from 'graphql';
import { CreateGalleryDocument, CreateTenantDocument } from '@person-search/schema';
import pg from 'pg';
import { createApp, type AppContext } from '../src/lib/app.js';
import { loadConfig } from '../src/lib/config.js';
import { ApiClient } from '../src/lib/demo/api-client.js';
import { startHttpServer, type RunningServer } from '../src/lib/http/server.js';
import { insertDetections } from '../src/lib/repositories/detections-repository.js';
import { insertImage } from '../src/lib/repositories/images-repository.js';

export const BENCH_STUDENT_ID = 'bench-student';
export const DIMENSION = 128;
export const DAY_MS = 86_400_000;
export const START = Date.UTC(2026, 0, 1);
const IDENTITIES = 2000;
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

/** Deterministic pseudo-random numbers (mulberry32), so every run loads the same vectors. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Identity centres: `seed` 7 is the set every tenant shares unless loaded with people of its own. */
function identityCentres(seed: number): Float32Array[] {
  const next = random(seed);
  return Array.from({ length: IDENTITIES }, () => Float32Array.from({ length: DIMENSION }, () => next() * 2 - 1));
}
const centres = identityCentres(7);

/** A noisy view of identity `seed % IDENTITIES`, unit length (clustered like re-ID vectors). */
export function clusteredVector(seed: number, next: () => number, people: Float32Array[] = centres): Float32Array {
  const centre = people[seed % IDENTITIES]!;
  const vector = centre.map((value) => value + (next() * 2 - 1) * 0.6);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
}

async function writeBenchModels(teacherDir: string | null): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-models-'));
  const input = { name: 'image', layout: 'NCHW', height: 64, width: 64, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] };
  const common = { schemaVersion: 1, version: '1.0.0', file: 'model.onnx', sha256: 'a'.repeat(64), license: 'MIT', source: 'bench (manifest only)', input };
  const manifests = [
    { ...common, id: BENCH_STUDENT_ID, role: 'student', family: 'end-to-end', output: { decoder: 'end-to-end', tensors: { boxes: 'boxes', scores: 'scores', embeddings: 'embeddings' }, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 100 }, embedding: { tensor: 'embeddings', dimension: DIMENSION, normalized: true } },
    { ...common, id: 'bench-teacher', role: 'teacher', family: 'reid-embedder', embedding: { tensor: 'embeddings', dimension: 8, normalized: true } },
  ];
  for (const manifest of manifests) {
    await mkdir(path.join(dir, manifest.id), { recursive: true });
    await writeFile(path.join(dir, manifest.id, 'manifest.json'), JSON.stringify(manifest));
  }
  if (teacherDir) {
    await mkdir(path.join(dir, 'default-teacher'));
    for (const file of ['manifest.json', 'model.onnx']) await symlink(path.join(teacherDir, file), path.join(dir, 'default-teacher', file));
  }
  return dir;
}

export interface BenchEnvironment {
  backend: 'pglite' | 'postgres';
  /** The throwaway Postgres database's URL (null on PGlite). */
  databaseUrl: string | null;
  app: AppContext;
  server: RunningServer;
  close(): Promise<void>;
}

/** The API on a fresh database: Postgres from `adminUrl` (CREATE DATABASE, dropped after), else PGlite in memory. */
/** `teacherDir`: a real teacher package to use (the worker bench); otherwise a manifest-only one. */
export async function startBenchApi(adminUrl: string | null, env: Record<string, string> = {}, teacherDir: string | null = null): Promise<BenchEnvironment> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bench-search-'));
  let databaseUrl: string | undefined;
  const name = `person_search_bench_${randomBytes(5).toString('hex')}`;
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const base = loadConfig({ DATA_DIR: dataDir, MODELS_DIR: await writeBenchModels(teacherDir), STUDENT_MODEL_ID: BENCH_STUDENT_ID, TEACHER_MODEL_ID: teacherDir ? 'default-teacher' : 'bench-teacher', LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', OPERATOR_TOKEN, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env });
  const app = await createApp({ ...base, worker: { ...base.worker, inProcess: false } }, { dataDirForDatabase: databaseUrl ? dataDir : 'memory://' });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  return {
    backend: adminUrl ? 'postgres' : 'pglite',
    databaseUrl: databaseUrl ?? null,
    app,
    server,
    async close() {
      await server.close();
      await app.close();
      if (adminUrl) {
        const admin = new pg.Client({ connectionString: adminUrl });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}

/**
 * Retries once when a kept-alive connection was reset: after a long load the server's keep-alive
 * timer and fetch's connection reuse can race (the request never reached the API).
 */
export async function retryReset<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if ((error as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw error;
    return work();
  }
}

export interface LoadedTenant {
  tenantId: string;
  adminKey: string;
  galleries: string[];
  /** A sample of loaded vectors (query seeds). */
  samples: Float32Array[];
}

/**
 * Creates a tenant with three galleries and `rows` detections (50 per frame, frames spread over 100 days).
 * `ownPeople`: its identities are its own (another venue's people), not the set the other tenants share.
 */
export async function loadTenant(bench: BenchEnvironment, name: string, rows: number, seed: number, ownPeople = false): Promise<LoadedTenant> {
  const people = ownPeople ? identityCentres(1000 + seed) : centres;
  const { app } = bench;
  const operator = new ApiClient(bench.server.url, OPERATOR_TOKEN);
  const created = (await retryReset(() => operator.graphql(CreateTenantDocument, { input: { name } }))).createTenant;
  const tenantId = created.tenant.id;
  const admin = new ApiClient(bench.server.url, created.adminKey.secret);
  const galleries: { id: string }[] = [];
  for (const g of ['a', 'b', 'c']) galleries.push((await retryReset(() => admin.graphql(CreateGalleryDocument, { input: { name: `${name}-${g}` } }))).createGallery);
  const next = random(seed);
  const samples: Float32Array[] = [];
  const perFrame = 50;
  const frames = Math.ceil(rows / perFrame);
  for (let start = 0; start < frames; start += 40) {
    await app.db.withTenant(tenantId, async (tx) => {
      for (let frame = start; frame < Math.min(frames, start + 40); frame++) {
        const image = await insertImage(tx, tenantId, {
          id: crypto.randomUUID(), galleryId: galleries[frame % 3]!.id, deviceId: null, idempotencyKey: `${name}-${frame}`, blobSha256: 'b'.repeat(64),
          contentType: 'image/jpeg', width: 1920, height: 1080, bytes: 1, capturedAt: new Date(START + ((frame * 37) % 100) * DAY_MS + frame * 1000),
        });
        const detections = Array.from({ length: Math.min(perFrame, rows - frame * perFrame) }, (_, i) => ({
          id: crypto.randomUUID(), box: { x1: 0, y1: 0, x2: 10, y2: 20 }, score: 0.9, embedding: clusteredVector(frame * perFrame + i, next, people),
        }));
        if (frame % 97 === 0) samples.push(detections[0]!.embedding);
        await insertDetections(tx, tenantId, image, BENCH_STUDENT_ID, detections);
      }
    }, { timeout: 600_000 });
  }
  return { tenantId, adminKey: created.adminKey.secret, galleries: galleries.map((g) => g.id), samples };
}

/** A server setting as SHOW prints it (e.g. shared_buffers '4GB'): recorded beside build and search figures. */
export async function serverSetting(bench: BenchEnvironment, name: 'shared_buffers'): Promise<string> {
  const [row] = await bench.app.db.asSystem((tx) => tx.$queryRaw<{ value: string }[]>`SELECT current_setting(${name}) AS value`);
  return row?.value ?? 'unknown';
}

/** Drops the student model's HNSW index (before a bulk load). */
export async function dropStudentIndex(bench: BenchEnvironment): Promise<void> {
  const rows = await bench.app.db.asSystem((tx) => tx.$queryRaw<{ name: string }[]>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'detections' AND indexname LIKE 'detections_student_bench_student_%'`);
  // Names come from pg_indexes (not from input); an identifier cannot be a bind parameter.
  for (const { name } of rows) await bench.app.db.asSystem((tx) => tx.$executeRaw(Prisma.sql`DROP INDEX ${Prisma.raw(`"${name}"`)}`));
}

export interface IndexBuild {
  seconds: number;
  /**
   * Seconds each partition's graph took, in build order (Postgres, from pg_stat_progress_create_index
   * polled every 200 ms by a second connection; the index on the partitioned table builds its
   * partitions one after the other). Empty on PGlite.
   */
  partitionSeconds: number[];
}

/**
 * Polls the build's progress; `stop(end)` returns when each partition's graph was finished, in seconds
 * since `started`: the partitions seen done, then `end` (when the statement returned) for the rest, as
 * the progress row is gone before a poll sees the last partition done.
 */
async function watchPartitionBuilds(databaseUrl: string, started: number): Promise<(end: number) => Promise<number[]>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const finished: number[] = [];
  let total = 0;
  let polling = Promise.resolve();
  const timer = setInterval(() => {
    polling = polling.then(async () => {
      const { rows } = await client.query<{ done: number; total: number }>(`SELECT partitions_done::int AS done, partitions_total::int AS total FROM pg_stat_progress_create_index WHERE datname = current_database()`);
      const now = (performance.now() - started) / 1000;
      for (const row of rows) {
        total = Math.max(total, row.total);
        while (row.done > finished.length) finished.push(now);
      }
    }).catch(() => undefined);
  }, 200);
  return async (end) => {
    clearInterval(timer);
    await polling;
    await client.end();
    while (finished.length < total) finished.push(end);
    return finished;
  };
}

/**
 * Rebuilds it through register_embedding_model with `maintenanceWorkMem` (the graph must fit, or
 * the build spills and slows several-fold) and up to `parallelWorkers` parallel workers (Postgres).
 */
export async function buildStudentIndex(bench: BenchEnvironment, maintenanceWorkMem: string, parallelWorkers: number, graph: { m?: number; efConstruction?: number } = {}): Promise<IndexBuild> {
  const started = performance.now();
  const stopWatching = bench.databaseUrl ? await watchPartitionBuilds(bench.databaseUrl, started) : null;
  let registered = 0;
  await bench.app.db.asSystem(async (tx) => {
    await tx.$queryRaw`SELECT set_config('maintenance_work_mem', ${maintenanceWorkMem}, true)`;
    if (bench.backend === 'postgres') await tx.$queryRaw`SELECT set_config('max_parallel_maintenance_workers', ${String(parallelWorkers)}, true)`;
    // The product's graph unless the bench is told otherwise.
    const { m = DEFAULT_STUDENT_GRAPH.m, efConstruction = DEFAULT_STUDENT_GRAPH.efConstruction } = graph;
    await tx.$queryRaw(registerEmbeddingModelSql({ id: BENCH_STUDENT_ID, version: '1.0.0', role: 'student', dimension: DIMENSION, sha256: 'a'.repeat(64), graph: { m, efConstruction } }));
    registered = (performance.now() - started) / 1000;
    await tx.$executeRaw`ANALYZE detections`;
  }, { timeout: 3_600_000 });
  const seconds = (performance.now() - started) / 1000;
  const ends = stopWatching ? await stopWatching(registered) : [];
  const partitionSeconds = ends.map((end, i) => end - (i === 0 ? 0 : ends[i - 1]!));
  return { seconds, partitionSeconds };
}

/** A serialised GraphQL request whose answer is `T`. */
export type RequestBody<T> = string & { readonly answer?: T };

/**
 * A second GraphQL client for latency figures: node:http with one kept-alive socket and the document printed
 * once. ApiClient (fetch) spent 0.8–2.5 ms more of this process's CPU per search request (2.0–4.1 ms per
 * ingest) on WHATWG streams and, until it cached it, on printing the document, which lands in the measured latency because the bench and the API share one process.
 */
export class KeepAliveGraphqlClient {
  readonly #agent: http.Agent;
  readonly #url: URL;
  readonly #printed = new Map<unknown, string>();

  /** `sockets`: kept-alive connections (one per concurrent caller). */
  constructor(baseUrl: string, private readonly credential: string, sockets = 1) {
    this.#url = new URL('/graphql', baseUrl);
    this.#agent = new http.Agent({ keepAlive: true, maxSockets: sockets });
  }

  graphql<T, V>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
    return this.send(this.body(document, variables));
  }

  /**
   * The request body of a call, so a benchmark can build it before its clock starts: a kiosk encodes
   * its embeddings and serialises its request on its own device, not on the API's CPU.
   */
  body<T, V>(document: TypedDocumentNode<T, V>, variables: V): RequestBody<T> {
    let query = this.#printed.get(document);
    if (query === undefined) this.#printed.set(document, (query = print(document)));
    return JSON.stringify({ query, variables }) as RequestBody<T>;
  }

  send<T>(body: RequestBody<T>): Promise<T> {
    return new Promise((resolve, reject) => {
      const request = http.request({
        agent: this.#agent, host: this.#url.hostname, port: this.#url.port, path: this.#url.pathname, method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.credential}`, 'content-length': Buffer.byteLength(body) },
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
            if (parsed.errors?.length) reject(new Error(`${parsed.errors[0]!.extensions?.code ?? 'ERROR'}: ${parsed.errors[0]!.message}`));
            else resolve(parsed.data!);
          } catch (error) {
            reject(error);
          }
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
