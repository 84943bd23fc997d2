// A bounded, short-lived cache of API-key rows by prefix: a busy key costs one
// database lookup per TTL instead of one per request. The secret is still
// checked on every request against the cached hash. A key revoked through this
// process is evicted at once (`evict`); one revoked through another replica, or
// changed in the database directly, is refused within the TTL, which the
// configuration caps at 5 s (API_KEY_CACHE_SECONDS, 0 = no cache).

export interface KeyCacheOptions {
  /** How long a looked-up row is trusted, in milliseconds (0 disables the cache). */
  ttlMs: number;
  /** Most rows kept; the least recently used is dropped first. */
  maxEntries: number;
  /** Clock in milliseconds (tests). */
  now?: () => number;
}

export interface KeyCache<Row> {
  /** The row cached for `prefix` if it is younger than the TTL. */
  get(prefix: string): Row | undefined;
  set(prefix: string, row: Row): void;
  /** Drops the row of `prefix` (revocation in this process). */
  evict(prefix: string): void;
  readonly size: number;
}

export function createKeyCache<Row>({ ttlMs, maxEntries, now = Date.now }: KeyCacheOptions): KeyCache<Row> {
  // A Map iterates in insertion order; re-inserting on every hit makes the first entry the least recently used.
  const entries = new Map<string, { row: Row; expiresAt: number }>();
  return {
    get(prefix) {
      const entry = entries.get(prefix);
      if (!entry) return undefined;
      entries.delete(prefix);
      if (entry.expiresAt <= now()) return undefined;
      entries.set(prefix, entry);
      return entry.row;
    },
    set(prefix, row) {
      if (ttlMs <= 0) return;
      entries.delete(prefix);
      entries.set(prefix, { row, expiresAt: now() + ttlMs });
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!);
    },
    evict(prefix) {
      entries.delete(prefix);
    },
    get size() {
      return entries.size;
    },
  };
}
