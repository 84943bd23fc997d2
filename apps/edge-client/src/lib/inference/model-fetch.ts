// The fetch the web runtime uses for model files, adapted to a kiosk: the key
// travels with each request, download progress is reported, and the last good
// manifest is kept in Cache Storage so a kiosk that restarts offline still
// loads its (sha256-checked, cached) model.
import type { DownloadProgress } from './person-detector.js';

const MANIFEST_CACHE = 'person-search-kiosk-manifests';

export interface ModelFetch {
  fetch: typeof fetch;
  /** Model bytes that came over the network (a Cache Storage hit never calls fetch for them). */
  readonly downloadedBytes: number;
}

export function createModelFetch(bearer: () => Promise<string>, onProgress?: (progress: DownloadProgress) => void, onDownloaded?: () => void): ModelFetch {
  let downloadedBytes = 0;
  const withKey = async (init?: RequestInit): Promise<RequestInit> => ({ ...init, headers: { ...init?.headers, authorization: `Bearer ${await bearer()}` } });

  async function fetchManifest(url: string, init?: RequestInit): Promise<Response> {
    const cache = await caches.open(MANIFEST_CACHE).catch(() => undefined);
    try {
      const response = await fetch(url, await withKey(init));
      if (response.ok) await cache?.put(url, response.clone());
      return response;
    } catch (networkError) {
      const remembered = await cache?.match(url);
      if (remembered) return remembered;
      throw networkError;
    }
  }

  async function fetchModel(url: string, init?: RequestInit): Promise<Response> {
    const response = await fetch(url, await withKey(init));
    if (!response.ok || !response.body) return response;
    const length = Number(response.headers.get('content-length'));
    const totalBytes = Number.isFinite(length) && length > 0 ? length : null;
    let loadedBytes = 0;
    const counted = response.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          loadedBytes += chunk.byteLength;
          downloadedBytes += chunk.byteLength;
          onProgress?.({ loadedBytes, totalBytes, fromCache: false });
          controller.enqueue(chunk);
        },
        // The last byte is not the end of the wait: the runtime still compiles the model.
        flush: () => onDownloaded?.(),
      }),
    );
    return new Response(counted, { status: response.status, headers: response.headers });
  }

  return {
    fetch: (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      return new URL(url).pathname.endsWith('/manifest.json') ? fetchManifest(url, init) : fetchModel(url, init);
    },
    get downloadedBytes() {
      return downloadedBytes;
    },
  };
}
