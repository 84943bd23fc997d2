// Lockout for unauthenticated credential exchanges (enrolment codes, refresh
// tokens): failures are counted per client address in a fixed window, and a
// locked address is refused even with a correct code until the window ends.
// A global ceiling bounds a spray from many addresses. In-process, like the
// request rate limiter: each replica counts its own share.
export interface AttemptLimits {
  /** Failures one address may make per window before it is locked out. */
  perAddress: number;
  /** Failures all addresses together may make per window. */
  global: number;
  windowMs: number;
}

/** Per address: DEVICE_ENROLMENT_MAX_FAILURES (default 10) per 15 minutes; all addresses together: 50 addresses' worth. */
export function enrolmentAttemptLimits(perAddress = 10): AttemptLimits {
  return { perAddress, global: 50 * perAddress, windowMs: 15 * 60_000 };
}

const GLOBAL = '*';

export class AttemptLimiter {
  readonly #failures = new Map<string, { count: number; windowStart: number }>();

  constructor(readonly limits: AttemptLimits = enrolmentAttemptLimits(), private readonly now: () => number = () => Date.now()) {}

  /** Milliseconds until `address` may try again; 0 when it may try now. */
  lockedForMs(address: string): number {
    const now = this.now();
    const waits = [this.#wait(address, this.limits.perAddress, now), this.#wait(GLOBAL, this.limits.global, now)];
    return Math.max(...waits);
  }

  recordFailure(address: string): void {
    const now = this.now();
    for (const key of [address, GLOBAL]) {
      const entry = this.#current(key, now);
      entry.count += 1;
      this.#failures.set(key, entry);
    }
    if (this.#failures.size > 100_000) this.#failures.clear(); // bound memory under address-spraying
  }

  #current(key: string, now: number): { count: number; windowStart: number } {
    const entry = this.#failures.get(key);
    return entry && now - entry.windowStart < this.limits.windowMs ? entry : { count: 0, windowStart: now };
  }

  #wait(key: string, limit: number, now: number): number {
    const entry = this.#current(key, now);
    return entry.count >= limit ? entry.windowStart + this.limits.windowMs - now : 0;
  }
}
