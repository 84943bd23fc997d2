/**
 * onnxruntime-web session wrapper. Backend: WebGPU when
 * navigator.gpu.requestAdapter() yields an adapter, else WASM (multi-threaded
 * when the page is cross-origin isolated, which SharedArrayBuffer needs).
 * The runtime is imported lazily on the first load, and its wasm files are
 * served from a configured local path, never a CDN.
 */
import { asModelError } from '../errors/model-error.js';
import { ortRunner } from './ort-runner.js';
import type { InferenceRunner } from '../runtime/inference-runner.js';

type OrtWeb = typeof import('onnxruntime-web');

export type WebBackend = 'webgpu' | 'wasm';

export interface WebSessionOptions {
  /** 'auto' (default) = WebGPU when an adapter exists, else WASM. */
  backend?: WebBackend | 'auto';
  /** URL prefix (or per-file map) where ort-wasm-*.wasm/.mjs are served, e.g. '/kiosk/ort/'. */
  wasmPaths?: string | Record<string, string>;
  /** WASM threads; default min(4, hardwareConcurrency) when crossOriginIsolated, else 1. */
  numThreads?: number;
  /**
   * Let idle WASM intra-op threads spin between ops (ORT's default) instead of sleeping.
   * Default false: on a busy CPU (a kiosk also captures, renders and uploads; a 2-core
   * machine under load) spinning threads steal the cores the work needs; measured with
   * 2 threads under load, sleeping gave 1.3-2x lower median ms/frame, equal best case.
   */
  allowSpinning?: boolean;
  log?: (message: string) => void;
}

interface NavigatorWithGpu {
  gpu?: { requestAdapter(): Promise<unknown> };
  hardwareConcurrency?: number;
}

function browserNavigator(): NavigatorWithGpu | undefined {
  return (globalThis as { navigator?: NavigatorWithGpu }).navigator;
}

/** Why WebGPU cannot be used here, or undefined when an adapter is available. */
async function webGpuUnavailableReason(): Promise<string | undefined> {
  const gpu = browserNavigator()?.gpu;
  if (!gpu) return 'navigator.gpu is absent';
  try {
    return (await gpu.requestAdapter()) ? undefined : 'navigator.gpu.requestAdapter() returned no adapter';
  } catch (error) {
    return `requestAdapter() failed: ${(error as Error).message}`;
  }
}

export async function chooseWebBackend(requested: WebBackend | 'auto', log: (message: string) => void): Promise<WebBackend> {
  if (requested === 'wasm') return 'wasm';
  const reason = await webGpuUnavailableReason();
  if (!reason) return 'webgpu';
  if (requested === 'webgpu') log(`WebGPU requested but unavailable (${reason}); falling back to WASM`);
  return 'wasm';
}

function configureWasm(ort: OrtWeb, options: WebSessionOptions): void {
  if (options.wasmPaths !== undefined) ort.env.wasm.wasmPaths = options.wasmPaths;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const cores = browserNavigator()?.hardwareConcurrency ?? 1;
  ort.env.wasm.numThreads = options.numThreads ?? (isolated ? Math.max(1, Math.min(4, cores)) : 1);
}

function sessionOptions(backend: WebBackend, options: WebSessionOptions) {
  const spinning = options.allowSpinning === true ? '1' : '0';
  return { executionProviders: [backend], graphOptimizationLevel: 'all' as const, extra: { session: { intra_op: { allow_spinning: spinning } } } };
}

export async function createWebRunner(modelBytes: Uint8Array, options: WebSessionOptions, modelId: string): Promise<InferenceRunner> {
  const log = options.log ?? ((message: string) => console.warn(message));
  const ort: OrtWeb = await import('onnxruntime-web');
  configureWasm(ort, options);
  let backend = await chooseWebBackend(options.backend ?? 'auto', log);
  let session: Awaited<ReturnType<OrtWeb['InferenceSession']['create']>>;
  try {
    session = await ort.InferenceSession.create(modelBytes, sessionOptions(backend, options));
  } catch (error) {
    if (backend !== 'webgpu') throw asModelError(error, 'INFERENCE_FAILED', `model "${modelId}" could not start on ${backend}`);
    log(`model "${modelId}": WebGPU session failed (${(error as Error).message}); falling back to WASM`);
    backend = 'wasm';
    try {
      session = await ort.InferenceSession.create(modelBytes, sessionOptions('wasm', options));
    } catch (wasmError) {
      throw asModelError(wasmError, 'INFERENCE_FAILED', `model "${modelId}" could not start on wasm`);
    }
  }
  return ortRunner(session, ort.Tensor, backend, modelId);
}
