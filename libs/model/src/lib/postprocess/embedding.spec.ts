import { describe, expect, it } from 'vitest';
import { cosineSimilarity, embeddingFromBase64, embeddingToBase64, l2Normalize } from './embedding.js';

describe('embedding maths', () => {
  it('l2Normalize makes [3, 4] into [0.6, 0.8] and leaves zero vectors at zero', () => {
    const unit = l2Normalize([3, 4]);
    expect(unit[0]).toBeCloseTo(0.6, 6);
    expect(unit[1]).toBeCloseTo(0.8, 6);
    expect(Array.from(l2Normalize([0, 0]))).toEqual([0, 0]);
  });

  it('cosineSimilarity of [1, 0] and [1, 1] is 1/sqrt(2)', () => {
    expect(cosineSimilarity([1, 0], [1, 1])).toBeCloseTo(0.707107, 6);
    expect(cosineSimilarity([1, 2], [-1, -2])).toBeCloseTo(-1, 6);
    expect(() => cosineSimilarity([1], [1, 2])).toThrow(RangeError);
  });

  it('encodes little-endian float32: 1.0 is 00 00 80 3f', () => {
    expect(embeddingToBase64(new Float32Array([1]))).toBe('AACAPw==');
    const vector = new Float32Array([0.25, -1.5, 3.125]);
    expect(Array.from(embeddingFromBase64(embeddingToBase64(vector), 3))).toEqual([0.25, -1.5, 3.125]);
  });

  it('rejects base64 of the wrong length', () => {
    expect(() => embeddingFromBase64('AACAPw==', 2)).toThrow(/4 bytes; expected 8/);
    expect(() => embeddingFromBase64('AAC', 1)).toThrow(RangeError);
  });
});
