// PersonDetector backed by libs/model's web runtime. onnxruntime-web itself is
// imported lazily by that runtime, so the element paints before it arrives.
import { loadWebStudent, type WebStudent } from '@person-search/model/web';
import type { StudentModelLocation } from '../api/kiosk-api.js';
import type { BackendChoice } from '../config.js';
import { inspectWebGpuAdapter, planBackend, WEBGPU_PROBE_BUDGET_MS } from './adapter-choice.js';
import { createModelFetch } from './model-fetch.js';
import type { DownloadProgress, InferenceBackend, PersonDetector } from './person-detector.js';

export interface WebDetectorOptions {
  /** The key or device token the model files are fetched with. */
  bearer: () => Promise<string>;
  backend: BackendChoice;
  /** Folder URL holding onnxruntime-web's ort-wasm-*.mjs/.wasm (shipped in dist/ort/). */
  wasmPaths: string;
  onProgress?: (progress: DownloadProgress) => void;
  /** The bytes are here; the runtime now compiles the model and runs a first frame (seconds on a slow kiosk). */
  onPreparing?: () => void;
}

const SIZE_KEY_PREFIX = 'person-search-kiosk:model-bytes:';
/** The warm-up frame: small, so preparing costs one short run, but it compiles every kernel the real frames use. */
const WARM_UP_SIDE = 256;

/** Threads need SharedArrayBuffer, i.e. a cross-origin isolated page; 4 is where ORT's gains flatten. */
export function wasmThreadCount(): number {
  return crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
}

function warmUpImage() {
  return { data: new Uint8ClampedArray(WARM_UP_SIDE * WARM_UP_SIDE * 4).fill(128), width: WARM_UP_SIDE, height: WARM_UP_SIDE, channels: 4 as const };
}

/** Runs one frame; resolves with its milliseconds, or Infinity when it overran `budgetMs`. */
async function timedFrame(student: WebStudent, budgetMs = Infinity): Promise<number> {
  const started = performance.now();
  const run = student.detectPeople(warmUpImage()).then(() => performance.now() - started);
  if (!Number.isFinite(budgetMs)) return run;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<number>((resolve) => (timer = setTimeout(() => resolve(Infinity), budgetMs)));
  try {
    return await Promise.race([run, overrun]);
  } finally {
    clearTimeout(timer);
  }
}

export async function loadWebStudentDetector(location: StudentModelLocation, options: WebDetectorOptions): Promise<PersonDetector> {
  const modelFetch = createModelFetch(options.bearer, options.onProgress, options.onPreparing);
  // The runtime reads manifest.json and its files (and a declared embedder's sibling folder) from the package folder.
  const folder = new URL('./', location.manifestUrl).href;
  const threads = wasmThreadCount();
  const plan = planBackend(options.backend, options.backend === 'auto' ? await inspectWebGpuAdapter() : { kind: 'none', reason: '' });
  const load = (backend: InferenceBackend) => loadWebStudent(folder, { backend, wasmPaths: options.wasmPaths, numThreads: threads, fetch: modelFetch.fetch });
  let student = await load(plan.backend === 'probe' ? 'webgpu' : plan.backend);
  let reason = plan.reason;
  options.onPreparing?.();
  if (plan.backend === 'probe' && student.executionProvider === 'webgpu') {
    const probeMs = await timedFrame(student, WEBGPU_PROBE_BUDGET_MS);
    if (Number.isFinite(probeMs)) {
      reason = `${plan.reason}; a WebGPU probe frame took ${Math.round(probeMs)} ms`;
    } else {
      // Too slow to be a real GPU: let the overrunning frame finish on its own, then free it.
      const slow = student;
      void timedFrame(slow).finally(() => slow.release());
      student = await load('wasm');
      reason = `${plan.reason}; a WebGPU probe frame overran ${WEBGPU_PROBE_BUDGET_MS} ms, so WASM`;
      await timedFrame(student);
    }
  } else {
    await timedFrame(student);
  }
  // A cache hit downloads nothing, so the size shown is the one measured when it was downloaded.
  const sizeKey = `${SIZE_KEY_PREFIX}${folder}|${student.manifest.sha256}`;
  if (modelFetch.downloadedBytes > 0) localStorage.setItem(sizeKey, String(modelFetch.downloadedBytes));
  const modelBytes = Number(localStorage.getItem(sizeKey) ?? 0);
  const backend: InferenceBackend = student.executionProvider === 'webgpu' ? 'webgpu' : 'wasm';
  const loaded = student;
  return {
    backend,
    backendReason: reason,
    threads: backend === 'webgpu' ? 0 : threads,
    modelId: student.manifest.id,
    modelBytes,
    detectPeople: (image) => loaded.detectPeople(image),
  };
}
