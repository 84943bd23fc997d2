import { describe, expect, it } from 'vitest';
import { readConfig } from './config.js';

function elementWith(attributes: Record<string, string>): HTMLElement {
  return {
    getAttribute: (name: string) => attributes[name] ?? null,
    hasAttribute: (name: string) => name in attributes,
  } as unknown as HTMLElement;
}

describe('readConfig', () => {
  it('reads the attributes and trims the API base', () => {
    const config = readConfig(elementWith({ api: 'https://api.example/', key: 'psk_a_b', gallery: 'g1', mode: 'search', interval: '500', backend: 'wasm', locked: '' }), 'https://page.example');
    expect(config).toEqual({ apiBase: 'https://api.example', apiKey: 'psk_a_b', galleryId: 'g1', mode: 'search', captureIntervalMs: 500, backend: 'wasm', modeLocked: true });
  });

  it('falls back to safe defaults for missing or invalid values', () => {
    const config = readConfig(elementWith({ mode: 'dance', interval: '5', backend: 'webgl' }), 'https://page.example');
    expect(config).toMatchObject({ apiBase: 'https://page.example', mode: 'capture', captureIntervalMs: 1000, backend: 'auto', modeLocked: false });
  });
});
