/**
 * The embeddings the person-manifold bench (person-manifold.ts) compares:
 * the teacher's CUHK03 train crops (the prototypes' source), the student's
 * CUHK03 val crops two ways (the thresholds' source), and the student's own
 * boxes with their embeddings on MOT17-mini and on photos. The CUHK03
 * embeddings take minutes at one thread, so they are cached in
 * bench/results/person-manifold/ under the model's checksum.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Box, RgbImage } from '@person-search/model';
import { decodeImage, type Student, type Teacher } from '@person-search/model/node';
import { parseCuhk03FileName } from '../src/lib/evaluation/cuhk03-protocol.js';
import type { LabelledRegion } from '../src/lib/evaluation/detection-errors.js';
import type { EvaluationBox, ScoredBox } from '../src/lib/evaluation/detection-metrics.js';
import { isPersonClass, isPositivePedestrian } from '../src/lib/evaluation/mot-ground-truth.js';
import { composeFrames, packFrames } from './parity-bench.js';
import { loadCuhk03Val, loadMot17, readRgb, repoRoot, sharedDir } from './shared-data.js';

export const cuhk03TrainDir = path.join(sharedDir, 'data/cuhk03/train');
const cacheDir = path.join(repoRoot, 'bench/results/person-manifold');

export interface EmbeddedBox extends ScoredBox {
  /** Unit length, in the teacher's space. */
  embedding: Float32Array;
}

export interface EmbeddedMotFrame {
  /** `SEQ/frame`, e.g. `04/1`. */
  label: string;
  imagePath: string;
  /** Model-input pixels per original pixel (letterbox). */
  inputScale: number;
  detections: EmbeddedBox[];
  positives: EvaluationBox[];
  ignored: LabelledRegion[];
}

export interface EmbeddedPhoto {
  imagePath: string;
  /** Model-input pixels per original pixel (letterbox). */
  inputScale: number;
  detections: EmbeddedBox[];
}

/** CUHK03 val crops, queries then gallery (the thresholds' people). */
export async function valCrops(): Promise<RgbImage[]> {
  const data = await loadCuhk03Val();
  return [...data.queries, ...data.gallery].map((item) => item.crop);
}

const wholeImage = (image: { width: number; height: number }): Box => ({ x1: 0, y1: 0, x2: image.width, y2: image.height });

/** Vectors from the cache when it holds `count` of them for this key, else computed and cached. */
async function cachedVectors(key: string, count: number, dimension: number, useCache: boolean, compute: () => Promise<Float32Array[]>): Promise<Float32Array[]> {
  const file = path.join(cacheDir, `${key}.f32`);
  if (useCache && existsSync(file)) {
    const bytes = readFileSync(file);
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    if (all.length === count * dimension) return Array.from({ length: count }, (_, i) => all.slice(i * dimension, (i + 1) * dimension));
  }
  const vectors = await compute();
  mkdirSync(cacheDir, { recursive: true });
  const all = new Float32Array(count * dimension);
  vectors.forEach((vector, i) => all.set(vector, i * dimension));
  writeFileSync(file, new Uint8Array(all.buffer));
  return vectors;
}

/** The teacher's (flip-averaged, as its manifest asks) embedding of every CUHK03 train crop, whole, with its identity. */
export async function teacherTrainEmbeddings(teacher: Teacher, useCache: boolean): Promise<{ embeddings: Float32Array[]; identities: string[] }> {
  const entries = readdirSync(cuhk03TrainDir)
    .sort()
    .flatMap((name) => parseCuhk03FileName(name) ?? []);
  const key = `teacher-cuhk03-train-${teacher.manifest.sha256.slice(0, 12)}`;
  const embeddings = await cachedVectors(key, entries.length, teacher.manifest.embedding!.dimension, useCache, async () => {
    const vectors: Float32Array[] = [];
    // One crop at a time: 7,239 decoded crops would hold ~650 MB.
    for (const entry of entries) {
      const crop = await readRgb(path.join(cuhk03TrainDir, entry.fileName));
      vectors.push(...(await teacher.embedCrops(crop, [wholeImage(crop)])));
    }
    return vectors;
  });
  return { embeddings, identities: entries.map((entry) => entry.identity) };
}

/**
 * Every CUHK03 val crop (queries then gallery) embedded by the student two ways: as a crop query
 * (`embedBoxes` on the crop: pasted at the head's trained height, as a user's query photo is) and in
 * place in composed 512 x 512 frames (people 96-256 px on black, the distiller's frames).
 */
