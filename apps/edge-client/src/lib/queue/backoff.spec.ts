import { describe, expect, it } from 'vitest';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles the ceiling per attempt, half of it fixed', () => {
    expect(retryDelayMs(1, policy, () => 0)).toBe(500);
    expect(retryDelayMs(1, policy, () => 0.999999)).toBe(1_000);
    expect(retryDelayMs(2, policy, () => 0)).toBe(1_000);
    expect(retryDelayMs(4, policy, () => 0.5)).toBe(6_000);
  });

  it('never exceeds maxMs however many attempts failed', () => {
    expect(retryDelayMs(30, policy, () => 0.999999)).toBe(60_000);
    expect(retryDelayMs(30, policy, () => 0)).toBe(30_000);
  });
});
