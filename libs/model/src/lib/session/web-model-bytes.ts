/**
 * Fetching a model package in the browser: the manifest is always fetched
 * fresh; the ONNX bytes are kept in Cache Storage under a key that includes
 * the manifest's sha256, so a new model version never reuses stale bytes,
 * and every read (cached or not) is checked against that sha256.
 */
import { ModelError } from '../errors/model-error.js';
import { verifyModelChecksum } from '../manifest/manifest-checks.js';
import { parseManifest, type ModelManifest } from '../manifest/manifest-schema.js';

export interface FetchModelOptions {
  /** Cache Storage bucket; false disables caching. Default "person-search-models". */
  cacheName?: string | false;
  fetch?: typeof fetch;
}

export interface FetchedModel {
  manifest: ModelManifest;
  modelBytes: Uint8Array;
}

async function fetchOk(fetchImpl: typeof fetch, url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', `could not fetch ${url}: ${(error as Error).message}`, { cause: error });
  }
  if (!response.ok) throw new ModelError('MODEL_NOT_FOUND', `could not fetch ${url}: HTTP ${response.status}`);
  return response;
}

function openCache(cacheName: string | false): Promise<Cache | undefined> {
  if (cacheName === false || typeof caches === 'undefined') return Promise.resolve(undefined);
  // Cache Storage can be unavailable (private mode, insecure origin): run without it.
  return caches.open(cacheName).catch(() => undefined);
}

/** Absolute folder URL (trailing slash); relative URLs resolve against the page. */
export function packageFolderUrl(baseUrl: string): string {
  const folder = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  try {
    return new URL(folder, globalThis.location?.href).href;
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', `model URL "${baseUrl}" is not absolute and there is no page URL to resolve it against`, { cause: error });
  }
}

/** `baseUrl` is the package folder URL (`…/models/default-student/`, absolute or page-relative). */
export async function fetchModelPackage(baseUrl: string, options: FetchModelOptions = {}): Promise<FetchedModel> {
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const folder = packageFolderUrl(baseUrl);
  const manifestResponse = await fetchOk(fetchImpl, new URL('manifest.json', folder).href, { cache: 'no-cache' });
  const manifest = parseManifest(await manifestResponse.text());
  const modelUrl = new URL(manifest.file, folder).href;
  const cacheKey = `${modelUrl}?sha256=${manifest.sha256}`;
  const cache = await openCache(options.cacheName ?? 'person-search-models');

  const cached = await cache?.match(cacheKey);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    try {
      await verifyModelChecksum(manifest, bytes);
      return { manifest, modelBytes: bytes };
    } catch {
      await cache?.delete(cacheKey); // corrupted entry: fetch again below
    }
  }
  const modelBytes = new Uint8Array(await (await fetchOk(fetchImpl, modelUrl)).arrayBuffer());
  await verifyModelChecksum(manifest, modelBytes);
  await cache?.put(cacheKey, new Response(modelBytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream' } }));
  return { manifest, modelBytes };
}
