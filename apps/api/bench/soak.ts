// `npm run soak [-- --duration 60 --concurrency 4]`: a bounded loopback soak.
// Starts the API as a child process (`npm start`'s entry point, embedded PGlite
// in a temporary DATA_DIR, a free loopback port, in-process teacher worker),
// then runs a mix of ingests (upload + ingestFrame), searches (re-ranked by
// detection, student-only by embedding) and bad requests (malformed request
// lines, bad JSON, truncated images, bad keys, unknown paths) for N seconds.
// Reports the error rate (any answer other than the one expected: a 5xx, a
// dropped connection, a good request refused), p50/p99 latency and the
// server's RSS over time as a table, and bench/results/soak.{json,svg}.
// Stops by itself: the server is stopped and the data dir removed at the end.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { repoRoot } from '../src/lib/config.js';
import { formatTable, percentile, writeSoakResults, type SoakSample, type SoakWindow } from './soak-report.js';

const args = process.argv.slice(2);
if (args.includes('--help')) {
  console.log(`Usage: npm run soak [-- --duration <seconds>] [--concurrency <n>]

Bounded loopback soak against a freshly started API (embedded PGlite in a temp dir):
mixed ingest / search / bad requests for --duration seconds (default 60) from
--concurrency loops (default 4). Prints error rate, p50/p99 latency and server RSS
over time; writes bench/results/soak.json and bench/results/soak.svg. Needs the
default models (built by npm install; \`npm run models\` otherwise).`);
  process.exit(0);
}
// `--name value` or `--name=value` (Nx forwards options in the second form).
const option = (name: string, fallback: number) => {
  const index = args.indexOf(`--${name}`);
  const inline = args.find((arg) => arg.startsWith(`--${name}=`));
  const value = inline ? Number(inline.slice(name.length + 3)) : index >= 0 ? Number(args[index + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
};
const durationSeconds = option('duration', 60);
const concurrency = Math.floor(option('concurrency', 4));
// Whatever happens, the process ends: the soak, the shutdown and a margin.
const hardStop = setTimeout(() => {
  console.error('soak: hard time limit reached, stopping');
  process.exit(1);
}, (durationSeconds + 180) * 1000);
hardStop.unref();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

// ---- the server under test ----
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'person-search-soak-'));
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  cwd: path.join(repoRoot, 'apps/api'),
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0', DATABASE_URL: '' },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let serverOutput = '';
child.stdout.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
child.stderr.on('data', (chunk: Buffer) => (serverOutput += chunk.toString()));
const childExit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
let childExited = false;
void childExit.then(() => (childExited = true));

async function stopServer(): Promise<void> {
  if (!childExited) child.kill('SIGTERM');
  const stopped = await Promise.race([childExit.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))]);
  if (!stopped) child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}

async function fail(message: string): Promise<never> {
  console.error(`soak: ${message}\n---- server output ----\n${serverOutput.split('\n').slice(-30).join('\n')}`);
  await stopServer();
  process.exit(1);
}

let adminKey: string | null = null;
for (const started = Date.now(); ; ) {
  if (childExited) await fail('the API exited during start');
  if (Date.now() - started > 120_000) await fail('the API did not start within 120 s');
  adminKey ??= /psk_[A-Za-z0-9]+_[A-Za-z0-9_-]+/.exec(serverOutput)?.[0] ?? null;
  const healthy = await fetch(`${baseUrl}/healthz`).then((response) => response.ok, () => false);
  if (adminKey && healthy) break;
  await new Promise((resolve) => setTimeout(resolve, 500));
}

