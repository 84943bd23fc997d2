// A teacher worker in its own process, for the lease test: it claims one batch
// and then stalls inside it (reading blobs takes BLOB_DELAY_MS, standing in
// for a slow disk or a busy teacher), so the parent can watch its heartbeats
// and `kill -9` it mid-batch. Configured by the same environment as the API
// (DATABASE_URL, DATA_DIR, MODELS_DIR, TEACHER_MODEL_ID), plus BLOB_DELAY_MS.
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../../src/lib/app.js';
import type { BlobStore } from '../../src/lib/blobs/blob-store.js';
import { loadConfig } from '../../src/lib/config.js';
import { TeacherWorker } from '../../src/lib/worker/teacher-worker.js';

const config = loadConfig();
const app = await createApp({ ...config, worker: { ...config.worker, inProcess: false } });
const delayMs = Number(process.env.BLOB_DELAY_MS ?? 60_000);
const { blobs } = app;
const stallingBlobs: BlobStore = {
  stage: (tenantId, body, maxBytes) => blobs.stage(tenantId, body, maxBytes),
  info: (tenantId, sha256) => blobs.info(tenantId, sha256),
  read: async (tenantId, sha256) => (await sleep(delayMs), blobs.read(tenantId, sha256)),
  delete: (tenantId, sha256) => blobs.delete(tenantId, sha256),
};
const worker = new TeacherWorker(
  { ...app, blobs: stallingBlobs },
  { batchSize: config.worker.batchSize, pollMs: 100, maxAttempts: 5, maxPixels: config.limits.imagePixels, leaseSeconds: config.worker.leaseSeconds },
);
console.log('worker ready');
console.log(`handled ${await worker.runOnce()}`);
await app.close();
