#!/usr/bin/env node
// CI smoke of the README's main path on this checkout, as a new user runs it:
// `npm start` (embedded PGlite, a temporary DATA_DIR, a free port) → /healthz →
// `npm run demo:seed` with the printed admin key → one `searchPerson` by photo
// over GraphQL that must return hits → SIGTERM to the API, which must log its
// shutdown, and npm start must then end with 0, no process left behind.
// Every failure prints the server's output and exits 1.
//
//   node .ci/smoke-start.mjs             # demo photos via apt-get download (Debian's opencv-doc, python3-skimage)
//   SMOKE_PHOTOS=<folder> node .ci/…     # or a folder of jpg/png people photos (offline)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const startTimeoutMs = Number(process.env.SMOKE_START_TIMEOUT_MS ?? 15 * 60_000); // includes the kiosk build
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'person-search-smoke-'));
const started = Date.now();
const log = (message) => console.log(`smoke [${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`);

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, NX_DAEMON: 'false', FORCE_COLOR: '0' };
delete env.DATABASE_URL; // the README's path: embedded PGlite
let output = '';
// Its own process group, so the shutdown check sees every descendant (nx, npm, tsx, node).
const server = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
server.stdout.on('data', (chunk) => (output += chunk));
server.stderr.on('data', (chunk) => (output += chunk));
const exited = new Promise((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
let serverExited = false;
void exited.then(() => (serverExited = true));

function groupAlive() {
  try {
    process.kill(-server.pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function fail(message) {
  console.error(`\nsmoke FAILED: ${message}\n---- npm start output (last 60 lines) ----\n${output.split('\n').slice(-60).join('\n')}`);
  if (groupAlive()) process.kill(-server.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(1);
}

// Any unexpected error still stops the server's process group: an orphaned `npm start` would hold nx's task lock
// ("Waiting for api:serve in another nx process") and the port, and fail the next run.
process.on('uncaughtException', (error) => void fail(`unexpected error: ${error?.stack ?? error}`));
process.on('unhandledRejection', (error) => void fail(`unexpected error: ${error?.stack ?? error}`));

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function healthy() {
  return fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false);
}

// 1. npm start: healthy, and the admin key printed once on a fresh data dir.
let adminKey = null;
while (!(adminKey && (await healthy()))) {
  if (serverExited) await fail('npm start exited before it was ready');
  if (Date.now() - started > startTimeoutMs) await fail(`not ready within ${startTimeoutMs / 1000} s`);
  adminKey = /psk_[A-Za-z0-9]+_[A-Za-z0-9_-]+/.exec(output)?.[0] ?? null;
  await sleep(1000);
}
log(`npm start ready at ${baseUrl} (PGlite in ${dataDir})`);

// 2. demo:seed against the running API with the printed key.
const seedArgs = ['run', 'demo:seed', ...(process.env.SMOKE_PHOTOS ? ['--', path.resolve(process.env.SMOKE_PHOTOS)] : [])];
const seed = spawn('npm', seedArgs, { cwd: root, env: { ...env, PERSON_SEARCH_API_URL: baseUrl, PERSON_SEARCH_API_KEY: adminKey }, stdio: ['ignore', 'inherit', 'inherit'] });
const seedExit = await new Promise((resolve) => seed.once('exit', (code) => resolve(code)));
if (seedExit !== 0) await fail(`npm run demo:seed exited with ${seedExit}`);
log('demo:seed done');

// 3. One searchPerson by photo: upload a seeded photo, the server detects the largest person.
function photosUnder(folder) {
  return readdirSync(folder, { recursive: true })
    .map((name) => path.join(folder, String(name)))
    .filter((file) => /\.(jpe?g|png)$/i.test(file) && statSync(file).isFile())
    .sort();
}
const photos = photosUnder(process.env.SMOKE_PHOTOS || path.join(dataDir, 'demo-photos')); // empty = unset, as for the seed
const photo = photos.find((file) => file.endsWith('messi5.jpg')) ?? photos[0];
if (!photo) await fail('no demo photo found to search with');
const auth = { authorization: `Bearer ${adminKey}` };
const upload = await fetch(`${baseUrl}/v1/blobs`, {
  method: 'PUT',
  headers: { ...auth, 'content-type': photo.endsWith('.png') ? 'image/png' : 'image/jpeg' },
  body: readFileSync(photo),
});
const blob = await upload.json();
if (upload.status !== 201) await fail(`PUT /v1/blobs answered ${upload.status}: ${JSON.stringify(blob)}`);
const query = 'query Smoke($input: SearchPersonInput!) { searchPerson(input: $input) { hits { rank score detection { id } } stats { candidates reranked totalMs } } }';
const searched = await fetch(`${baseUrl}/graphql`, {
  method: 'POST',
  headers: { ...auth, 'content-type': 'application/json' },
  body: JSON.stringify({ query, variables: { input: { query: { photo: { blobId: blob.blobId } }, topK: 5 } } }),
});
const result = await searched.json();
const hits = result.data?.searchPerson?.hits ?? [];
if (searched.status !== 200 || result.errors || hits.length === 0) await fail(`searchPerson (${path.basename(photo)}) gave no hits: ${JSON.stringify(result)}`);
log(`searchPerson(${path.basename(photo)}): ${hits.length} hits, best score ${hits[0].score.toFixed(3)}, stats ${JSON.stringify(result.data.searchPerson.stats)}`);

// 4. Clean shutdown, as a process manager stops the service: SIGTERM to the API's
// own node process (not the group: nx, when signalled itself, may stop relaying
// the child's output before the shutdown line arrives). The API must log its
// shutdown and exit, and then npm start (nx, npm) must end on its own: no process
// of the group may outlive it by more than 30 s.
const apiPid = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
  .split('\n')
  .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
  .find((match) => match && Number(match[2]) === server.pid && /^\S*\bnode\s.*src\/main\.ts\b/.test(match[3]))?.[1];
if (!apiPid) await fail('could not find the API process (node … src/main.ts) in the npm start process group');
process.kill(Number(apiPid), 'SIGTERM');
const deadline = Date.now() + 30_000;
while ((!serverExited || groupAlive()) && Date.now() < deadline) await sleep(250);
if (groupAlive()) await fail('processes of npm start were still running 30 s after the API got SIGTERM');
if (!output.includes('SIGTERM: shutting down')) await fail('the API did not log its shutdown');
const { code } = await exited;
if (code !== 0) await fail(`npm start exited with ${code} after the API's clean shutdown`);
rmSync(dataDir, { recursive: true, force: true });
log(`stopped cleanly (${JSON.stringify(await exited)}); smoke passed`);
