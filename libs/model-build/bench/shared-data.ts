/**
 * Locates the read-only evaluation data in `<repo>/../shared` and reads it.
 * Benchmarks skip (with a printed reason) whatever is absent: product code
 * never depends on this folder.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { cuhk03Split, type Cuhk03Entry } from '../src/lib/evaluation/cuhk03-protocol.js';
import { parseMotGroundTruth, type MotGroundTruthRow } from '../src/lib/evaluation/mot-ground-truth.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');

export const cuhk03ValDir = path.join(sharedDir, 'data/cuhk03/val');
export const mot17Dir = path.join(sharedDir, 'data/mot17-mini/train');
export const osnetPath = path.join(sharedDir, 'models/third-party/osnet-x0_25-msmt17/model.onnx');
export const yoloxPath = path.join(sharedDir, 'models/third-party/yolox-nano-person/model.onnx');

/** Returns undefined when present, else why a benchmark using `target` must be skipped. */
export function missingReason(target: string): string | undefined {
  return existsSync(target) ? undefined : `${path.relative(repoRoot, target)} not found (../shared absent)`;
}

export interface RgbCrop {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

export async function readRgb(filePath: string): Promise<RgbCrop> {
  const { data, info } = await sharp(filePath).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

export interface Cuhk03Crops {
  queries: { entry: Cuhk03Entry; crop: RgbCrop }[];
  gallery: { entry: Cuhk03Entry; crop: RgbCrop }[];
}

/**
 * Loads the CUHK03 val split; `identityLimit` keeps only the first N
 * identities (quick runs and medium tests).
 */
export async function loadCuhk03Val(identityLimit = Infinity): Promise<Cuhk03Crops> {
  const split = cuhk03Split(readdirSync(cuhk03ValDir));
  const identities = [...new Set(split.queries.map((entry) => entry.identity))].slice(0, identityLimit);
  const keep = (entry: Cuhk03Entry) => identities.includes(entry.identity);
  const load = (entries: Cuhk03Entry[]) =>
    Promise.all(entries.filter(keep).map(async (entry) => ({ entry, crop: await readRgb(path.join(cuhk03ValDir, entry.fileName)) })));
  return { queries: await load(split.queries), gallery: await load(split.gallery) };
}

export interface MotSequence {
  sequence: string;
  rows: MotGroundTruthRow[];
  /** Frame number → image path. */
  frames: Map<number, string>;
}

export function loadMot17(): MotSequence[] {
  return readdirSync(mot17Dir)
    .filter((name) => name.startsWith('MOT17-'))
    .sort()
    .map((sequence) => {
      const imageDir = path.join(mot17Dir, sequence, 'img1');
      const frames = new Map(
        readdirSync(imageDir)
          .filter((name) => name.endsWith('.jpg'))
          .map((name) => [Number.parseInt(name, 10), path.join(imageDir, name)] as const),
      );
      const rows = parseMotGroundTruth(readFileSync(path.join(mot17Dir, sequence, 'gt/gt.txt'), 'utf8'));
      // gt.txt covers the full sequence; keep the frames that ship.
      return { sequence, rows: rows.filter((row) => frames.has(row.frame)), frames };
    });
}
