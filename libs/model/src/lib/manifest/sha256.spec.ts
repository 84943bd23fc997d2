import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sha256Portable } from './sha256.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('sha256Portable', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(hex(sha256Portable(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(sha256Portable(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(sha256Portable(new TextEncoder().encode('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('agrees with node:crypto at every padding boundary and on a subarray view', () => {
    const data = randomBytes(300);
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 300]) {
      expect(hex(sha256Portable(data.subarray(0, length)))).toBe(createHash('sha256').update(data.subarray(0, length)).digest('hex'));
    }
    const view = new Uint8Array(data.buffer, data.byteOffset + 7, 100);
    expect(hex(sha256Portable(view))).toBe(createHash('sha256').update(view).digest('hex'));
  });
});
