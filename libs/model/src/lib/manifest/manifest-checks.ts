/**
 * Load-time checks that a manifest describes the ONNX file it sits beside:
 * tensor names and (where the graph fixes them) shapes, and the file's sha256.
 * Pure and isomorphic: the Node and web session wrappers both call these.
 */
import { ModelError } from '../errors/model-error.js';
import { DECODER_REGISTRY } from '../postprocess/decoders/registry.js';
import type { InferenceRunner } from '../runtime/inference-runner.js';
import type { ManifestOutput, ModelManifest } from './manifest-schema.js';
import { sha256Portable } from './sha256.js';

/** One graph input/output as ONNX Runtime reports it; string dims are symbolic (dynamic). */
export interface TensorInfo {
  name: string;
  shape?: readonly (number | string)[];
}

export interface ModelSignature {
  inputs: readonly TensorInfo[];
  outputs: readonly TensorInfo[];
}

function mismatch(manifest: ModelManifest, message: string): ModelError {
  return new ModelError('MANIFEST_MISMATCH', `model "${manifest.id}": ${message}`);
}

function findTensor(manifest: ModelManifest, list: readonly TensorInfo[], name: string, field: string, kind: string) {
  const found = list.find((tensor) => tensor.name === name);
  if (!found) {
    const actual = list.map((tensor) => `"${tensor.name}"`).join(', ');
    throw mismatch(manifest, `${field} names ${kind} "${name}" but the ONNX graph's ${kind}s are ${actual}`);
  }
  return found;
}

/** A dim is checked only when the graph fixes it to a number. */
function checkDim(manifest: ModelManifest, info: TensorInfo, axis: number, expected: number, field: string) {
  const actual = info.shape?.[axis];
  if (typeof actual === 'number' && actual > 0 && actual !== expected) {
    throw mismatch(manifest, `${field} is ${expected} but "${info.name}" has ${actual} at axis ${axis} (shape [${info.shape?.join(', ')}])`);
  }
}

/** Static output shapes the manifest's decoder needs (the decoder's own checkShapes). */
function checkDecoderShapes(manifest: ModelManifest, output: ManifestOutput, signature: ModelSignature): void {
  DECODER_REGISTRY[output.decoder].checkShapes({
    output: (role) => signature.outputs.find((tensor) => tensor.name === output.tensors[role])!,
    manifestOutput: output,
    input: manifest.input,
    fixedDim: (tensor, axis, expected, field) => checkDim(manifest, tensor, axis, expected, field),
    atLeast: (tensor, axis, minimum, what) => {
      const actual = tensor.shape?.[axis];
      if (typeof actual === 'number' && actual > 0 && actual < minimum) {
        throw mismatch(manifest, `output "${tensor.name}" has ${actual} at axis ${axis}; ${what} needs at least ${minimum}`);
      }
    },
  });
}

/** Throws MANIFEST_MISMATCH when the manifest's tensor names or static shapes disagree with the graph. */
export function checkManifestAgainstSignature(manifest: ModelManifest, signature: ModelSignature): void {
  const input = manifest.input;
  const inputInfo = findTensor(manifest, signature.inputs, input.name, 'input.name', 'input');
  if (inputInfo.shape && inputInfo.shape.length !== 4) {
    throw mismatch(manifest, `input "${input.name}" has rank ${inputInfo.shape.length}, expected 4 (${input.layout})`);
  }
  const [channelAxis, heightAxis, widthAxis] = input.layout === 'NCHW' ? [1, 2, 3] : [3, 1, 2];
  checkDim(manifest, inputInfo, channelAxis, 3, 'input channels');
  checkDim(manifest, inputInfo, heightAxis, input.height, 'input.height');
  checkDim(manifest, inputInfo, widthAxis, input.width, 'input.width');

  if (manifest.output) {
    for (const [role, name] of Object.entries(manifest.output.tensors)) {
      findTensor(manifest, signature.outputs, name, `output.tensors.${role}`, 'output');
    }
    checkDecoderShapes(manifest, manifest.output, signature);
  }
  if (manifest.embedding) {
    const info = findTensor(manifest, signature.outputs, manifest.embedding.tensor, 'embedding.tensor', 'output');
    const rank = info.shape?.length;
    if (rank !== undefined) checkDim(manifest, info, rank - 1, manifest.embedding.dimension, 'embedding.dimension');
    const queryBoxes = manifest.embedding.queryBoxes;
    if (queryBoxes) {
      const boxes = findTensor(manifest, signature.inputs, queryBoxes.input, 'embedding.queryBoxes.input', 'input');
      if (boxes.shape) checkDim(manifest, boxes, boxes.shape.length - 1, 4, 'query boxes (x1, y1, x2, y2)');
      const embedded = findTensor(manifest, signature.outputs, queryBoxes.output, 'embedding.queryBoxes.output', 'output');
      if (embedded.shape) checkDim(manifest, embedded, embedded.shape.length - 1, manifest.embedding.dimension, 'embedding.dimension');
    }
  }
}

function toHex(digest: Uint8Array): string {
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * sha256 of bytes as lowercase hex: WebCrypto where it exists (Node 20,
 * browsers in secure contexts), else the portable implementation.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return toHex(sha256Portable(bytes));
  return toHex(new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>)));
}

/** Throws CHECKSUM_MISMATCH unless the model bytes hash to the manifest's sha256. */
export async function verifyModelChecksum(manifest: ModelManifest, modelBytes: Uint8Array): Promise<void> {
  const actual = await sha256Hex(modelBytes);
  if (actual !== manifest.sha256) {
    throw new ModelError(
      'CHECKSUM_MISMATCH',
      `model "${manifest.id}": ${manifest.file} has sha256 ${actual} but the manifest says ${manifest.sha256}`,
    );
  }
}

/**
 * Starts a session (Node or web) for a model whose bytes were verified, then
 * checks the manifest against the graph it actually loaded; the session is
 * released when that check fails, so a bad package never leaks one.
 */
export async function startCheckedRunner(
  manifest: ModelManifest,
  start: () => Promise<InferenceRunner>,
): Promise<{ manifest: ModelManifest; runner: InferenceRunner }> {
  const runner = await start();
  try {
    checkManifestAgainstSignature(manifest, runner.signature);
  } catch (error) {
    await runner.release();
    throw error;
  }
  return { manifest, runner };
}
