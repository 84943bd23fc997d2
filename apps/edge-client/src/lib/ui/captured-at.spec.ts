import { describe, expect, it } from 'vitest';
import { formatCapturedAt } from './captured-at.js';

describe('formatCapturedAt', () => {
  const now = new Date(2026, 10, 28, 15, 0, 0);

  it('shows only the time for captures of the same day', () => {
    const text = formatCapturedAt(new Date(2026, 10, 28, 11, 34, 4).toISOString(), now);
    expect(text).toMatch(/11.34.04/);
    expect(text).not.toMatch(/2026/);
  });

  it('adds the day for older captures, without the year', () => {
    const text = formatCapturedAt(new Date(2026, 10, 20, 9, 5, 0).toISOString(), now);
    expect(text).toMatch(/20/);
    expect(text).not.toMatch(/2026/);
  });

  it('leaves an unreadable value as it came', () => {
    expect(formatCapturedAt('not a date', now)).toBe('not a date');
  });
});
