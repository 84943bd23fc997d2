// One circuit for the whole upload queue. A failure for want of a server opens
// it for one jittered backoff delay, shared by every queued frame (so 160
// frames do not each retry on their own, up to 9/s); when the delay is over the
// queue first probes /healthz, and only a healthy answer lets one upload
// through. Each failed probe or upload doubles the delay (up to the cap).
import { retryDelayMs, type BackoffPolicy } from './backoff.js';

export class UploadCircuit {
  /** Consecutive failures since the last success; 0 = closed. */
  private failures = 0;
  private reopensAt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  get isOpen(): boolean {
    return this.failures > 0;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Milliseconds until the next probe is allowed (0 when closed or due). */
  waitMs(now: number): number {
    return this.failures === 0 ? 0 : Math.max(0, this.reopensAt - now);
  }

  /** Records a failed probe or upload; returns the delay before the next probe. */
  fail(now: number): number {
    this.failures += 1;
    const delay = retryDelayMs(this.failures, this.policy, this.random);
    this.reopensAt = now + delay;
    return delay;
  }

  succeed(): void {
    this.failures = 0;
    this.reopensAt = 0;
  }

  /** Probe at once (the browser says it is online, or staff pressed retry); the failure count stays. */
  expedite(): void {
    this.reopensAt = 0;
  }
}
