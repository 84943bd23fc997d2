// Retry delays for the upload queue: exponential with "equal jitter" (half fixed,
// half random) so a fleet of kiosks coming back online does not retry in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, maxMs: 60_000 };

/**
 * Delay before retry number `attempt` (1 = first retry): min(maxMs, baseMs·2^(attempt−1)),
 * of which the upper half is scaled by `random` ∈ [0, 1).
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
