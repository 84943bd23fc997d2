/**
 * Runtime vs training parity on CUHK03 val (issue 9): the default teacher with
 * and without its manifest's test-time flip and with the previous 2-tap
 * bilinear resize, and the student's re-ID head three ways — a crop query as
 * users get it (pasted at the head's trained scale), the bare crop filling the
 * letterboxed input (the previous runtime), and the distiller's own protocol
 * (crops pasted into composed 512 x 512 frames, the pasted box embedded).
 * Variants are the shipped packages with an edited manifest, so each row
 * differs from the shipped one in exactly one thing.
 */
import { loadStudent, loadTeacher } from '@person-search/model/node';
import { resizeAntialiased, type Box, type RgbImage } from '@person-search/model';
import { retrievalMetrics, twoStageRetrievalMetrics, type RetrievalMetrics } from '../src/lib/evaluation/retrieval-metrics.js';
import { TWO_STAGE_POOL } from './learning-targets.js';
import { withManifestEdit } from './model-packages.js';
import { cuhk03Embeddings, type QueryGallery } from './reid-bench.js';
import type { Row, Table } from './report.js';
import type { Cuhk03Crops } from './shared-data.js';

type Manifest = { input: { resize: Record<string, unknown> }; embedding?: Record<string, unknown> & { queryBoxes?: Record<string, unknown> } };

/** The distiller's frames: libs/training distill.py compose_frames (black 512 x 512, person heights 96-256). */
const CANVAS = 512;
const MIN_HEIGHT = 96;
const MAX_HEIGHT = 256;

/** mulberry32: a small seeded generator, so the composed frames are the same on every run. */
function seededRandom(seed: number): (low: number, high: number) => number {
  let state = seed >>> 0;
  return (low, high) => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const unit = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    return low + Math.floor(unit * (high - low + 1));
  };
}

export interface ComposedFrame {
  frame: RgbImage;
  placed: { index: number; box: Box }[];
}

/** How shelf-packing places crops: the first row's and each row's first offset, each row's height, the gap after a crop or row. */
export interface ShelfLayout {
  margin: () => number;
  rowHeight: () => number;
  gap: () => number;
  /** Narrowest pasted crop (pixels). */
  minWidth: number;
}

/** Shelf-packs the crops (aspect kept, antialiased) onto black CANVAS x CANVAS frames; returns each frame with (crop index, box). */
export function packFrames(crops: readonly RgbImage[], layout: ShelfLayout): ComposedFrame[] {
  const frames: ComposedFrame[] = [];
  let next = 0;
  while (next < crops.length) {
    const data = new Uint8Array(CANVAS * CANVAS * 3);
    const placed: { index: number; box: Box }[] = [];
    let y = layout.margin();
    while (next < crops.length) {
      const height = layout.rowHeight();
      if (y + height > CANVAS) break;
      let x = layout.margin();
      while (next < crops.length) {
        const crop = crops[next]!;
        const width = Math.max(layout.minWidth, Math.round((height * crop.width) / crop.height));
        if (x + width > CANVAS) break;
        const pasted = resizeAntialiased(crop, { x1: 0, y1: 0, x2: crop.width, y2: crop.height }, width, height);
        for (let row = 0; row < height; row++) data.set(pasted.data.subarray(row * width * 3, (row + 1) * width * 3), ((y + row) * CANVAS + x) * 3);
        placed.push({ index: next, box: { x1: x, y1: y, x2: x + width, y2: y + height } });
        x += width + layout.gap();
        next++;
      }
      y += height + layout.gap();
    }
    frames.push({ frame: { data, width: CANVAS, height: CANVAS, channels: 3 }, placed });
  }
  return frames;
}

/** The distiller's composed frames: rows 96-256 px tall at seeded random offsets and gaps. */
export function composeFrames(crops: readonly RgbImage[], seed = 1001): ComposedFrame[] {
  const random = seededRandom(seed);
  return packFrames(crops, { margin: () => random(0, 16), rowHeight: () => random(MIN_HEIGHT, MAX_HEIGHT), gap: () => random(2, 24), minWidth: 8 });
}

async function composedFrameEmbeddings(data: Cuhk03Crops, embedBoxes: (image: RgbImage, boxes: readonly Box[]) => Promise<Float32Array[]>): Promise<QueryGallery> {
  const items = [...data.queries, ...data.gallery];
  const embeddings = new Array<Float32Array>(items.length);
  for (const { frame, placed } of composeFrames(items.map((item) => item.crop))) {
    const vectors = await embedBoxes(frame, placed.map((entry) => entry.box));
    placed.forEach((entry, row) => (embeddings[entry.index] = vectors[row]!));
  }
  const split = data.queries.length;
  return {
    queries: { embeddings: embeddings.slice(0, split), labels: data.queries.map((item) => item.entry.identity) },
    gallery: { embeddings: embeddings.slice(split), labels: data.gallery.map((item) => item.entry.identity) },
  };
}

