// The per-key rate limit shared by every API replica (RATE_LIMIT_SHARED).
// Each replica decides synchronously on its local copy of a key's bucket, as
// RateLimiter does, and reconciles with the shared table (rate_limit) in the
// background: every `intervalMs`, or at once when it has admitted
// `localAllowance` tokens for a key that the table has not seen yet. A
// reconcile sends what the replica spent per key (one upsert for the whole
// batch) and adopts the shared remainder, which counts every replica's spend.
//
// The error is bounded: a replica admits at most `localAllowance` tokens for a
// key on a stale view before it waits for the table (a request refused while
// that reconcile is in flight is the price), so N replicas together admit at
// most the limit + (N − 1) × localAllowance in a burst. Over-admitted tokens are
// a debt in the table that the key repays, so over minutes the rate is the limit.
//
// When the database does not answer, the replica logs once and keeps enforcing
// the limit on its own (per replica, as before), retrying every interval.
import type { Database } from '@person-search/db';
import type { Logger } from '../logger.js';
import { takeSharedTokens, type BucketRemainder, type SpentTokens } from '../repositories/rate-limit-repository.js';
import { MAX_TRACKED_KEYS, type RequestRateLimit } from './rate-limiter.js';

export interface SharedRateLimitOptions {
  requestsPerMinute: number;
  db: Pick<Database, 'prisma'>;
  log: Logger;
  /** Milliseconds between reconciles (default 250). */
  intervalMs?: number;
  /** Tokens a replica may admit for one key that the table has not seen (default ⌈limit / 10⌉, at least 1). */
  localAllowance?: number;
  /** Milliseconds a reconcile may take before the replica falls back to its local bucket (default 2000). */
  reconcileTimeoutMs?: number;
  now?: () => number;
}

interface LocalBucket {
  /** This replica's view of the shared bucket: the last remainder, refilled since, less what it admitted since. */
  tokens: number;
  updatedAt: number;
  /** Tokens admitted here and not yet sent to the table. */
  unsent: number;
}

export class SharedRateLimiter implements RequestRateLimit {
  readonly requestsPerMinute: number;
  readonly localAllowance: number;
  readonly #buckets = new Map<string, LocalBucket>();
  readonly #perMs: number;
  readonly #options: Required<Omit<SharedRateLimitOptions, 'requestsPerMinute' | 'localAllowance'>>;
  readonly #timer: NodeJS.Timeout | null = null;
  #reconciling: Promise<void> | null = null;
  #reconcileAgain = false;
  /** False while the table does not answer: decisions are then local only. */
  #shared = true;
  #closed = false;

