/**
 * The seam between the pure pipeline and an ONNX Runtime flavour: the Node
 * and web session wrappers each implement InferenceRunner, and detectors,
 * embedders and students are built on top of it without knowing which.
 */
import type { Float32Tensor } from '../image/input-tensor.js';
import type { ModelSignature } from '../manifest/manifest-checks.js';
import type { ModelOutputs } from '../postprocess/decode-detections.js';

export interface InferenceRunner {
  /** Graph inputs/outputs as the runtime reports them (names, static dims). */
  readonly signature: ModelSignature;
  /** The execution provider the session actually runs on, e.g. "cpu", "webgpu", "wasm". */
  readonly executionProvider: string;
  run(feeds: Record<string, Float32Tensor>, outputNames: readonly string[]): Promise<ModelOutputs>;
  release(): Promise<void>;
}

/** Options shared by every loader. */
export interface SessionOptions {
  /** Tried in order, falling back (with a logged reason) when one cannot start; default ['cpu']. */
  executionProviders?: string[];
  /** ONNX Runtime intra-op threads (Node); 0 or unset = runtime default. */
  intraOpThreads?: number;
  /** Crops per embedder run; capped at 1 when the graph fixes batch = 1. Default 16. */
  batchSize?: number;
  /** Receives fallback reasons and other notices; default console.warn. */
  log?: (message: string) => void;
}
