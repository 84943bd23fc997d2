/**
 * What Node apps call to load models: a student (end-to-end, composite
 * detector + embedder, or bare detector) and a teacher (crop embedder).
 */
import path from 'node:path';
import { ModelError } from '../errors/model-error.js';
import { createCropEmbedder, type CropEmbedder } from '../runtime/embedder.js';
import type { SessionOptions } from '../runtime/inference-runner.js';
import { createStudent, type Student } from '../runtime/student.js';
import { loadModelPackage } from './model-package.js';

export interface StudentOptions extends SessionOptions {
  /**
   * A reid-embedder package to pair with a detector package (composite student):
   * detect, then embed the crops. Defaults to the sibling folder named by the
   * manifest's `embedder`; without either, a detector's detections carry
   * `embedding: null`.
   */
  embedderDir?: string;
}

export type Teacher = CropEmbedder;

export async function loadTeacher(modelDir: string, options: SessionOptions = {}): Promise<Teacher> {
  const { manifest, runner } = await loadModelPackage(modelDir, options);
  try {
    return createCropEmbedder(manifest, runner, options.batchSize);
  } catch (error) {
    await runner.release();
    throw error;
  }
}

export async function loadStudent(modelDir: string, options: StudentOptions = {}): Promise<Student> {
  const { manifest, runner } = await loadModelPackage(modelDir, options);
  let embedder: CropEmbedder | undefined;
  try {
    if (manifest.family === 'reid-embedder') {
      throw new ModelError('INVALID_MANIFEST', `${modelDir}: "${manifest.id}" is an embedder; a student needs a detector or end-to-end model`);
    }
    // A manifest-declared embedder lives in a sibling folder named by its id.
    const embedderDir = options.embedderDir ?? (manifest.embedder ? path.join(path.dirname(path.resolve(modelDir)), manifest.embedder) : undefined);
    if (embedderDir) embedder = await loadTeacher(embedderDir, options);
    if (embedder && manifest.embedder && embedder.manifest.id !== manifest.embedder) {
      throw new ModelError('MANIFEST_MISMATCH', `"${manifest.id}" declares embedder "${manifest.embedder}" but ${embedderDir} holds "${embedder.manifest.id}"`);
    }
    return createStudent(manifest, runner, embedder);
  } catch (error) {
    await Promise.all([runner.release(), embedder?.release()]);
    throw error;
  }
}
