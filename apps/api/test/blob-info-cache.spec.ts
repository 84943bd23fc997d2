// BlobInfoCache over the real local store in a temporary directory: what it
// remembers, for how long, and what a delete makes it forget.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobInfoCache } from '../src/lib/blobs/blob-info-cache.js';
import { LocalBlobStore } from '../src/lib/blobs/local-blob-store.js';

const TENANT = '00000000-0000-4000-8000-000000000001';
const OTHER_TENANT = '00000000-0000-4000-8000-000000000002';

describe('BlobInfoCache', () => {
  let root: string;
  let clock: number;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'blob-info-cache-'));
    clock = 1_000;
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const upload = async (store: LocalBlobStore | BlobInfoCache, tenantId: string, text: string) => {
    const staged = await store.stage(tenantId, Readable.from([Buffer.from(text)]), 1024);
    return staged.commit({ contentType: 'image/png', width: 4, height: 3 });
  };

  it('answers from memory after an upload, until the entry expires', async () => {
    const local = new LocalBlobStore(root);
    const cache = new BlobInfoCache(local, { maxEntries: 10, ttlMs: 1_000, now: () => clock });
    const info = await upload(cache, TENANT, 'frame one');
    // Removed behind the cache's back (as another API process would): still remembered within the TTL …
    await local.delete(TENANT, info.sha256);
    expect(await cache.info(TENANT, info.sha256)).toEqual(info);
    // … and read from the store again once it expires.
    clock += 1_001;
    expect(await cache.info(TENANT, info.sha256)).toBeNull();
  });

  it('reads through on a miss and remembers what it found, per tenant', async () => {
    const local = new LocalBlobStore(root);
    const info = await upload(local, TENANT, 'frame two');
    const cache = new BlobInfoCache(local, { maxEntries: 10, ttlMs: 60_000, now: () => clock });
    expect(await cache.info(OTHER_TENANT, info.sha256)).toBeNull(); // another tenant's address holds nothing
    expect(await cache.info(TENANT, info.sha256)).toEqual(info);
    await local.delete(TENANT, info.sha256);
    expect(await cache.info(TENANT, info.sha256)).toEqual(info);
    expect(await cache.info(OTHER_TENANT, info.sha256)).toBeNull();
  });

  it('forgets a blob deleted through it at once', async () => {
    const cache = new BlobInfoCache(new LocalBlobStore(root), { maxEntries: 10, ttlMs: 60_000, now: () => clock });
    const info = await upload(cache, TENANT, 'frame three');
    await cache.delete(TENANT, info.sha256);
    expect(await cache.info(TENANT, info.sha256)).toBeNull();
  });

  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const local = new LocalBlobStore(root);
    const cache = new BlobInfoCache(local, { maxEntries: 2, ttlMs: 60_000, now: () => clock });
    const a = await upload(cache, TENANT, 'a');
    const b = await upload(cache, TENANT, 'b');
    await cache.info(TENANT, a.sha256); // a is now the more recently used
    const c = await upload(cache, TENANT, 'c');
    for (const info of [a, b, c]) await local.delete(TENANT, info.sha256);
    // b was pushed out by c; a and c are remembered.
    expect(await cache.info(TENANT, b.sha256)).toBeNull();
    expect(await cache.info(TENANT, a.sha256)).toEqual(a);
    expect(await cache.info(TENANT, c.sha256)).toEqual(c);
  });
});
