// Ingest and teacher-worker parts of `npm run bench:search`: ingestFrame
// through GraphQL with 1, 4 and 16 concurrent clients against the same insert
// made directly (the repository statement ingestFrame runs, in a tenant
// transaction on the driver: no HTTP/GraphQL/validation) at the same
// concurrency, with a row-count check; and the teacher worker's crops/s against
// the same frames decoded and embedded in-process (model only); and teacher
// vectors stored as halfvec against float32.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Prisma, toVectorSql, type SqlClient } from '@person-search/db';
import { embeddingToBase64 } from '@person-search/model';
import { decodeImage } from '@person-search/model/node';
import { DeviceIngestFrameDocument, DeviceIngestFramesDocument, IngestFrameDocument } from '@person-search/schema';
import sharp from 'sharp';
import { repoRoot } from '../src/lib/config.js';
import { ApiClient } from '../src/lib/demo/api-client.js';
import { readMotDataset } from '../src/lib/evaluation/person-search-datasets.js';
import { insertFrame } from '../src/lib/repositories/images-repository.js';
import { BENCH_STUDENT_ID, clusteredVector, DIMENSION, KeepAliveGraphqlClient, loadTenant, random, retryReset, startBenchApi } from './search-bench-data.js';
import type { Cell, Section } from './results-report.js';

const PER_FRAME = 10;
/** Frames per ingestFrames request (and per transaction of its baseline). */
const BATCH = 8;

/**
 * CPU milliseconds all local `postgres` processes have used (utime + stime from /proc, clock ticks of
 * 10 ms); null where no such process is visible (a remote server, or not Linux).
 */
function postgresCpuMs(): number | null {
  let total = 0;
  let seen = false;
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    if (!stat.includes('(postgres)')) continue;
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * 10;
    seen = true;
  }
  return seen ? total : null;
}

interface Timed {
  seconds: number;
  /** This process's CPU (API + bench client, or the direct inserts) in ms. */
  processCpuMs: number;
  /** Local Postgres processes' CPU in ms (null if none visible). */
  postgresCpuMs: number | null;
}

/** Runs `count` jobs with `clients` workers; returns seconds and the CPU this process and a local Postgres used. */
async function concurrently(count: number, clients: number, job: (index: number) => Promise<void>): Promise<Timed> {
  let next = 0;
  const cpu = process.cpuUsage();
  const postgresBefore = postgresCpuMs();
  const started = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (next < count) await job(next++);
  }));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const postgresAfter = postgresCpuMs();
  return { seconds, processCpuMs: (used.user + used.system) / 1000, postgresCpuMs: postgresBefore === null || postgresAfter === null ? null : postgresAfter - postgresBefore };
}

/**
 * `count` jobs of a baseline and of the API, in the order baseline, API, API, baseline over halves of the
 * jobs: every insert makes the shared HNSW graph larger and the next insert dearer, and autovacuum wakes up
 * between levels, so neither side may run all its jobs in the worse half (a run with the baseline first
 * measured it 2× slower at 4 and 16 clients).
 */
async function interleaved(count: number, clients: number, baseline: (index: number) => Promise<unknown>, api: (index: number) => Promise<unknown>): Promise<{ baseline: Timed; api: Timed }> {
  const half = Math.ceil(count / 2);
  const baselineFirst = await concurrently(half, clients, async (index) => void (await baseline(index)));
  const apiFirst = await concurrently(half, clients, async (index) => void (await api(index)));
  const apiSecond = await concurrently(count - half, clients, async (index) => void (await api(half + index)));
  const baselineSecond = await concurrently(count - half, clients, async (index) => void (await baseline(half + index)));
  return { baseline: addTimed(baselineFirst, baselineSecond), api: addTimed(apiFirst, apiSecond) };
}

function addTimed(a: Timed, b: Timed): Timed {
  return { seconds: a.seconds + b.seconds, processCpuMs: a.processCpuMs + b.processCpuMs, postgresCpuMs: a.postgresCpuMs === null || b.postgresCpuMs === null ? null : a.postgresCpuMs + b.postgresCpuMs };
}

