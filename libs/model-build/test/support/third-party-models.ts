/**
 * Test support for the bring-your-own conformance tests: finds the
 * third-party models and MOT17-mini in `<repo>/../shared` and assembles model
 * packages from the manifests in test/fixtures. Nothing here is product code;
 * when ../shared is absent the tests skip with the reason returned below.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPositivePedestrian, parseMotGroundTruth, type MotGroundTruthRow } from '../../src/lib/evaluation/mot-ground-truth.js';

const testDir = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(testDir, '../../../..');
export const sharedDir = path.resolve(repoRoot, '../shared');
export const fixturesDir = path.join(testDir, '../fixtures');
export const mot17Dir = path.join(sharedDir, 'data/mot17-mini/train');

/** Fixture id → folder name under ../shared/models/third-party. */
export const THIRD_PARTY = {
  yolox: { fixture: 'yolox-nano-person', onnx: path.join(sharedDir, 'models/third-party/yolox-nano-person/model.onnx') },
  osnet: { fixture: 'osnet-x0_25-msmt17', onnx: path.join(sharedDir, 'models/third-party/osnet-x0_25-msmt17/model.onnx') },
} as const;

/** Undefined when every path exists, else a printable reason to skip. */
export function skipReason(...required: string[]): string | undefined {
  const missing = required.filter((target) => !existsSync(target));
  if (missing.length === 0) return undefined;
  const reason = `skipped: ${missing.map((target) => path.relative(repoRoot, target)).join(', ')} not found (../shared absent)`;
  console.warn(reason);
  return reason;
}

export function readFixtureManifest(fixture: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(fixturesDir, fixture, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

const createdDirs: string[] = [];

/**
 * A temporary model package: the fixture manifest (optionally edited) beside
 * a symlink to the real ONNX file, so the repo never holds a copy of it.
 */
export function modelPackage(fixture: string, onnxPath: string, edit?: (manifest: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `${fixture}-`));
  createdDirs.push(dir);
  const manifest = readFixtureManifest(fixture);
  edit?.(manifest);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  symlinkSync(onnxPath, path.join(dir, String(manifest['file'] ?? 'model.onnx')));
  return dir;
}

export function removeModelPackages(): void {
  for (const dir of createdDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

export interface MotFrame {
  sequence: string;
  frame: number;
  imagePath: string;
  rows: MotGroundTruthRow[];
}

/** Every MOT17-mini frame with its ground-truth rows. */
export function motFrames(): MotFrame[] {
  return readdirSync(mot17Dir)
    .filter((name) => name.startsWith('MOT17-'))
    .sort()
    .flatMap((sequence) => {
      const rows = parseMotGroundTruth(readFileSync(path.join(mot17Dir, sequence, 'gt/gt.txt'), 'utf8'));
      const imageDir = path.join(mot17Dir, sequence, 'img1');
      return readdirSync(imageDir)
        .filter((name) => name.endsWith('.jpg'))
        .sort()
        .map((name) => {
          const frame = Number.parseInt(name, 10);
          return { sequence, frame, imagePath: path.join(imageDir, name), rows: rows.filter((row) => row.frame === frame) };
        });
    });
}

export { isPositivePedestrian };
