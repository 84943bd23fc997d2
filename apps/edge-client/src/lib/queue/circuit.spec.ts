import { describe, expect, it } from 'vitest';
import { UploadCircuit } from './circuit.js';

describe('UploadCircuit', () => {
  it('opens for one jittered, doubling delay per failure and closes on success', () => {
    const circuit = new UploadCircuit({ baseMs: 1_000, maxMs: 8_000 }, () => 0.5);
    expect(circuit.isOpen).toBe(false);
    expect(circuit.waitMs(0)).toBe(0);
    // Equal jitter: half fixed, half scaled by random (0.5 here).
    expect(circuit.fail(0)).toBe(750);
    expect(circuit.waitMs(500)).toBe(250);
    expect(circuit.fail(750)).toBe(1_500);
    expect(circuit.fail(2_250)).toBe(3_000);
    expect(circuit.fail(0)).toBe(6_000);
    expect(circuit.fail(0)).toBe(6_000); // capped at maxMs = 8000 → 4000 + 2000
    expect(circuit.consecutiveFailures).toBe(5);
    circuit.succeed();
    expect(circuit.isOpen).toBe(false);
    expect(circuit.waitMs(0)).toBe(0);
  });

  it('spreads kiosks that failed together over the delay window', () => {
    const delays = [0, 0.25, 0.999].map((r) => new UploadCircuit({ baseMs: 1_000, maxMs: 60_000 }, () => r).fail(0));
    expect(delays).toEqual([500, 625, 1_000]);
  });

  it('expedite allows a probe now but keeps counting failures', () => {
    const circuit = new UploadCircuit({ baseMs: 1_000, maxMs: 60_000 }, () => 0);
    circuit.fail(0);
    circuit.expedite();
    expect(circuit.waitMs(1)).toBe(0);
    expect(circuit.isOpen).toBe(true);
    expect(circuit.fail(1)).toBe(1_000);
  });
});
