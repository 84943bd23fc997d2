// PersonDetector backed by libs/model's web runtime. onnxruntime-web itself is
// imported lazily by that runtime, so the element paints before it arrives.
import { loadWebStudent } from '@person-search/model/web';
import type { StudentModelLocation } from '../api/kiosk-api.js';
import type { BackendChoice } from '../config.js';
import { createModelFetch } from './model-fetch.js';
import type { DownloadProgress, InferenceBackend, PersonDetector } from './person-detector.js';

export interface WebDetectorOptions {
  apiKey: string;
  backend: BackendChoice;
  /** Folder URL holding onnxruntime-web's ort-wasm-*.mjs/.wasm (shipped in dist/ort/). */
  wasmPaths: string;
  onProgress?: (progress: DownloadProgress) => void;
}

const SIZE_KEY_PREFIX = 'person-search-kiosk:model-bytes:';

/** Threads need SharedArrayBuffer, i.e. a cross-origin isolated page; 4 is where ORT's gains flatten. */
export function wasmThreadCount(): number {
  return crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

export async function loadWebStudentDetector(location: StudentModelLocation, options: WebDetectorOptions): Promise<PersonDetector> {
  const modelFetch = createModelFetch(options.apiKey, options.onProgress);
  // The runtime reads manifest.json and its files (and a declared embedder's sibling folder) from the package folder.
  const folder = new URL('./', location.manifestUrl).href;
  const threads = wasmThreadCount();
  const student = await loadWebStudent(folder, { backend: options.backend, wasmPaths: options.wasmPaths, numThreads: threads, fetch: modelFetch.fetch });
  // A cache hit downloads nothing, so the size shown is the one measured when it was downloaded.
  const sizeKey = `${SIZE_KEY_PREFIX}${folder}|${student.manifest.sha256}`;
  if (modelFetch.downloadedBytes > 0) localStorage.setItem(sizeKey, String(modelFetch.downloadedBytes));
  const modelBytes = Number(localStorage.getItem(sizeKey) ?? 0);
  options.onProgress?.({ loadedBytes: modelBytes, totalBytes: modelBytes, fromCache: modelFetch.downloadedBytes === 0 });
  const backend: InferenceBackend = student.executionProvider === 'webgpu' ? 'webgpu' : 'wasm';
  return {
    backend,
    threads: backend === 'webgpu' ? 0 : threads,
    modelId: student.manifest.id,
    modelBytes,
    detectPeople: (image) => student.detectPeople(image),
  };
}
