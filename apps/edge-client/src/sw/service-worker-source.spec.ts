import { describe, expect, it } from 'vitest';
import { serviceWorkerSource } from './service-worker-source.js';

describe('serviceWorkerSource', () => {
  it('precaches the page and every built file except itself and source maps, under a versioned cache', () => {
    const source = serviceWorkerSource(['index.html', 'sw.js', 'assets/index-abc.js', 'assets/index-abc.js.map', 'ort/ort-wasm-simd-threaded.jsep.wasm', 'favicon.svg'], 'v42');
    expect(source).toContain(`const CACHE = 'person-search-kiosk-shell-v42';`);
    expect(source).toContain(JSON.stringify(['./', './assets/index-abc.js', './ort/ort-wasm-simd-threaded.jsep.wasm', './favicon.svg']));
    // It must parse as a script.
    expect(() => new Function(source)).not.toThrow();
  });
});
