// Which backend `backend="auto"` runs on. A software WebGPU adapter (Chromium's
// SwiftShader, or any adapter flagged isFallbackAdapter) emulates the GPU on the
// CPU: the first frame took 73 s there against 2.8 s on WASM, so it is never
// picked on its own. A hardware adapter is taken; one we cannot classify (no
// adapter info in this browser) is decided by a short timed probe.
import type { BackendChoice } from '../config.js';
import type { InferenceBackend } from './person-detector.js';

/** What the browser tells about its WebGPU adapter (GPUAdapterInfo and isFallbackAdapter). */
export interface AdapterFacts {
  isFallbackAdapter?: boolean;
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}

export type AdapterVerdict =
  | { kind: 'none'; reason: string }
  | { kind: 'software'; reason: string }
  | { kind: 'hardware'; reason: string }
  | { kind: 'unsure'; reason: string };

const SOFTWARE_NAMES = /swiftshader|llvmpipe|lavapipe|softpipe|warp|software|microsoft basic render/i;

/** Pure: classifies an adapter from its facts (null = no adapter). */
export function classifyAdapter(facts: AdapterFacts | null): AdapterVerdict {
  if (!facts) return { kind: 'none', reason: 'no WebGPU adapter' };
  if (facts.isFallbackAdapter === true) return { kind: 'software', reason: 'the WebGPU adapter is a fallback (software) adapter' };
  const names = [facts.vendor, facts.architecture, facts.device, facts.description].filter((name): name is string => Boolean(name));
  const software = names.find((name) => SOFTWARE_NAMES.test(name));
  if (software) return { kind: 'software', reason: `the WebGPU adapter is software (${software})` };
  if (names.length === 0) return { kind: 'unsure', reason: 'the WebGPU adapter does not say what it is' };
  return { kind: 'hardware', reason: `WebGPU adapter ${names.join(' ')}` };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterFacts & { isFallbackAdapter?: boolean };
}

/** Asks the browser for its adapter (without creating a device) and classifies it. */
export async function inspectWebGpuAdapter(): Promise<AdapterVerdict> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) return classifyAdapter(null);
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return classifyAdapter(null);
  const info = adapter.info ?? {};
  return classifyAdapter({
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
  });
}

export interface BackendPlan {
  /** The backend to load; `probe` = load WebGPU, time one frame, keep it only when it beats the budget. */
  backend: InferenceBackend | 'probe';
  reason: string;
}

/** Pure: what to load for a configured choice and the adapter's verdict. An explicit choice is obeyed. */
export function planBackend(choice: BackendChoice, verdict: AdapterVerdict): BackendPlan {
  if (choice !== 'auto') return { backend: choice, reason: `asked for by backend="${choice}"` };
  if (verdict.kind === 'hardware') return { backend: 'webgpu', reason: verdict.reason };
  if (verdict.kind === 'unsure') return { backend: 'probe', reason: verdict.reason };
  return { backend: 'wasm', reason: verdict.reason };
}

/**
 * A probe frame on WebGPU must finish within this budget (ms) to keep WebGPU.
 * WASM runs the student in ~150 ms on a 2-core kiosk; a first WebGPU frame
 * includes shader compilation, so the budget is generous, but far below the
 * tens of seconds a software adapter takes.
 */
export const WEBGPU_PROBE_BUDGET_MS = 2_500;
