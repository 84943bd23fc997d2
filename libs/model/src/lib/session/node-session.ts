/**
 * onnxruntime-node session wrapper. Execution providers are tried in the
 * configured order; one that cannot start here (no CUDA libraries, no WebGPU
 * adapter) is skipped with its reason logged, so ['webgpu', 'cpu'] degrades
 * to CPU instead of failing. Node-only: imported from src/node.ts alone.
 */
import * as ort from 'onnxruntime-node';
import { ModelError } from '../errors/model-error.js';
import { ortRunner } from './ort-runner.js';
import type { InferenceRunner, SessionOptions } from '../runtime/inference-runner.js';

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 300);
}

/** What usually fixes a provider that cannot start, appended to the logged reason. */
const PROVIDER_HINTS: Record<string, string> = {
  webgpu:
    'the WebGPU provider drives Vulkan: libvulkan.so.1 must be on the library path when the process starts ' +
    '(e.g. LD_LIBRARY_PATH=/usr/lib/chromium) and VK_ICD_FILENAMES may select a driver such as SwiftShader',
  cuda: 'the CUDA provider needs onnxruntime-node installed with its CUDA libraries and a CUDA 12 runtime',
};

/**
 * A misspelt provider is a configuration error, not something to fall back
 * from silently: names must be ones this onnxruntime-node build knows.
 */
function checkProviderNames(providers: readonly string[]): void {
  const known = ort.listSupportedBackends().map((backend) => backend.name);
  const unknown = providers.filter((provider) => !known.includes(provider));
  if (unknown.length > 0) {
    throw new ModelError(
      'INFERENCE_FAILED',
      `unknown execution provider${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}; onnxruntime-node knows ${known.join(', ')}`,
    );
  }
}

async function createSession(modelBytes: Uint8Array, options: SessionOptions, modelId: string) {
  const providers = options.executionProviders?.length ? options.executionProviders : ['cpu'];
  checkProviderNames(providers);
  const log = options.log ?? ((message: string) => console.warn(message));
  const failures: string[] = [];
  for (const provider of providers) {
    try {
      const session = await ort.InferenceSession.create(modelBytes, {
        executionProviders: [provider],
        ...(options.intraOpThreads ? { intraOpNumThreads: options.intraOpThreads } : {}),
        graphOptimizationLevel: 'all',
      });
      if (failures.length > 0) log(`model "${modelId}": using execution provider "${provider}" (${failures.join('; ')})`);
      return { session, provider };
    } catch (error) {
      const hint = PROVIDER_HINTS[provider];
      failures.push(`"${provider}" unavailable: ${firstLine(error)}${hint ? ` (${hint})` : ''}`);
    }
  }
  throw new ModelError('INFERENCE_FAILED', `model "${modelId}": no execution provider could start (${failures.join('; ')})`);
}

/** A runner over onnxruntime-node; the session is created from bytes already checksum-verified. */
export async function createNodeRunner(modelBytes: Uint8Array, options: SessionOptions, modelId: string): Promise<InferenceRunner> {
  const { session, provider } = await createSession(modelBytes, options, modelId);
  return ortRunner(session, ort.Tensor, provider, modelId);
}
