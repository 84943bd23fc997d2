/**
 * What the browser (edge client) calls: load a student from a served model
 * folder or from a manifest + bytes already in hand, and turn canvas or
 * ImageBitmap pixels into RgbImages. No Node-only imports here.
 */
import { ModelError } from '../errors/model-error.js';
import type { RgbImage } from '../image/rgb-image.js';
import { startCheckedRunner, verifyModelChecksum } from '../manifest/manifest-checks.js';
import { parseManifest, type ModelManifest } from '../manifest/manifest-schema.js';
import { createCropEmbedder, type CropEmbedder } from '../runtime/embedder.js';
import type { InferenceRunner } from '../runtime/inference-runner.js';
import { createStudent, type Student } from '../runtime/student.js';
import { fetchModelPackage, packageFolderUrl, type FetchModelOptions } from './web-model-bytes.js';
import { createWebRunner, type WebSessionOptions } from './web-session.js';

export type WebStudent = Student;

/** A served package folder URL, or a manifest (JSON or parsed) with its model bytes. */
export type WebModelSource = string | { manifest: unknown; modelBytes: Uint8Array };

export interface WebStudentOptions extends WebSessionOptions, FetchModelOptions {
  /** A reid-embedder package to pair with a detector (composite student); defaults to the manifest's `embedder` sibling folder. */
  embedder?: WebModelSource;
  batchSize?: number;
}

async function loadWebModel(source: WebModelSource, options: WebStudentOptions): Promise<{ manifest: ModelManifest; runner: InferenceRunner }> {
  let manifest: ModelManifest;
  let modelBytes: Uint8Array;
  if (typeof source === 'string') {
    ({ manifest, modelBytes } = await fetchModelPackage(source, options));
  } else {
    manifest = parseManifest(source.manifest);
    modelBytes = source.modelBytes;
    await verifyModelChecksum(manifest, modelBytes);
  }
  return startCheckedRunner(manifest, () => createWebRunner(modelBytes, options, manifest.id));
}

/** Where a manifest-declared embedder is: the sibling folder named by its id, next to a served student. */
function declaredEmbedder(source: WebModelSource, manifest: ModelManifest): WebModelSource | undefined {
  if (!manifest.embedder) return undefined;
  if (typeof source !== 'string') {
    throw new ModelError('MODEL_NOT_FOUND', `"${manifest.id}" declares embedder "${manifest.embedder}"; pass it as options.embedder when loading from bytes`);
  }
  return new URL(`../${manifest.embedder}/`, packageFolderUrl(source)).href;
}

export async function loadWebStudent(source: WebModelSource, options: WebStudentOptions = {}): Promise<WebStudent> {
  const { manifest, runner } = await loadWebModel(source, options);
  let embedder: CropEmbedder | undefined;
  try {
    if (manifest.family === 'reid-embedder') {
      throw new ModelError('INVALID_MANIFEST', `"${manifest.id}" is an embedder; a student needs a detector or end-to-end model`);
    }
    const embedderSource = options.embedder ?? declaredEmbedder(source, manifest);
    if (embedderSource) {
      const loaded = await loadWebModel(embedderSource, options);
      embedder = createCropEmbedder(loaded.manifest, loaded.runner, options.batchSize);
      if (manifest.embedder && loaded.manifest.id !== manifest.embedder) {
        throw new ModelError('MANIFEST_MISMATCH', `"${manifest.id}" declares embedder "${manifest.embedder}" but got "${loaded.manifest.id}"`);
      }
    }
    return createStudent(manifest, runner, embedder);
  } catch (error) {
    await Promise.all([runner.release(), embedder?.release()]);
    throw error;
  }
}

/** RGBA ImageData (canvas.getContext('2d').getImageData) as an RgbImage, without copying. */
export function imageFromImageData(imageData: ImageData): RgbImage {
  return { data: imageData.data, width: imageData.width, height: imageData.height, channels: 4 };
}

/** The pixels currently on a canvas. */
export function imageFromCanvas(canvas: HTMLCanvasElement | OffscreenCanvas): RgbImage {
  const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new ModelError('INVALID_IMAGE', 'canvas has no 2d context');
  if (canvas.width === 0 || canvas.height === 0) throw new ModelError('INVALID_IMAGE', `canvas has zero size ${canvas.width}x${canvas.height}`);
  return imageFromImageData(context.getImageData(0, 0, canvas.width, canvas.height));
}

/**
 * An ImageBitmap's pixels (createImageBitmap(blob, { imageOrientation: 'from-image' })
 * applies EXIF orientation, matching decodeImage in Node).
 */
export function imageFromImageBitmap(bitmap: ImageBitmap): RgbImage {
  if (bitmap.width === 0 || bitmap.height === 0) throw new ModelError('INVALID_IMAGE', `image has zero size ${bitmap.width}x${bitmap.height}`);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  if (!context) throw new ModelError('INVALID_IMAGE', 'OffscreenCanvas has no 2d context');
  context.drawImage(bitmap, 0, 0);
  return imageFromImageData(context.getImageData(0, 0, bitmap.width, bitmap.height));
}