function rssMiB(): number {
  try {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

// ---- the client side ----
async function graphql(query: string, variables: Record<string, unknown>): Promise<{ status: number; body: { data?: Record<string, unknown>; errors?: unknown[] } }> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

const models = await graphql('{ models { student { id dimension } } }', {});
const student = (models.body.data?.models as { student: { id: string; dimension: number } | null } | undefined)?.student;
if (!student) await fail('the API has no student model: run `npm run models`');
const gallery = await graphql('mutation($input: CreateGalleryInput!) { createGallery(input: $input) { id } }', { input: { name: 'soak' } });
const galleryId = (gallery.body.data?.createGallery as { id: string }).id;

const images = await Promise.all(
  Array.from({ length: 8 }, (_, seed) =>
    sharp(Buffer.from(Array.from({ length: 320 * 240 * 3 }, (_, i) => (i * (seed + 3) + seed * 41) % 256)), { raw: { width: 320, height: 240, channels: 3 } }).jpeg().toBuffer(),
  ),
);
function randomEmbedding(): string {
  const vector = Float32Array.from({ length: student!.dimension }, () => Math.random() - 0.5);
  const norm = Math.hypot(...vector);
  return Buffer.from(vector.map((value) => value / norm).buffer).toString('base64');
}

const detectionIds: string[] = [];
let frameCounter = 0;

/** One operation: its kind, and whether the answer was the expected one. */
type Operation = () => Promise<boolean>;

const ingest: Operation = async () => {
  const upload = await fetch(`${baseUrl}/v1/blobs`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'image/jpeg' }, body: images[frameCounter % images.length]! });
  if (upload.status !== 201) return false;
  const { blobId } = (await upload.json()) as { blobId: string };
  const detections = Array.from({ length: 2 }, () => {
    const x1 = Math.random() * 200;
    const y1 = Math.random() * 100;
    return { box: { x1, y1, x2: x1 + 40 + Math.random() * 70, y2: y1 + 60 + Math.random() * 70 }, score: 0.5 + Math.random() / 2, embedding: randomEmbedding() };
  });
  const result = await graphql('mutation($input: IngestFrameInput!) { ingestFrame(input: $input) { detections { id } } }', {
    input: { idempotencyKey: `soak-${frameCounter++}-${Math.random()}`, galleryId, blobId, capturedAt: new Date().toISOString(), modelId: student!.id, detections },
  });
  const ids = (result.body.data?.ingestFrame as { detections: { id: string }[] } | undefined)?.detections.map((detection) => detection.id);
  if (result.status !== 200 || result.body.errors || !ids) return false;
  detectionIds.push(...ids);
  return true;
};

const search: Operation = async () => {
  const byDetection = detectionIds.length > 0 && Math.random() < 0.7;
  const query = byDetection ? { detectionId: detectionIds[Math.floor(Math.random() * detectionIds.length)] } : { embedding: { modelId: student!.id, embedding: randomEmbedding() } };
  const result = await graphql('query($input: SearchPersonInput!) { searchPerson(input: $input) { hits { rank score } stats { totalMs } } }', {
    input: { query, topK: 10, candidatePool: 100, rerank: byDetection },
  });
  return result.status === 200 && !result.body.errors;
};

function rawStatus(request: string): Promise<number | null> {
  return new Promise((resolve) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0) || null));
    socket.on('error', () => undefined);
  });
}

const badRequests: Operation[] = [
  async () => (await rawStatus('GET http://[/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) === 400,
  async () => (await rawStatus('GET /kiosk/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')) === 400,
  async () => (await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: '{"query":' })).status === 400,
  async () => (await fetch(`${baseUrl}/graphql`, { method: 'POST', headers: { authorization: 'Bearer psk_nope_nope', 'content-type': 'application/json' }, body: '{"query":"{ viewer { role } }"}' })).status === 401,
  async () =>
    (await fetch(`${baseUrl}/v1/blobs`, { method: 'PUT', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'image/jpeg' }, body: images[0]!.subarray(0, 900) })).status === 400,
  async () => (await fetch(`${baseUrl}/v1/crops/${'0'.repeat(8)}/x?expires=1&signature=x`)).status === 404,
];
const badRequest: Operation = () => badRequests[Math.floor(Math.random() * badRequests.length)]!();

const mix: [SoakSample['kind'], Operation, number][] = [
  ['search', search, 0.4],
  ['ingest', ingest, 0.3],
  ['bad', badRequest, 0.3],
];
function pick(): [SoakSample['kind'], Operation] {
  let roll = Math.random();
  for (const [kind, operation, share] of mix) {
    if ((roll -= share) <= 0) return [kind, operation];
  }
  return [mix[0]![0], mix[0]![1]];
}

