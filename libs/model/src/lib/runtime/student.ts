/**
 * A student turns an image into person detections with embeddings. Either one
 * end-to-end model (boxes, scores and embeddings from one run), or a composite
 * of any detector manifest plus any embedder manifest (detect, then embed the
 * crops) for two-model edge setups, or a bare detector (embedding = null).
 */
import { asModelError, ModelError } from '../errors/model-error.js';
import { cropOnCanvas, isCropQuery } from '../image/crop-canvas.js';
import { boxToModelInput } from '../image/geometry.js';
import { prepareImage, type Float32Tensor } from '../image/input-tensor.js';
import type { Box, RgbImage } from '../image/rgb-image.js';
import type { ModelManifest } from '../manifest/manifest-schema.js';
import { decodeDetections, type PersonDetection } from '../postprocess/decode-detections.js';
import { l2Normalize } from '../postprocess/embedding.js';
import type { CropEmbedder } from './embedder.js';
import type { InferenceRunner } from './inference-runner.js';

export interface Student {
  /** The detector's (or end-to-end model's) manifest. */
  readonly manifest: ModelManifest;
  /** The embedder's manifest in a composite student, else null. */
  readonly embedderManifest: ModelManifest | null;
  readonly executionProvider: string;
  /** Length of every returned embedding; null when this student has no embeddings. */
  readonly embeddingDimension: number | null;
  detectPeople(image: RgbImage): Promise<PersonDetection[]>;
  /**
   * Embeds given boxes (original-image pixels) directly, without detection: a query crop the
   * detector missed. Present for a composite student (its embedder) and for an end-to-end student
   * whose manifest declares `embedding.queryBoxes`; absent otherwise. Unit-length embeddings, in order.
   * With `queryBoxes.cropQuery`, a box covering nearly the whole image is embedded pasted at the
   * head's trained person height on a blank canvas (see image/crop-canvas.ts).
   */
  embedBoxes?(image: RgbImage, boxes: readonly Box[]): Promise<Float32Array[]>;
  release(): Promise<void>;
}

export function createStudent(manifest: ModelManifest, detector: InferenceRunner, embedder?: CropEmbedder): Student {
  const output = manifest.output;
  if (!output) {
    throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" has family "${manifest.family}"; a student needs a detector family`);
  }
  if (embedder && manifest.embedding) {
    throw new ModelError('INVALID_MANIFEST', `model "${manifest.id}" already outputs embeddings; it cannot be paired with embedder "${embedder.manifest.id}"`);
  }
  const outputNames = [...new Set([...Object.values(output.tensors), ...(manifest.embedding ? [manifest.embedding.tensor] : [])])];
  const queryBoxes = manifest.embedding?.queryBoxes;
  const boxesFeed = (boxes: Float32Array): Record<string, Float32Tensor> => (queryBoxes ? { [queryBoxes.input]: { data: boxes, dims: [boxes.length / 4, 4] } } : {});
  const run = async (feeds: Record<string, Float32Tensor>, names: readonly string[]) => {
    try {
      return await detector.run(feeds, names);
    } catch (error) {
      throw asModelError(error, 'INFERENCE_FAILED', `model "${manifest.id}" failed`);
    }
  };
  // Boxes embedded where they stand: the image letterboxed once, every box mapped onto it.
  const embedInPlace = async (image: RgbImage, boxes: readonly Box[]): Promise<Float32Array[]> => {
    if (boxes.length === 0) return [];
    const prepared = prepareImage(image, manifest.input);
    const data = Float32Array.from(boxes.flatMap((box) => {
      const { x1, y1, x2, y2 } = boxToModelInput(box, prepared.geometry);
      return [x1, y1, x2, y2];
    }));
    const outputs = await run({ [manifest.input.name]: prepared.tensor, ...boxesFeed(data) }, [queryBoxes!.output]);
    const { dimension, normalized } = manifest.embedding!;
    const rows = outputs[queryBoxes!.output];
    if (!rows || rows.data.length !== boxes.length * dimension) {
      throw new ModelError('INFERENCE_FAILED', `model "${manifest.id}": ${queryBoxes!.output} has shape [${rows?.dims.join(', ')}], expected [${boxes.length}, ${dimension}]`);
    }
    return boxes.map((_, i) => {
      const row = rows.data.slice(i * dimension, (i + 1) * dimension);
      return normalized ? row : l2Normalize(row);
    });
  };
  const cropQuery = queryBoxes?.cropQuery;
  const resize = manifest.input.resize;
  // A crop query (the box is nearly the whole image) is pasted at the head's trained scale first.
  const embedQueryBoxes = async (image: RgbImage, boxes: readonly Box[]): Promise<Float32Array[]> => {
    if (!cropQuery || resize.mode !== 'letterbox') return embedInPlace(image, boxes);
    const crops = boxes.map((box) => isCropQuery(box, image));
    const inPlace = await embedInPlace(image, boxes.filter((_, i) => !crops[i]));
    const embeddings: Float32Array[] = [];
    let next = 0;
    for (const [i, box] of boxes.entries()) {
      if (!crops[i]) embeddings.push(inPlace[next++]!);
      else {
        const pasted = cropOnCanvas(image, box, manifest.input.width, manifest.input.height, cropQuery.personHeight, resize.padValue);
        embeddings.push((await embedInPlace(pasted.canvas, [pasted.box]))[0]!);
      }
    }
    return embeddings;
  };
  const embedBoxes = embedder
    ? (image: RgbImage, boxes: readonly Box[]) => embedder.embedCrops(image, boxes)
    : queryBoxes && manifest.embedding
      ? embedQueryBoxes
      : undefined;

  return {
    manifest,
    embedderManifest: embedder?.manifest ?? null,
    executionProvider: detector.executionProvider,
    embeddingDimension: manifest.embedding?.dimension ?? embedder?.manifest.embedding?.dimension ?? null,
    ...(embedBoxes ? { embedBoxes } : {}),
    async detectPeople(image) {
      const prepared = prepareImage(image, manifest.input);
      const outputs = await run({ [manifest.input.name]: prepared.tensor, ...boxesFeed(new Float32Array(0)) }, outputNames);
      const detections = decodeDetections(outputs, manifest, prepared.geometry);
      if (!embedder || detections.length === 0) return detections;
      const embeddings = await embedder.embedCrops(image, detections.map((detection) => detection.box));
      return detections.map((detection, i) => ({ ...detection, embedding: embeddings[i]! }));
    },
    async release() {
      await Promise.all([detector.release(), embedder?.release()]);
    },
  };
}
