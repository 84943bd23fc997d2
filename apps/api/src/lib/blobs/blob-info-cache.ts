// A BlobStore that remembers blob metadata. An address (tenant, sha256) names
// the same bytes forever, and its metadata is written once with them, so a
// remembered BlobInfo stays true until the blob is deleted. Every ingest reads
// its frame's metadata (`ingestFrame` checks the boxes against the image size):
// from the local store that was four thread-pool round trips for an 80-byte
// file, ~0.5 ms of the API's CPU per frame in the ingest bench's profile, and
// an upload followed by its ingest now finds it here.
//
// Deletes through this store forget at once. Another API process's delete is
// seen when the entry expires (`ttlMs`): until then an ingest here may still
// reference the deleted blob — as one racing the delete could already, since
// the check and the insert were never atomic with it. Misses are not
// remembered (the blob may be uploaded a moment later).
import type { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, StagedBlob } from './blob-store.js';

export interface BlobInfoCacheOptions {
  /** Entries kept; the least recently used goes first. */
  maxEntries: number;
  /** How long an entry is trusted, in ms. */
  ttlMs: number;
  /** The clock (tests). */
  now?: () => number;
}

export class BlobInfoCache implements BlobStore {
  readonly #entries = new Map<string, { info: BlobInfo; expires: number }>();
  readonly #now: () => number;

  constructor(private readonly store: BlobStore, private readonly options: BlobInfoCacheOptions) {
    this.#now = options.now ?? Date.now;
  }

  async stage(tenantId: string, body: Readable, maxBytes: number): Promise<StagedBlob> {
    const staged = await this.store.stage(tenantId, body, maxBytes);
    return {
      ...staged,
      commit: async (details) => {
        const info = await staged.commit(details);
        this.#remember(tenantId, info);
        return info;
      },
    };
  }

  async info(tenantId: string, sha256: string): Promise<BlobInfo | null> {
    const key = `${tenantId}/${sha256}`;
    const entry = this.#entries.get(key);
    if (entry) {
      this.#entries.delete(key);
      if (entry.expires > this.#now()) {
        this.#entries.set(key, entry); // most recently used
        return entry.info;
      }
    }
    const info = await this.store.info(tenantId, sha256);
    if (info) this.#remember(tenantId, info);
    return info;
  }

  read(tenantId: string, sha256: string): Promise<Buffer> {
    return this.store.read(tenantId, sha256);
  }

  async delete(tenantId: string, sha256: string): Promise<void> {
    this.#entries.delete(`${tenantId}/${sha256}`);
    await this.store.delete(tenantId, sha256);
    this.#entries.delete(`${tenantId}/${sha256}`); // an info() read while the files were being removed
  }

  #remember(tenantId: string, info: BlobInfo): void {
    if (this.options.maxEntries <= 0) return;
    const key = `${tenantId}/${info.sha256}`;
    this.#entries.delete(key);
    this.#entries.set(key, { info, expires: this.#now() + this.options.ttlMs });
    while (this.#entries.size > this.options.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
