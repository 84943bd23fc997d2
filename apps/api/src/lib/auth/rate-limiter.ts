// Per-key request rate limit: a token bucket per API key, refilled
// continuously. In-process, so each API replica enforces the limit on its own
// share of traffic (a shared limiter would live in Redis or Postgres).
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; updatedAt: number }>();
  readonly #perMs: number;

  constructor(readonly requestsPerMinute: number, private readonly now: () => number = () => performance.now()) {
    this.#perMs = requestsPerMinute / 60_000;
  }

  /**
   * Takes `cost` tokens for `key` (a request is 1; each expensive field it
   * resolves, e.g. an aliased search, adds more); false, taking nothing, when
   * the bucket holds fewer. A limit of 0 disables limiting.
   */
  take(key: string, cost = 1): boolean {
    if (this.requestsPerMinute === 0) return true;
    const now = this.now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.requestsPerMinute, updatedAt: now };
    bucket.tokens = Math.min(this.requestsPerMinute, bucket.tokens + (now - bucket.updatedAt) * this.#perMs);
    bucket.updatedAt = now;
    const allowed = bucket.tokens >= cost;
    if (allowed) bucket.tokens -= cost;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 100_000) this.#buckets.clear(); // bound memory under key-spraying
    return allowed;
  }
}
