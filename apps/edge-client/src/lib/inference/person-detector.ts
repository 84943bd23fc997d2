// The inference layer the kiosk needs: one call that finds people in a frame.
// The real implementation wraps libs/model's web runtime (web-student-detector.ts);
// views only see this interface.
import type { PersonDetection, RgbImage } from '@person-search/model';

export type InferenceBackend = 'webgpu' | 'wasm';

export interface PersonDetector {
  readonly backend: InferenceBackend;
  /** Why this backend (e.g. "the WebGPU adapter is software (swiftshader)"), shown to staff. */
  readonly backendReason: string;
  /** WASM threads in use (1 when the page is not cross-origin isolated); 0 on WebGPU. */
  readonly threads: number;
  readonly modelId: string;
  /** Bytes of the model file (what a fresh kiosk downloads once). */
  readonly modelBytes: number;
  detectPeople(image: RgbImage): Promise<PersonDetection[]>;
}

export interface DownloadProgress {
  loadedBytes: number;
  /** null while the size is unknown. */
  totalBytes: number | null;
  /** True when the bytes came from Cache Storage rather than the network. */
  fromCache: boolean;
}
