// The teacher worker: claims pending detections across tenants (FOR UPDATE
// SKIP LOCKED, with a short lease that heartbeats extend while the batch is in
// progress, so a crashed worker's claims come back one lease later), embeds
// their crops with the teacher, and writes the vectors in the tenant's own
// transaction. A failed attempt is retried with exponential backoff; after
// maxAttempts the detection is marked failed with the reason (poison item).
import type { Database } from '@person-search/db';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Metrics } from '../http/metrics.js';
import type { ModelRegistry } from '../inference/model-registry.js';
import { embedStoredCrops, type CropRequest } from '../inference/teacher-embeddings.js';
import type { Logger } from '../logger.js';
import { writeTeacherEmbeddings } from '../repositories/detections-repository.js';
import { claimPendingDetections, extendTeacherLease, recordTeacherFailure, type ClaimedDetection } from '../repositories/teacher-queue-repository.js';

export interface TeacherWorkerOptions {
  batchSize: number;
  pollMs: number;
  maxAttempts: number;
  maxPixels: number;
  /**
   * How long a claim holds before another worker may take the row (seconds,
   * default 30). Heartbeats renew it every third of the lease while the batch
   * runs, so it bounds how long a dead worker's rows wait, not how long a batch may take.
   */
  leaseSeconds?: number;
  /** First retry delay in seconds, doubled per attempt (default 2). */
  retryBaseSeconds?: number;
}

export interface TeacherWorkerDeps {
  db: Database;
  blobs: BlobStore;
  models: ModelRegistry;
  metrics: Metrics;
  log: Logger;
}

const DEFAULT_LEASE_SECONDS = 30;

/** Backoff after failed attempt n (1-based): base, 2·base, 4·base … seconds, capped at 10 minutes. */
export function retryDelaySeconds(attempt: number, baseSeconds = 2): number {
  return Math.min(600, baseSeconds * 2 ** (attempt - 1));
}

/** Map.groupBy (not in Node 20). */
function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}

export class TeacherWorker {
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;

  constructor(private readonly deps: TeacherWorkerDeps, private readonly options: TeacherWorkerOptions) {}

  /** Claims and processes one batch; returns how many detections it handled (0 = queue empty). */
  async runOnce(): Promise<number> {
    const { db, models, log } = this.deps;
    const teacher = models.teacher;
    if (!teacher) return 0;
    // Load the teacher before claiming: a broken model installation must not
    // burn the attempts of every pending detection and mark them failed.
    try {
      await models.teacherSession();
    } catch (error) {
      log.error({ err: error }, 'teacher model failed to load; pending detections stay pending');
      return 0;
    }
    const leaseSeconds = this.options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    const claimed = await db.asSystem((tx) => claimPendingDetections(tx, this.options.batchSize, leaseSeconds));
    if (claimed.length === 0) return 0;
    const held = new Set(claimed);
    const heartbeat = setInterval(() => {
      db.asSystem((tx) => extendTeacherLease(tx, [...held], leaseSeconds)).catch((error: unknown) => log.warn({ err: error }, 'teacher lease heartbeat failed'));
    }, (leaseSeconds * 1000) / 3);
    try {
      for (const [tenantId, rows] of groupBy(claimed, (row) => row.tenantId)) {
        await this.#processTenant(tenantId, rows, teacher.manifest.id).catch((error: unknown) => {
          log.error({ err: error, tenantId }, 'teacher batch failed');
          return this.#recordFailures(tenantId, rows, error as Error);
        });
        // Settled rows (done, failed, or waiting out a retry delay) must not have their time pushed by later heartbeats.
        for (const row of rows) held.delete(row);
      }
    } finally {
      clearInterval(heartbeat);
    }
    return claimed.length;
  }

  async #processTenant(tenantId: string, rows: ClaimedDetection[], teacherModelId: string): Promise<void> {
    const { db, blobs, models, metrics } = this.deps;
    const crops: CropRequest[] = rows.map((row) => ({ id: row.id, imageBlobSha256: row.imageBlobSha256, box: { x1: row.x1, y1: row.y1, x2: row.x2, y2: row.y2 } }));
    const outcomes = await embedStoredCrops({ blobs, models, metrics, maxPixels: this.options.maxPixels }, tenantId, crops);
    const done = outcomes.flatMap((outcome) => (outcome.embedding ? [{ id: outcome.id, embedding: outcome.embedding }] : []));
    await db.withTenant(tenantId, (tx) => writeTeacherEmbeddings(tx, tenantId, teacherModelId, done));
    const failed = outcomes.filter((outcome) => outcome.error);
    // Failures of one frame share their error: record them per distinct reason.
    const failedByReason = groupBy(failed, (outcome) => outcome.error!.message);
    for (const [, outcomes] of failedByReason) {
      const ids = new Set(outcomes.map((outcome) => outcome.id));
      await this.#recordFailures(tenantId, rows.filter((row) => ids.has(row.id)), outcomes[0]!.error!);
    }
    this.deps.log.debug({ tenantId, done: done.length, failed: failed.length }, 'teacher batch');
  }

  async #recordFailures(tenantId: string, rows: ClaimedDetection[], error: Error): Promise<void> {
    const reason = error.message || String(error);
    const giveUp = rows.filter((row) => row.attempts >= this.options.maxAttempts).map((row) => row.id);
    const retry = rows.filter((row) => row.attempts < this.options.maxAttempts);
    // Rows with the same attempt count share a delay: one UPDATE per distinct count.
    const retryByAttempts = groupBy(retry, (row) => row.attempts);
    await this.deps.db.withTenant(tenantId, async (tx) => {
      await recordTeacherFailure(tx, tenantId, giveUp, reason, null);
      for (const [attempts, group] of retryByAttempts) {
        await recordTeacherFailure(tx, tenantId, group.map((row) => row.id), reason, retryDelaySeconds(attempts, this.options.retryBaseSeconds));
      }
    });
    if (giveUp.length) this.deps.log.warn({ tenantId, detections: giveUp, reason }, 'teacher embedding failed for good');
  }

  /** Runs until stop(): batches back to back while there is work, else polls. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = (async () => {
      while (this.#running) {
        let handled = 0;
        try {
          handled = await this.runOnce();
        } catch (error) {
          this.deps.log.error({ err: error }, 'teacher worker iteration failed');
        }
        if (handled === 0 && this.#running) {
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, this.options.pollMs);
            this.#wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          this.#wake = null;
        }
      }
    })();
  }

  /** Nudges an idle worker (after an ingest) instead of waiting for the next poll. */
  wake(): void {
    this.#wake?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }
}