export async function benchIngest(backend: 'pglite' | 'postgres', adminUrl: string | null, frames: number): Promise<Section> {
  const bench = await startBenchApi(adminUrl);
  const rows: Record<string, Cell>[] = [];
  try {
    const tenant = await loadTenant(bench, 'ingest', 0, 3);
    const client = new ApiClient(bench.server.url, tenant.adminKey);
    const jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 90, g: 120, b: 150 } } }).jpeg().toBuffer();
    const { blobId } = await retryReset(() => client.putBlob(jpeg, 'image/jpeg'));
    const next = random(5);
    const vectors = Array.from({ length: 200 }, (_, i) => clusteredVector(i, next));
    const detections = (frame: number) => Array.from({ length: PER_FRAME }, (_, i) => ({ box: { x1: 10 + i * 50, y1: 20, x2: 50 + i * 50, y2: 200 }, score: 0.9, embedding: vectors[(frame * PER_FRAME + i) % vectors.length]! }));
    const capturedAt = (frame: number) => new Date(Date.UTC(2026, 1, 1, 0, 0, frame));
    let expected = 0;
    for (const clients of [1, 4, 16]) {
      const variables = (prefix: string, frame: number) => ({
        input: {
          idempotencyKey: `${prefix}-${clients}-${frame}`, galleryId: tenant.galleries[0]!, blobId, capturedAt: capturedAt(frame).toISOString(), modelId: BENCH_STUDENT_ID,
          detections: detections(frame).map((d) => ({ ...d, embedding: embeddingToBase64(d.embedding) })),
        },
      });
      const keepAlive = new KeepAliveGraphqlClient(bench.server.url, tenant.adminKey, clients);
      // The baseline: the statement ingestFrame runs, in a tenant transaction on the driver as the API's is.
      const insertDirectly = async (sql: SqlClient, key: string, frame: number) => {
        const image = {
          id: crypto.randomUUID(), galleryId: tenant.galleries[0]!, deviceId: null, idempotencyKey: key, blobSha256: blobId,
          contentType: 'image/jpeg', width: 640, height: 480, bytes: jpeg.length, capturedAt: capturedAt(frame),
        };
        const outcome = await insertFrame(sql, tenant.tenantId, image, BENCH_STUDENT_ID, detections(frame).map((d) => ({ ...d, id: crypto.randomUUID() })));
        if (!outcome.inserted) throw new Error(`direct insert ${key} did not insert`);
      };
      // The kiosk's request (the mutation asking only for what a device reads back) against one frame per transaction.
      // Request bodies are built before the clock starts (a kiosk encodes and serialises on its own CPU);
      // the baseline's inputs are built inside it, as the API builds them from a parsed request.
      const deviceBodies = Array.from({ length: frames }, (_, frame) => keepAlive.body(DeviceIngestFrameDocument, variables('api-device', frame)));
      const single = await interleaved(frames, clients,
        (frame) => bench.app.db.withTenantRaw(tenant.tenantId, (sql) => insertDirectly(sql, `direct-${clients}-${frame}`, frame)),
        async (frame) => {
          await keepAlive.send(deviceBodies[frame]!);
        });
      const direct = single.baseline;
      const apiDevice = single.api;
      // IngestFrame's full answer, with fetch (as ApiClient sends it) and with node:http: after, for the record.
      const api = await concurrently(frames, clients, async (frame) => {
        await client.graphql(IngestFrameDocument, variables('api', frame));
      });
      const apiKeepAlive = await concurrently(frames, clients, async (frame) => {
        await keepAlive.graphql(IngestFrameDocument, variables('api-http', frame));
      });
      // A device's backlog: BATCH frames per ingestFrames request, against the same statements BATCH frames per transaction.
      const framesOf = (batch: number) => Array.from({ length: Math.min(BATCH, frames - batch * BATCH) }, (_, i) => batch * BATCH + i);
      const batchBodies = Array.from({ length: Math.ceil(frames / BATCH) }, (_, batch) =>
        keepAlive.body(DeviceIngestFramesDocument, { input: { frames: framesOf(batch).map((frame) => variables('api-batch', frame).input) } }));
      const batched = await interleaved(Math.ceil(frames / BATCH), clients,
        (batch) => bench.app.db.withTenantRaw(tenant.tenantId, async (sql) => {
          for (const frame of framesOf(batch)) await insertDirectly(sql, `direct-batch-${clients}-${frame}`, frame);
        }),
        async (batch) => {
          await keepAlive.send(batchBodies[batch]!);
        });
      const apiBatch = batched.api;
      const directBatch = batched.baseline;
      keepAlive.close();
      expected += 6 * frames * PER_FRAME;
      const [{ count }] = await bench.app.db.withTenant(tenant.tenantId, (tx) => tx.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM detections`) as [{ count: number }];
      const apiRate = (frames * PER_FRAME) / api.seconds;
      const keepAliveRate = (frames * PER_FRAME) / apiKeepAlive.seconds;
      const deviceRate = (frames * PER_FRAME) / apiDevice.seconds;
      const batchRate = (frames * PER_FRAME) / apiBatch.seconds;
      const directBatchRate = (frames * PER_FRAME) / directBatch.seconds;
      const directRate = (frames * PER_FRAME) / direct.seconds;
      const perFrame = (ms: number | null) => (ms === null ? '—' : Math.round((ms / frames) * 100) / 100);
      rows.push({
        backend, clients, 'API detections/s': Math.round(apiRate), 'direct detections/s (baseline)': Math.round(directRate), ratio: apiRate / directRate, 'API detections/s, node:http client': Math.round(keepAliveRate), 'ratio, node:http client': keepAliveRate / directRate, 'API detections/s, device document (node:http)': Math.round(deviceRate), 'ratio, device document': deviceRate / directRate, [`API detections/s, ingestFrames of ${BATCH} (node:http)`]: Math.round(batchRate), [`direct detections/s, ${BATCH} frames per transaction`]: Math.round(directBatchRate), [`ratio, batches of ${BATCH}`]: batchRate / directBatchRate, target: '≥ 0.9', 'row count': `${count}/${expected}${count === expected ? ' ok' : ' MISMATCH'}`,
        'node CPU ms/frame, API': perFrame(api.processCpuMs), 'node CPU ms/frame, API (node:http client)': perFrame(apiKeepAlive.processCpuMs), 'node CPU ms/frame, API (device document)': perFrame(apiDevice.processCpuMs), [`node CPU ms/frame, API (batches of ${BATCH})`]: perFrame(apiBatch.processCpuMs), [`node CPU ms/frame, direct (batches of ${BATCH})`]: perFrame(directBatch.processCpuMs), 'node CPU ms/frame, direct': perFrame(direct.processCpuMs),
        'postgres CPU ms/frame, API': backend === 'postgres' ? perFrame(api.postgresCpuMs) : '—', 'postgres CPU ms/frame, API (device document)': backend === 'postgres' ? perFrame(apiDevice.postgresCpuMs) : '—', [`postgres CPU ms/frame, API (batches of ${BATCH})`]: backend === 'postgres' ? perFrame(apiBatch.postgresCpuMs) : '—', [`postgres CPU ms/frame, direct (batches of ${BATCH})`]: backend === 'postgres' ? perFrame(directBatch.postgresCpuMs) : '—', 'postgres CPU ms/frame, direct': backend === 'postgres' ? perFrame(direct.postgresCpuMs) : '—',
      });
    }
  } finally {
    await bench.close();
  }
  return { title: `Ingest: ingestFrame (${PER_FRAME} detections of ${DIMENSION}-d, ${frames} frames per level; the full IngestFrame answer, the kiosk's DeviceIngestFrame, and ingestFrames of ${BATCH}) vs the same inserts made directly (one frame per transaction, or ${BATCH}); CPU per frame of this process (API and its client, or the direct inserts) and of a local Postgres`, rows };
}

/** `batchSize`: WORKER_BATCH_SIZE for this run (rows claimed per batch). */
export async function benchWorker(batchSize: number): Promise<Section> {
  const title = `Teacher worker (default teacher, MOT17-mini frames, PGlite, WORKER_BATCH_SIZE ${batchSize}) vs decode + embed of the same frames in-process`;
  const teacherDir = path.join(process.env.MODELS_DIR ?? path.join(repoRoot, '.models'), 'default-teacher');
  const motDir = path.resolve(repoRoot, '../shared/data/mot17-mini/train');
  const missing = [teacherDir, motDir].filter((p) => !existsSync(p));
  if (missing.length > 0) return { title, rows: [{ skipped: `missing ${missing.join(', ')}` }] };
  const bench = await startBenchApi(null, { WORKER_BATCH_SIZE: String(batchSize) }, teacherDir);
  try {
    const tenant = await loadTenant(bench, 'worker', 0, 4);
    const client = new ApiClient(bench.server.url, tenant.adminKey);
    const dataset = await readMotDataset(motDir, { galleryFrames: 3 });
    const frames: { bytes: Buffer; boxes: { x1: number; y1: number; x2: number; y2: number }[] }[] = [];
    const next = random(11);
    for (const [index, image] of dataset.images.entries()) {
      const bytes = await readFile(image.file);
      const { blobId, width, height } = await retryReset(() => client.putBlob(bytes, 'image/jpeg'));
      const boxes = image.people.slice(0, 30).map(({ box }) => ({ x1: Math.max(0, box.x1), y1: Math.max(0, box.y1), x2: Math.min(width, box.x2), y2: Math.min(height, box.y2) })).filter((b) => b.x2 - b.x1 > 4 && b.y2 - b.y1 > 4);
      frames.push({ bytes, boxes });
      await client.graphql(IngestFrameDocument, {
        input: {
          idempotencyKey: `worker-${index}`, galleryId: tenant.galleries[0]!, blobId, capturedAt: new Date(Date.UTC(2026, 2, 1, 0, 0, index)).toISOString(), modelId: BENCH_STUDENT_ID,
          detections: boxes.map((box) => ({ box, score: 0.9, embedding: embeddingToBase64(clusteredVector(index, next)) })),
        },
      });
    }
    const crops = frames.reduce((sum, frame) => sum + frame.boxes.length, 0);
    const teacher = await bench.app.models.teacherSession();
    await teacher.embedCrops(await decodeImage(frames[0]!.bytes), frames[0]!.boxes.slice(0, 1)); // warm-up
    let started = performance.now();
    while ((await bench.app.worker.runOnce()) > 0);
    const workerSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const decoded = [];
    for (const frame of frames) {
      const image = await decodeImage(frame.bytes);
      decoded.push(image);
      await teacher.embedCrops(image, frame.boxes);
    }
    const modelSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const [i, frame] of frames.entries()) await teacher.embedCrops(decoded[i]!, frame.boxes);
    const embedSeconds = (performance.now() - started) / 1000;
    return {
      title,
      rows: [{
        'batch size': batchSize, frames: frames.length, crops, 'worker crops/s': Math.round(crops / workerSeconds), 'decode+embed crops/s (baseline)': Math.round(crops / modelSeconds),
        ratio: modelSeconds / workerSeconds, target: '≥ 0.8', 'embed-only crops/s': Math.round(crops / embedSeconds),
      }],
    };
  } finally {
    await bench.close();
  }
}

/**
 * Teacher vectors as halfvec vs float32: real teacher embeddings of the MOT17-mini crops, stored both
 * ways in a scratch table; per query crop, the re-rank's cosine (stored side cast to vector, float32
 * query) over every crop. Reports bytes per vector, max |Δ score| and whether the top-20 order holds.
 */
export async function benchTeacherHalfvec(queries: number): Promise<Section> {
  const title = 'Teacher vectors: halfvec vs float32 (default teacher, MOT17-mini crops, PGlite)';
  const teacherDir = path.join(process.env.MODELS_DIR ?? path.join(repoRoot, '.models'), 'default-teacher');
  const motDir = path.resolve(repoRoot, '../shared/data/mot17-mini/train');
  const missing = [teacherDir, motDir].filter((p) => !existsSync(p));
  if (missing.length > 0) return { title, rows: [{ skipped: `missing ${missing.join(', ')}` }] };
  const bench = await startBenchApi(null, {}, teacherDir);
  try {
    const teacher = await bench.app.models.teacherSession();
    const dataset = await readMotDataset(motDir, { galleryFrames: 3 });
    const embeddings: Float32Array[] = [];
    for (const image of dataset.images) {
      const decoded = await decodeImage(await readFile(image.file));
      const boxes = image.people.slice(0, 30).map(({ box }) => ({ x1: Math.max(0, box.x1), y1: Math.max(0, box.y1), x2: Math.min(decoded.width, box.x2), y2: Math.min(decoded.height, box.y2) })).filter((b) => b.x2 - b.x1 > 4 && b.y2 - b.y1 > 4);
      embeddings.push(...(await teacher.embedCrops(decoded, boxes)));
    }
    const dimension = embeddings[0]?.length ?? 0;
    const type = Prisma.raw(`vector(${dimension})`);
    return await bench.app.db.asSystem(async (tx) => {
      await tx.$executeRaw`CREATE TEMP TABLE teacher_precision (id int PRIMARY KEY, full_precision vector, half_precision halfvec) ON COMMIT DROP`;
      await tx.$executeRaw`INSERT INTO teacher_precision SELECT i, v::vector, v::halfvec FROM unnest(${embeddings.map((e) => toVectorSql(e))}::text[]) WITH ORDINALITY AS t(v, i)`;
      const [size] = await tx.$queryRaw<{ full: number; half: number }[]>`SELECT avg(pg_column_size(full_precision))::float8 AS full, avg(pg_column_size(half_precision))::float8 AS half FROM teacher_precision`;
      let maxDiff = 0;
      let sameOrder = 0;
      const step = Math.max(1, Math.floor(embeddings.length / queries));
      const picked = embeddings.filter((_, i) => i % step === 0).slice(0, queries);
      for (const query of picked) {
        const rows = await tx.$queryRaw<{ id: number; full: number; half: number }[]>`
          SELECT id::int AS id, (1 - (full_precision::${type} <=> ${toVectorSql(query)}::${type}))::float8 AS full,
                 (1 - (half_precision::${type} <=> ${toVectorSql(query)}::${type}))::float8 AS half FROM teacher_precision`;
        for (const row of rows) maxDiff = Math.max(maxDiff, Math.abs(row.full - row.half));
        const top = (key: 'full' | 'half') => [...rows].sort((a, b) => b[key] - a[key] || a.id - b.id).slice(0, 20).map((row) => row.id).join(',');
        if (top('full') === top('half')) sameOrder++;
      }
      return {
        title,
        rows: [{
          dimension, vectors: embeddings.length, 'float32 bytes/vector': size!.full, 'halfvec bytes/vector': size!.half, queries: picked.length,
          'max |score diff|': maxDiff, 'top-20 order identical': `${sameOrder}/${picked.length}`,
        }],
      };
    });
  } finally {
    await bench.close();
  }
}
