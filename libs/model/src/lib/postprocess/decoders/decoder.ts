/**
 * The contract every detector decoder family implements. A family lives in
 * one file (its pure decode function plus one `DetectorDecoder` object) and
 * is registered once in `registry.ts`; the manifest schema, the load-time
 * graph checks and `decodeDetections` all read the registry, so adding a
 * family touches no other file.
 */
import type { Float32Tensor } from '../../image/input-tensor.js';
import type { ManifestInput, ManifestOutput } from '../../manifest/manifest-schema.js';
import type { TensorInfo } from '../../manifest/manifest-checks.js';
import type { Candidate } from '../nms.js';

/** What a decoder reads at run time: its output tensors by role, and the manifest sections it is configured by. */
export interface DecodeContext {
  tensor(role: string): Float32Tensor;
  output: ManifestOutput;
  input: ManifestInput;
}

/**
 * Load-time shape checks against the graph's signature; dims the graph leaves
 * dynamic pass here and are checked at decode time instead.
 */
export interface ShapeCheckContext {
  output(role: string): TensorInfo;
  manifestOutput: ManifestOutput;
  input: ManifestInput;
  /** MANIFEST_MISMATCH unless a fixed dim at `axis` equals `expected`. */
  fixedDim(tensor: TensorInfo, axis: number, expected: number, field: string): void;
  /** MANIFEST_MISMATCH when a fixed dim at `axis` is below `minimum`. */
  atLeast(tensor: TensorInfo, axis: number, minimum: number, what: string): void;
}

export interface DetectorDecoder {
  /** The manifest's `family` and `output.decoder`. */
  readonly name: string;
  /** Roles the decoder reads from `output.tensors` (each required by the manifest schema). */
  readonly tensors: readonly string[];
  /**
   * Where embeddings come from: `per-box`, an `[N, D]` output of the same graph
   * (the manifest must declare `embedding`); `embedder`, a paired reid-embedder
   * package (the manifest may name one in `embedder`, never `embedding`).
   */
  readonly embeddings: 'per-box' | 'embedder';
  checkShapes(context: ShapeCheckContext): void;
  /** Final candidates in model-input pixels: thresholded, NMS-ed where the graph does not, best first, at most maxDetections. */
  decode(context: DecodeContext): Candidate[];
}
