// PersonDetector backed by libs/model's web runtime (onnxruntime-web). Loaded
// with a dynamic import so the element paints before the runtime arrives.
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

/** Threads need SharedArrayBuffer, i.e. a cross-origin isolated page; 4 is where ORT's gains flatten. */
export function wasmThreadCount(): number {
  return crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

export async function loadWebStudentDetector(location: StudentModelLocation, options: WebDetectorOptions): Promise<PersonDetector> {
  const web = await import('@person-search/model/web');
  const modelFetch = createModelFetch(options.apiKey, options.onProgress);
  // The runtime takes the package folder and reads manifest.json + manifest.file in it.
  const folder = new URL('./', location.manifestUrl).href;
  const { manifest, modelBytes } = await web.fetchModelPackage(folder, { fetch: modelFetch.fetch });
  options.onProgress?.({ loadedBytes: modelBytes.byteLength, totalBytes: modelBytes.byteLength, fromCache: !modelFetch.downloaded });
  const threads = wasmThreadCount();
  const student = await web.loadWebStudent({ manifest, modelBytes }, { backend: options.backend, wasmPaths: options.wasmPaths, numThreads: threads });
  const backend: InferenceBackend = student.executionProvider === 'webgpu' ? 'webgpu' : 'wasm';
  return {
    backend,
    threads: backend === 'webgpu' ? 0 : threads,
    modelId: manifest.id,
    modelBytes: modelBytes.byteLength,
    detectPeople: (image) => student.detectPeople(image),
  };
}