// ---- the soak ----
console.log(`soak: ${durationSeconds} s, ${concurrency} loops, against ${baseUrl} (PGlite in ${dataDir}); student ${student!.id}`);
const samples: SoakSample[] = [];
const rss: { atSeconds: number; rssMiB: number }[] = [];
const soakStart = performance.now();
const deadline = soakStart + durationSeconds * 1000;
const elapsed = () => (performance.now() - soakStart) / 1000;
const rssTimer = setInterval(() => rss.push({ atSeconds: elapsed(), rssMiB: rssMiB() }), 1000);
rss.push({ atSeconds: 0, rssMiB: rssMiB() });

await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline && !childExited) {
      const [kind, operation] = pick();
      const started = performance.now();
      const ok = await operation().catch(() => false);
      samples.push({ kind, ok, ms: performance.now() - started, atSeconds: (started - soakStart) / 1000 });
    }
  }),
);
clearInterval(rssTimer);
rss.push({ atSeconds: elapsed(), rssMiB: rssMiB() });
const serverDied = childExited;
const healthyAtEnd = await fetch(`${baseUrl}/healthz`).then((response) => response.ok, () => false);
await stopServer();

// ---- report ----
const windowSeconds = Math.max(1, durationSeconds / 10);
const windows: SoakWindow[] = [];
for (let from = 0; from < durationSeconds; from += windowSeconds) {
  const inWindow = samples.filter((sample) => sample.atSeconds >= from && sample.atSeconds < from + windowSeconds);
  const rssInWindow = rss.filter((point) => point.atSeconds >= from && point.atSeconds < from + windowSeconds + 1);
  const latencies = inWindow.map((sample) => sample.ms);
  windows.push({
    fromSeconds: from,
    requests: inWindow.length,
    errors: inWindow.filter((sample) => !sample.ok).length,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    rssMiB: Math.max(0, ...rssInWindow.map((point) => point.rssMiB)),
  });
}
const byKind = mix.map(([kind]) => {
  const ofKind = samples.filter((sample) => sample.kind === kind);
  const latencies = ofKind.map((sample) => sample.ms);
  return { kind, requests: ofKind.length, errors: ofKind.filter((sample) => !sample.ok).length, p50Ms: percentile(latencies, 0.5), p99Ms: percentile(latencies, 0.99) };
});
const errors = samples.filter((sample) => !sample.ok).length;
const summary = {
  durationSeconds,
  concurrency,
  requests: samples.length,
  errors,
  errorRate: samples.length ? errors / samples.length : 0,
  requestsPerSecond: samples.length / durationSeconds,
  p50Ms: percentile(samples.map((sample) => sample.ms), 0.5),
  p99Ms: percentile(samples.map((sample) => sample.ms), 0.99),
  rssStartMiB: rss[0]?.rssMiB ?? 0,
  rssEndMiB: rss.at(-1)?.rssMiB ?? 0,
  rssMaxMiB: Math.max(0, ...rss.map((point) => point.rssMiB)),
  serverAliveAtEnd: !serverDied && healthyAtEnd,
};
console.log(formatTable(['from s', 'requests', 'errors', 'p50 ms', 'p99 ms', 'RSS MiB'], windows.map((w) => [w.fromSeconds.toFixed(0), w.requests, w.errors, w.p50Ms.toFixed(1), w.p99Ms.toFixed(1), w.rssMiB.toFixed(0)])));
console.log(formatTable(['kind', 'requests', 'errors', 'p50 ms', 'p99 ms'], byKind.map((k) => [k.kind, k.requests, k.errors, k.p50Ms.toFixed(1), k.p99Ms.toFixed(1)])));
console.log(
  `soak: ${summary.requests} requests (${summary.requestsPerSecond.toFixed(1)}/s), error rate ${(summary.errorRate * 100).toFixed(2)} %, p50 ${summary.p50Ms.toFixed(1)} ms, p99 ${summary.p99Ms.toFixed(1)} ms, RSS ${summary.rssStartMiB.toFixed(0)} → ${summary.rssEndMiB.toFixed(0)} MiB (max ${summary.rssMaxMiB.toFixed(0)}), server ${summary.serverAliveAtEnd ? 'healthy' : 'DOWN'} at the end`,
);
const written = writeSoakResults(path.join(repoRoot, 'bench/results'), { summary, byKind, windows, rss });
console.log(`soak: wrote ${written.map((file) => path.relative(repoRoot, file)).join(', ')}`);
process.exit(summary.serverAliveAtEnd ? 0 : 1);
