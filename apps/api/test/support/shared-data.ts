// Access to ../shared (next to the repository root): MOT17-mini frames with
// ground truth, and the third-party OSNet re-ID model. Suites using them skip
// with a printed reason when the folder is absent.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from '../../src/lib/config.js';

export const sharedDir = path.resolve(repoRoot, '../shared');
export const mot17Dir = path.join(sharedDir, 'data/mot17-mini/train');
export const osnetDir = path.join(sharedDir, 'models/third-party/osnet-x0_25-msmt17');

export function missing(...paths: string[]): string | null {
  const absent = paths.filter((p) => !existsSync(p));
  return absent.length ? `missing ${absent.map((p) => path.relative(repoRoot, p)).join(', ')}` : null;
}

export interface GroundTruthBox {
  frame: number;
  identity: number;
  box: { x1: number; y1: number; x2: number; y2: number };
  visibility: number;
}

export interface Mot17Sequence {
  name: string;
  frames: { index: number; file: string }[];
  groundTruth: GroundTruthBox[];
}

/** Pedestrians that count for evaluation (class 1, consider 1), boxes converted to 0-based corners. */
export async function readSequences(): Promise<Mot17Sequence[]> {
  const names = (await readdir(mot17Dir)).sort();
  return Promise.all(
    names.map(async (name) => {
      const files = (await readdir(path.join(mot17Dir, name, 'img1'))).filter((file) => file.endsWith('.jpg')).sort();
      const gt = (await readFile(path.join(mot17Dir, name, 'gt/gt.txt'), 'utf8')).trim().split('\n');
      const groundTruth = gt
        .map((line) => line.split(',').map(Number))
        .filter((f) => f[6] === 1 && f[7] === 1)
        .map(([frame, identity, x, y, w, h, , , visibility]) => ({
          frame: frame!,
          identity: identity!,
          box: { x1: x! - 1, y1: y! - 1, x2: x! - 1 + w!, y2: y! - 1 + h! },
          visibility: visibility!,
        }));
      return { name, frames: files.map((file) => ({ index: Number.parseInt(file, 10), file: path.join(mot17Dir, name, 'img1', file) })), groundTruth };
    }),
  );
}

/** A model folder holding the shared OSNet as a teacher (manifest written here, ONNX linked, not copied). */
export async function linkOsnetTeacher(modelsDir: string, id = 'osnet-teacher'): Promise<string> {
  const dir = path.join(modelsDir, id);
  await mkdir(dir, { recursive: true });
  const onnx = path.join(osnetDir, 'model.onnx');
  const sha256 = createHash('sha256').update(await readFile(onnx)).digest('hex');
  await symlink(onnx, path.join(dir, 'model.onnx'));
  await writeFile(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      schemaVersion: 1, id, version: 'cb948b3', role: 'teacher', family: 'reid-embedder', file: 'model.onnx', sha256,
      license: 'MIT (torchreid weights)', source: '../shared/models/third-party/osnet-x0_25-msmt17',
      input: { name: 'images', layout: 'NCHW', height: 256, width: 128, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      embedding: { tensor: 'output', dimension: 512, normalized: false },
    }),
  );
  return id;
}
