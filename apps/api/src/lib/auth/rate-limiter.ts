// Per-key request rate limit: a token bucket per API key, refilled
// continuously. RateLimiter is in-process, so each API replica enforces the
// limit on its own share of traffic; SharedRateLimiter (shared-rate-limiter.ts)
// keeps the same synchronous decision and reconciles with a table every replica
// shares.

/** What the HTTP layer and the GraphQL limits plugin ask of a rate limiter. */
export interface RequestRateLimit {
  /** Bucket size and refill per minute; 0 disables limiting. */
  readonly requestsPerMinute: number;
  /**
   * Takes `cost` tokens for `key` (a request is 1; each expensive field it
   * resolves, e.g. an aliased search, adds more); false, taking nothing, when
   * the bucket holds fewer. Synchronous: no request waits on the database for it.
   */
  take(key: string, cost?: number): boolean;
  /** Stops background work (a shared limiter's reconcile timer). */
  close(): Promise<void>;
}

/** Keys past this many are forgotten at once: bounds memory under key-spraying. */
export const MAX_TRACKED_KEYS = 100_000;

export class RateLimiter implements RequestRateLimit {
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();
  readonly #perMs: number;

  constructor(readonly requestsPerMinute: number, private readonly now: () => number = () => performance.now()) {
    this.#perMs = requestsPerMinute / 60_000;
  }

  take(key: string, cost = 1): boolean {
    if (this.requestsPerMinute === 0) return true;
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.requestsPerMinute, updatedAt: now };
    bucket.tokens = Math.min(this.requestsPerMinute, bucket.tokens + (now - bucket.updatedAt) * this.#perMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > MAX_TRACKED_KEYS) this.#buckets.clear();
    return allowed;
  }

  async close(): Promise<void> {
    // Nothing runs in the background.
  }
}
