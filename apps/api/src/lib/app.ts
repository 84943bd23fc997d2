// The composition root: builds every long-lived part of the API from the
// configuration (database, blob store, URL signer, models, services, worker).
// `npm start`, `npm run worker`, `demo:seed` and the tests all start here.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openDatabase, type Database } from '@person-search/db';
import { RateLimiter, type RequestRateLimit } from './auth/rate-limiter.js';
import { SharedRateLimiter } from './auth/shared-rate-limiter.js';
import type { BlobStore } from './blobs/blob-store.js';
import { BlobInfoCache } from './blobs/blob-info-cache.js';
import { LocalBlobStore } from './blobs/local-blob-store.js';
import { UrlSigner } from './blobs/signed-urls.js';
import type { Config } from './config.js';
import { Metrics } from './http/metrics.js';
import { ModelRegistry } from './inference/model-registry.js';
import { createLogger, type Logger } from './logger.js';
import { createServices, type Services } from './services/index.js';
import { RetentionSweeper } from './worker/retention-sweeper.js';
import { TeacherWorker } from './worker/teacher-worker.js';

/**
 * Blob metadata remembered by this process (blob-info-cache.ts): 10k entries of ~310 bytes (measured
 * 233 bytes of heap each, plus the sha256 string a file read allocates), ~3 MB; another process's delete
 * is seen within a minute.
 */
const BLOB_INFO_CACHE = { maxEntries: 10_000, ttlMs: 60_000 };

export interface AppContext {
  config: Config;
  log: Logger;
  db: Database;
  blobs: BlobStore;
  signer: UrlSigner;
  models: ModelRegistry;
  metrics: Metrics;
  rateLimiter: RequestRateLimit;
  services: Services;
  worker: TeacherWorker;
  sweeper: RetentionSweeper;
  close(): Promise<void>;
}

/** The signing secret: from the configuration, else generated once and kept in the data dir. */
async function urlSigningSecret(config: Config): Promise<string> {
  if (config.urlSigningSecret) return config.urlSigningSecret;
  const file = path.join(config.dataDir, 'url-signing.key');
  const existing = await readFile(file, 'utf8').catch(() => null);
  if (existing?.trim()) return existing.trim();
  const secret = randomBytes(32).toString('base64url');
  await mkdir(config.dataDir, { recursive: true });
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

export async function createApp(config: Config, options: { log?: Logger; dataDirForDatabase?: string } = {}): Promise<AppContext> {
  const log = options.log ?? createLogger(config.logLevel);
  await mkdir(config.dataDir, { recursive: true });
  const db = await openDatabase({
    databaseUrl: config.databaseUrl ?? null,
    dataDir: options.dataDirForDatabase ?? config.dataDir,
    log: (message) => log.info(message),
  });
  try {
    const models = new ModelRegistry({
      modelsDir: config.modelsDir,
      studentModelId: config.studentModelId,
      teacherModelId: config.teacherModelId,
      executionProviders: config.executionProviders,
      studentGraph: config.studentGraph,
      log,
    });
    await models.discover();
    await models.register(db);
    const blobs = new BlobInfoCache(new LocalBlobStore(path.join(config.dataDir, 'blobs')), BLOB_INFO_CACHE);
    const signer = new UrlSigner(await urlSigningSecret(config), config.signedUrlTtlSeconds);
    const metrics = new Metrics();
    const worker = new TeacherWorker(
      { db, blobs, models, metrics, log },
      {
        batchSize: config.worker.batchSize,
        pollMs: config.worker.pollMs,
        maxAttempts: config.worker.maxAttempts,
        maxPixels: config.limits.imagePixels,
        leaseSeconds: config.worker.leaseSeconds,
      },
    );
    const services = createServices({ config, db, blobs, signer, models, log, metrics, onTeacherWork: () => worker.wake() });
    const sweeper = new RetentionSweeper({ db, blobs, log });
    const { requestsPerMinute, sharedRateLimit } = config.limits;
    const rateLimiter = sharedRateLimit ? new SharedRateLimiter({ requestsPerMinute, db, log }) : new RateLimiter(requestsPerMinute);
    return {
      config,
      log,
      db,
      blobs,
      signer,
      models,
      metrics,
      rateLimiter,
      services,
      worker,
      sweeper,
      async close() {
        await worker.stop();
        await sweeper.stop();
        await rateLimiter.close();
        await models.release();
        await db.close();
      },
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}
