import { describe, expect, it } from 'vitest';
import { mulberry32, orthonormalProjection } from './random-projection';

function gram(matrix: Float32Array, rows: number, cols: number, byRows: boolean): number[][] {
  const count = byRows ? rows : cols;
  const length = byRows ? cols : rows;
  const at = (vector: number, k: number): number => (byRows ? matrix[vector * cols + k]! : matrix[k * cols + vector]!);
  return Array.from({ length: count }, (_, i) => Array.from({ length: count }, (_, j) => {
    let dot = 0;
    for (let k = 0; k < length; k++) dot += at(i, k) * at(j, k);
    return dot;
  }));
}

describe('orthonormalProjection', () => {
  it('has orthonormal rows when it widens (an isometry: cosines are preserved)', () => {
    const g = gram(orthonormalProjection(18, 128, 7), 18, 128, true);
    g.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(i === j ? 1 : 0, 5)));
  });

  it('has orthonormal columns when it narrows', () => {
    const g = gram(orthonormalProjection(64, 16, 7), 64, 16, false);
    g.forEach((row, i) => row.forEach((value, j) => expect(value).toBeCloseTo(i === j ? 1 : 0, 5)));
  });

  it('is a pure function of its seed', () => {
    expect(Buffer.from(orthonormalProjection(18, 128, 3).buffer).equals(Buffer.from(orthonormalProjection(18, 128, 3).buffer))).toBe(true);
    expect(Buffer.from(orthonormalProjection(18, 128, 3).buffer).equals(Buffer.from(orthonormalProjection(18, 128, 4).buffer))).toBe(false);
  });

  it('mulberry32 gives the reference sequence (guards against accidental changes that would alter model bytes)', () => {
    const next = mulberry32(1);
    // The canonical mulberry32(1) stream starts 0.6270739405881613 (= 2693262067 / 2^32).
    expect([next(), next(), next()]).toEqual([2693262067, 11749833, 2265367787]);
  });
});