export async function studentValEmbeddings(student: Student, crops: readonly RgbImage[], useCache: boolean): Promise<{ cropQuery: Float32Array[]; composed: Float32Array[] }> {
  const dimension = student.embeddingDimension!;
  const embedBoxes = student.embedBoxes!.bind(student);
  const checksum = student.manifest.sha256.slice(0, 12);
  const cropQuery = await cachedVectors(`student-cuhk03-val-crop-${checksum}`, crops.length, dimension, useCache, async () => {
    const vectors: Float32Array[] = [];
    for (const crop of crops) vectors.push(...(await embedBoxes(crop, [wholeImage(crop)])));
    return vectors;
  });
  const composed = await cachedVectors(`student-cuhk03-val-composed-${checksum}`, crops.length, dimension, useCache, async () => {
    const vectors = new Array<Float32Array>(crops.length);
    for (const { frame, placed } of composeFrames(crops)) {
      const embedded = await embedBoxes(frame, placed.map((entry) => entry.box));
      placed.forEach((entry, row) => (vectors[entry.index] = embedded[row]!));
    }
    return vectors;
  });
  return { cropQuery, composed };
}

/** Gap between pasted people (pixels). */
const GAP = 4;

/** Every crop at one `height` (aspect kept, at least 4 px wide), shelf-packed with even gaps. */
const framesAtHeight = (crops: readonly RgbImage[], height: number) => packFrames(crops, { margin: () => GAP, rowHeight: () => height, gap: () => GAP, minWidth: 4 });

/**
 * Every CUHK03 val crop embedded by the student in place at each of `heights` (model-input pixels),
 * packed onto black frames: real people at the sizes the detector meets them, without MOT17.
 */
export async function studentValAtHeights(student: Student, crops: readonly RgbImage[], heights: readonly number[], useCache: boolean): Promise<Map<number, Float32Array[]>> {
  const embedBoxes = student.embedBoxes!.bind(student);
  const byHeight = new Map<number, Float32Array[]>();
  for (const height of heights) {
    const key = `student-cuhk03-val-h${height}-${student.manifest.sha256.slice(0, 12)}`;
    const vectors = await cachedVectors(key, crops.length, student.embeddingDimension!, useCache, async () => {
      const embedded = new Array<Float32Array>(crops.length);
      for (const { frame, placed } of framesAtHeight(crops, height)) {
        const rows = await embedBoxes(frame, placed.map((entry) => entry.box));
        placed.forEach((entry, row) => (embedded[entry.index] = rows[row]!));
      }
      return embedded;
    });
    byHeight.set(height, vectors);
  }
  return byHeight;
}

const inputScale = (student: Student, image: { width: number; height: number }) => Math.min(student.manifest.input.width / image.width, student.manifest.input.height / image.height);

async function embeddedDetections(student: Student, image: RgbImage): Promise<EmbeddedBox[]> {
  const detections = await student.detectPeople(image);
  return detections.map(({ box, score, embedding }) => {
    if (!embedding) throw new Error(`${student.manifest.id} returned a detection without an embedding`);
    return { box, score, embedding: Float32Array.from(embedding) };
  });
}

/** Every MOT17-mini frame: the student's detections (as many as its manifest keeps) with embeddings, and the labelled ground truth. */
export async function motFrames(student: Student): Promise<EmbeddedMotFrame[]> {
  const frames: EmbeddedMotFrame[] = [];
  for (const sequence of loadMot17()) {
    for (const [frame, imagePath] of [...sequence.frames].sort(([a], [b]) => a - b)) {
      const image = await decodeImage(await readFile(imagePath));
      const rows = sequence.rows.filter((row) => row.frame === frame);
      frames.push({
        label: `${sequence.sequence.replace('MOT17-', '').replace('-FRCNN', '')}/${frame}`,
        imagePath,
        inputScale: inputScale(student, image),
        detections: await embeddedDetections(student, image),
        positives: rows.filter(isPositivePedestrian).map((row) => row.box),
        ignored: rows.filter((row) => !isPositivePedestrian(row)).map((row) => ({ box: row.box, person: isPersonClass(row) })),
      });
    }
  }
  return frames;
}

export async function photoDetections(student: Student, imagePaths: readonly string[]): Promise<EmbeddedPhoto[]> {
  const photos: EmbeddedPhoto[] = [];
  for (const imagePath of imagePaths) {
    const image = await decodeImage(await readFile(imagePath));
    photos.push({ imagePath, inputScale: inputScale(student, image), detections: await embeddedDetections(student, image) });
  }
  return photos;
}
