/**
 * Browser model fetching: sha256 verification and the Cache Storage layer.
 * fetch and caches are replaced by in-memory stand-ins for the browser APIs
 * (the model bytes and their checks are real).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { fetchModelPackage } from '../src/web.js';
import { tinyEmbedderBytes, tinyEmbedderManifest } from './support/tiny-models.js';

/** A served package: manifest.json + model.onnx; counts requests per file. */
async function servedPackage(modelBytes: Uint8Array, status = 200) {
  const manifest = JSON.stringify(tinyEmbedderManifest());
  const requested: string[] = [];
  const fetchStub = (async (url: string | URL | Request) => {
    const href = String(url);
    requested.push(href);
    if (href.endsWith('/manifest.json')) return new Response(manifest);
    if (href.endsWith('/model.onnx')) return new Response(modelBytes as Uint8Array<ArrayBuffer>, { status });
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  return { fetchStub, requested };
}

/** The slice of CacheStorage the runtime uses, in memory. */
function memoryCaches() {
  const entries = new Map<string, Uint8Array>();
  const cache = {
    match: async (key: string) => (entries.has(key) ? new Response(entries.get(key)! as Uint8Array<ArrayBuffer>) : undefined),
    put: async (key: string, response: Response) => void entries.set(key, new Uint8Array(await response.arrayBuffer())),
    delete: async (key: string) => entries.delete(key),
  };
  vi.stubGlobal('caches', { open: async () => cache });
  return entries;
}

describe('fetchModelPackage', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('returns verified bytes from the package folder', async () => {
    const { fetchStub, requested } = await servedPackage(tinyEmbedderBytes());
    const fetched = await fetchModelPackage('http://kiosk.local/models/tiny-embedder', { fetch: fetchStub, cacheName: false });
    expect(fetched.manifest.id).toBe('tiny-embedder');
    expect(Buffer.from(fetched.modelBytes).equals(Buffer.from(tinyEmbedderBytes()))).toBe(true);
    expect(requested).toEqual(['http://kiosk.local/models/tiny-embedder/manifest.json', 'http://kiosk.local/models/tiny-embedder/model.onnx']);
  });

  it('rejects bytes whose sha256 differs from the manifest, and HTTP errors', async () => {
    const tampered = tinyEmbedderBytes().slice();
    tampered[0]! ^= 1;
    const bad = await servedPackage(tampered);
    await expect(fetchModelPackage('http://kiosk.local/m/', { fetch: bad.fetchStub, cacheName: false })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    const gone = await servedPackage(tinyEmbedderBytes(), 404);
    await expect(fetchModelPackage('http://kiosk.local/m/', { fetch: gone.fetchStub, cacheName: false })).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND',
      message: expect.stringMatching(/model\.onnx: HTTP 404/),
    });
  });

  it('caches the model under its sha256 and serves the next load from Cache Storage', async () => {
    const entries = memoryCaches();
    const { fetchStub, requested } = await servedPackage(tinyEmbedderBytes());
    await fetchModelPackage('http://kiosk.local/m/', { fetch: fetchStub });
    const again = await fetchModelPackage('http://kiosk.local/m/', { fetch: fetchStub });
    expect(again.manifest.id).toBe('tiny-embedder');
    expect(requested.filter((url) => url.endsWith('model.onnx'))).toHaveLength(1);
    expect(requested.filter((url) => url.endsWith('manifest.json'))).toHaveLength(2);
    expect([...entries.keys()]).toEqual([`http://kiosk.local/m/model.onnx?sha256=${again.manifest.sha256}`]);
  });

  it('re-downloads when the cached bytes no longer match the manifest', async () => {
    const entries = memoryCaches();
    const { fetchStub, requested } = await servedPackage(tinyEmbedderBytes());
    const first = await fetchModelPackage('http://kiosk.local/m/', { fetch: fetchStub });
    const key = `http://kiosk.local/m/model.onnx?sha256=${first.manifest.sha256}`;
    entries.set(key, new Uint8Array([1, 2, 3]));
    const second = await fetchModelPackage('http://kiosk.local/m/', { fetch: fetchStub });
    expect(Buffer.from(second.modelBytes).equals(Buffer.from(tinyEmbedderBytes()))).toBe(true);
    expect(requested.filter((url) => url.endsWith('model.onnx'))).toHaveLength(2);
    expect(entries.get(key)?.length).toBe(tinyEmbedderBytes().length);
  });
});