  constructor(options: SharedRateLimitOptions) {
    this.requestsPerMinute = options.requestsPerMinute;
    this.localAllowance = options.localAllowance ?? Math.max(1, Math.ceil(options.requestsPerMinute / 10));
    this.#perMs = options.requestsPerMinute / 60_000;
    this.#options = {
      db: options.db,
      log: options.log,
      intervalMs: options.intervalMs ?? 250,
      reconcileTimeoutMs: options.reconcileTimeoutMs ?? 2000,
      now: options.now ?? (() => performance.now()),
    };
    if (this.requestsPerMinute > 0) {
      this.#timer = setInterval(() => void this.reconcile(), this.#options.intervalMs);
      this.#timer.unref();
    }
  }

  /** Whether decisions currently include the other replicas' spend (false while the table does not answer). */
  get shared(): boolean {
    return this.#shared;
  }

  take(key: string, cost = 1): boolean {
    if (this.requestsPerMinute === 0) return true;
    const bucket = this.#bucket(key);
    if (bucket.tokens < cost) return false;
    // Past its allowance a replica waits for the table (unless nothing is unsent,
    // so a request costing more than the allowance can still pass).
    if (this.#shared && bucket.unsent > 0 && bucket.unsent + cost > this.localAllowance) {
      void this.reconcile();
      return false;
    }
    bucket.tokens -= cost;
    bucket.unsent += cost;
    if (this.#shared && bucket.unsent >= this.localAllowance) void this.reconcile();
    return true;
  }

  /**
   * Sends every key's unsent spend in one upsert and adopts the remainders. One
   * reconcile runs at a time; a call during one schedules another right after.
   * Never rejects: a failure switches to local decisions and is logged once.
   */
  reconcile(): Promise<void> {
    if (this.#reconciling) {
      this.#reconcileAgain = true;
      return this.#reconciling;
    }
    const spent: SpentTokens[] = [];
    for (const [keyId, bucket] of this.#buckets) {
      if (bucket.unsent === 0) continue;
      spent.push({ keyId, taken: bucket.unsent });
      bucket.unsent = 0;
    }
    if (spent.length === 0) return Promise.resolve();
    this.#reconciling = this.#send(spent).finally(() => {
      this.#reconciling = null;
      if (this.#reconcileAgain && !this.#closed) {
        this.#reconcileAgain = false;
        void this.reconcile();
      }
    });
    return this.#reconciling;
  }

  /** Stops the timer and sends what is still unsent; waits at most about two reconcile timeouts. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const { reconcileTimeoutMs } = this.#options;
    if (this.#reconciling) await settledWithin(this.#reconciling, reconcileTimeoutMs);
    if (this.#shared && !this.#reconciling) await settledWithin(this.reconcile(), reconcileTimeoutMs);
  }

  #bucket(key: string): LocalBucket {
    const now = this.#options.now();
    let bucket = this.#buckets.get(key);
    if (!bucket) {
      if (this.#buckets.size >= MAX_TRACKED_KEYS) this.#buckets.clear();
      bucket = { tokens: this.requestsPerMinute, updatedAt: now, unsent: 0 };
      this.#buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(this.requestsPerMinute, bucket.tokens + (now - bucket.updatedAt) * this.#perMs);
    bucket.updatedAt = now;
    return bucket;
  }

  async #send(spent: SpentTokens[]): Promise<void> {
    const { db, reconcileTimeoutMs } = this.#options;
    // One autocommit statement as the table owner: no transaction round trips,
    // and no tenant scope (the table is not tenant data; see its migration).
    const query = takeSharedTokens(db.prisma, spent, this.requestsPerMinute, this.#perMs * 1000);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => {
      timer = setTimeout(() => resolve('timed out'), reconcileTimeoutMs);
      timer.unref();
    });
    try {
      const answer = await Promise.race([query, timedOut]);
      if (answer === 'timed out') {
        this.#fallBack(new Error(`no answer within ${reconcileTimeoutMs} ms`), spent.length);
        // Wait for the stuck statement rather than piling more onto the pool;
        // decisions meanwhile are local.
        this.#adopt(await query);
      } else {
        this.#adopt(answer);
      }
    } catch (error) {
      this.#fallBack(error, spent.length);
    } finally {
      clearTimeout(timer);
    }
  }

  #adopt(remainders: BucketRemainder[]): void {
    for (const { keyId, tokens } of remainders) {
      const bucket = this.#buckets.get(keyId);
      if (!bucket) continue;
      // The table's remainder already holds every replica's spend up to the
      // reconcile; what this replica admitted while it ran comes off it.
      bucket.tokens = Math.min(this.requestsPerMinute, tokens) - bucket.unsent;
      bucket.updatedAt = this.#options.now();
    }
    if (!this.#shared) this.#options.log.info('shared rate limit: the table answers again; limiting across replicas');
    this.#shared = true;
  }

  #fallBack(error: unknown, keys: number): void {
    // The unsent spend of this batch is dropped, not retried: resent after an
    // outage it would lock keys out for spending this replica already limited.
    if (this.#shared) {
      this.#options.log.warn({ err: error, keys }, 'shared rate limit: the table does not answer; limiting per replica until it does');
    }
    this.#shared = false;
  }
}

/** Resolves when `work` settles or after `ms`, whichever is first (a stuck database must not hold up shutdown). */
function settledWithin(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  return Promise.race([work.then(() => undefined, () => undefined), elapsed]).finally(() => clearTimeout(timer));
}
