// PersonDetector backed by libs/model's web runtime (onnxruntime-web). Loaded
// with a dynamic import so the element paints before the runtime arrives.
import type { StudentModelLocation } from '../api/kiosk-api.js';
import type { BackendChoice } from '../config.js';
import type { DownloadProgress, PersonDetector } from './person-detector.js';

export interface WebDetectorOptions {
  backend: BackendChoice;
  /** Folder URL holding onnxruntime-web's ort-wasm-*.mjs/.wasm (shipped in dist/ort/). */
  wasmPaths: string;
  onProgress?: (progress: DownloadProgress) => void;
}

export async function loadWebStudentDetector(location: StudentModelLocation, options: WebDetectorOptions): Promise<PersonDetector> {
  const { loadWebStudent } = await import('@person-search/model/web');
  const student = await loadWebStudent(
    { manifestUrl: location.manifestUrl, modelUrl: location.modelUrl },
    { backend: options.backend, wasmPaths: options.wasmPaths, onProgress: options.onProgress },
  );
  return {
    backend: student.backend,
    threads: student.threads,
    modelId: student.manifest.id,
    modelBytes: student.modelBytes,
    detectPeople: (image) => student.detectPeople(image),
  };
}
