/**
 * Reads a model package folder (`manifest.json` + the ONNX file it names) in
 * Node, verifies the file's sha256, starts a session and checks the manifest
 * against the graph's real inputs and outputs. Node-only.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { asModelError, ModelError } from '../errors/model-error.js';
import { startCheckedRunner, verifyModelChecksum } from '../manifest/manifest-checks.js';
import { parseManifest, type ModelManifest } from '../manifest/manifest-schema.js';
import type { InferenceRunner, SessionOptions } from '../runtime/inference-runner.js';
import { createNodeRunner } from './node-session.js';

async function readOrNotFound(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ModelError('MODEL_NOT_FOUND', `${what} not readable at ${file}: ${(error as Error).message}`, { cause: error });
  }
}

export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const text = (await readOrNotFound(path.join(modelDir, 'manifest.json'), 'manifest')).toString('utf8');
  try {
    return parseManifest(text);
  } catch (error) {
    const wrapped = asModelError(error, 'INVALID_MANIFEST', `manifest in ${modelDir}`);
    throw new ModelError(wrapped.code, `${modelDir}/manifest.json: ${wrapped.message}`, { cause: error });
  }
}

export interface LoadedModel {
  manifest: ModelManifest;
  runner: InferenceRunner;
}

/** Verifies, starts and cross-checks one model package; the session is released if any check fails. */
export async function loadModelPackage(modelDir: string, options: SessionOptions): Promise<LoadedModel> {
  const manifest = await readManifest(modelDir);
  const bytes = await readOrNotFound(path.join(modelDir, manifest.file), `model file of "${manifest.id}"`);
  await verifyModelChecksum(manifest, bytes);
  return startCheckedRunner(manifest, () => createNodeRunner(bytes, options, manifest.id));
}