const metricsRow = (name: string, metrics: RetrievalMetrics, teacherMap?: number): Row => ({
  name,
  values: { mAP: metrics.meanAveragePrecision, 'top-1': metrics.top1, 'x teacher': teacherMap ? metrics.meanAveragePrecision / teacherMap : undefined },
});

export interface ParityInputs {
  data: Cuhk03Crops;
  teacherDir: string;
  studentDir?: string;
  /** Embeddings the bench already computed with the shipped packages. */
  shippedTeacher: QueryGallery;
  shippedStudent?: QueryGallery;
}

/** The parity table; teacher-relative columns use the shipped teacher. */
export async function parityTable({ data, teacherDir, studentDir, shippedTeacher, shippedStudent }: ParityInputs): Promise<Table> {
  const teacherMap = retrievalMetrics(shippedTeacher.queries, shippedTeacher.gallery).meanAveragePrecision;
  const rows: Row[] = [metricsRow('teacher as shipped (antialiased two-step resize, test-time flip)', retrievalMetrics(shippedTeacher.queries, shippedTeacher.gallery), teacherMap)];
  const teacherVariant = async (name: string, edit: (manifest: Manifest) => void) => {
    const teacher = await loadTeacher(withManifestEdit(teacherDir, edit), { intraOpThreads: 1 });
    const embeddings = await cuhk03Embeddings(data, (image, boxes) => teacher.embedCrops(image, boxes));
    await teacher.release();
    rows.push(metricsRow(name, retrievalMetrics(embeddings.queries, embeddings.gallery), teacherMap));
    return embeddings;
  };
  const noFlip = await teacherVariant('teacher without test-time flip', (manifest) => delete manifest.embedding!['flipAverage']);
  await teacherVariant('teacher, 2-tap bilinear resize, no flip (previous runtime)', (manifest) => {
    delete manifest.embedding!['flipAverage'];
    manifest.input.resize = { mode: 'stretch' };
  });
  if (!studentDir || !shippedStudent) return { title: 'Runtime vs training parity, CUHK03 val', columns: ['mAP', 'top-1', 'x teacher'], rows: [...rows, { name: 'student rows', values: {}, skipped: 'no built default-student' }] };

  rows.push(metricsRow('student, crop query as shipped (pasted at trained scale)', retrievalMetrics(shippedStudent.queries, shippedStudent.gallery), teacherMap));
  const filling = await loadStudent(withManifestEdit(studentDir, (manifest: Manifest) => delete manifest.embedding!.queryBoxes!['cropQuery']), { intraOpThreads: 1 });
  const fillingEmbeddings = await cuhk03Embeddings(data, (image, boxes) => filling.embedBoxes!(image, boxes));
  await filling.release();
  rows.push(metricsRow('student, bare crop filling the input (previous runtime)', retrievalMetrics(fillingEmbeddings.queries, fillingEmbeddings.gallery), teacherMap));
  const student = await loadStudent(studentDir, { intraOpThreads: 1 });
  const composed = await composedFrameEmbeddings(data, (image, boxes) => student.embedBoxes!(image, boxes));
  await student.release();
  rows.push(metricsRow('student, crops in composed 512x512 frames (distiller protocol)', retrievalMetrics(composed.queries, composed.gallery), teacherMap));
  rows.push(metricsRow('aligned: shipped student query vs shipped teacher gallery', retrievalMetrics(shippedStudent.queries, shippedTeacher.gallery), teacherMap));
  rows.push(metricsRow('aligned: shipped student query vs no-flip teacher gallery', retrievalMetrics(shippedStudent.queries, noFlip.gallery), teacherMap));
  rows.push(metricsRow('aligned: composed-frame student query vs shipped teacher gallery', retrievalMetrics(composed.queries, shippedTeacher.gallery), teacherMap));
  rows.push(metricsRow(`two-stage: composed-frame student top-${TWO_STAGE_POOL} -> shipped teacher`, twoStageRetrievalMetrics(composed, shippedTeacher, TWO_STAGE_POOL), teacherMap));
  return { title: 'Runtime vs training parity, CUHK03 val (x teacher = mAP / shipped teacher mAP)', columns: ['mAP', 'top-1', 'x teacher'], rows };
}
