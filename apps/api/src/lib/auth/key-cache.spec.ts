import { describe, expect, it } from 'vitest';
import { createKeyCache } from './key-cache.js';

describe('createKeyCache', () => {
  it('serves a row until its TTL ends, then forgets it', () => {
    let clock = 1000;
    const cache = createKeyCache<string>({ ttlMs: 5000, maxEntries: 10, now: () => clock });
    cache.set('abc', 'row');
    clock += 4999;
    expect(cache.get('abc')).toBe('row');
    clock += 1;
    expect(cache.get('abc')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the least recently used row beyond maxEntries', () => {
    const cache = createKeyCache<number>({ ttlMs: 5000, maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // now b is the least recently used
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([1, undefined, 3]);
    expect(cache.size).toBe(2);
  });

  it('evicts on demand and caches nothing with a zero TTL', () => {
    const cache = createKeyCache<number>({ ttlMs: 5000, maxEntries: 2 });
    cache.set('a', 1);
    cache.evict('a');
    expect(cache.get('a')).toBeUndefined();
    const off = createKeyCache<number>({ ttlMs: 0, maxEntries: 2 });
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
  });
});
