// Real frames for browser tests, from ../shared (relative to the repo root). Tests
// skip with a printed reason when it is absent; nothing here is copied into the repo.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
export const SHARED_DIR = path.resolve(REPO_ROOT, '../shared');
const MOT17_TRAIN = path.join(SHARED_DIR, 'data/mot17-mini/train');

/** Absolute paths of one MOT17-mini sequence's frames, in order; [] when the data is absent. */
export function motFrames(sequence = 'MOT17-09-FRCNN'): string[] {
  const folder = path.join(MOT17_TRAIN, sequence, 'img1');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((name) => name.endsWith('.jpg'))
    .sort()
    .map((name) => path.join(folder, name));
}

export function missingSharedDataReason(): string | null {
  return motFrames().length > 0 ? null : `MOT17-mini frames not found under ${MOT17_TRAIN}`;
}
