// Enforces per-gallery retention: deletes expired frames (with their
// detections and vectors) and then the blobs no remaining frame uses. On
// embedded PGlite, which has no autovacuum, it also refreshes planner
// statistics so vector queries keep choosing the HNSW index as data grows.
import type { Database } from '@person-search/db';
import type { BlobStore } from '../blobs/blob-store.js';
import type { Logger } from '../logger.js';
import { referencedBlobHashes } from '../repositories/images-repository.js';
import { deleteExpiredImages } from '../repositories/retention-repository.js';

const BATCH = 500;

export class RetentionSweeper {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<unknown> | null = null;

  constructor(private readonly deps: { db: Database; blobs: BlobStore; log: Logger }, private readonly intervalMs = 3600_000) {}

  /** One sweep; returns how many frames and blobs it deleted. */
  async runOnce(): Promise<{ images: number; blobs: number }> {
    const { db, blobs, log } = this.deps;
    let images = 0;
    let deletedBlobs = 0;
    for (;;) {
      const expired = await db.asSystem((tx) => deleteExpiredImages(tx, BATCH));
      images += expired.length;
      const byTenant = new Map<string, Set<string>>();
      for (const row of expired) byTenant.set(row.tenantId, (byTenant.get(row.tenantId) ?? new Set()).add(row.sha256));
      for (const [tenantId, hashes] of byTenant) {
        const stillUsed = await db.withTenant(tenantId, (tx) => referencedBlobHashes(tx, tenantId, [...hashes]));
        const orphans = [...hashes].filter((hash) => !stillUsed.has(hash));
        await Promise.all(orphans.map((hash) => blobs.delete(tenantId, hash)));
        deletedBlobs += orphans.length;
      }
      if (expired.length < BATCH) break;
    }
    if (db.kind === 'pglite') await db.asSystem((tx) => tx.$executeRaw`ANALYZE detections`);
    if (images > 0) log.info({ images, blobs: deletedBlobs }, 'retention sweep deleted expired frames');
    return { images, blobs: deletedBlobs };
  }

  start(): void {
    const sweep = () => {
      this.#running = this.runOnce().catch((error: unknown) => this.deps.log.error({ err: error }, 'retention sweep failed'));
    };
    sweep();
    this.#timer = setInterval(sweep, this.intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }
}
