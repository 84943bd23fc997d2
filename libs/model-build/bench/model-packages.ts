/**
 * Model packages for the benchmarks: the default models as built into
 * `.models/` (or MODELS_DIR), a freshly built default teacher, and the
 * third-party models of ../shared assembled from the test fixtures'
 * manifests (symlinked, never copied).
 */
import { existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDefaultTeacher } from '../src/lib/teacher/index.js';
import { osnetPath, repoRoot, yoloxPath } from './shared-data.js';

const fixturesDir = path.join(repoRoot, 'libs/model-build/test/fixtures');

export function modelsDir(): string {
  return process.env['MODELS_DIR'] ? path.resolve(process.env['MODELS_DIR']) : path.join(repoRoot, '.models');
}

/** The folder of a built default model, or undefined with the reason it is missing. */
export function builtModelDir(id: 'default-student' | 'default-teacher'): { dir?: string; missing?: string } {
  const dir = path.join(modelsDir(), id);
  if (existsSync(path.join(dir, 'manifest.json'))) return { dir };
  return { missing: `${path.relative(repoRoot, dir)} not built (run \`npm run models\`)` };
}

/** Builds the default teacher into a temporary package folder (the bench measures the code as it is now). */
export async function freshTeacherDir(): Promise<string> {
  const { onnx, manifest } = await buildDefaultTeacher();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'default-teacher-'));
  writeFileSync(path.join(dir, 'model.onnx'), onnx);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

export type ThirdPartyModel = 'osnet' | 'yolox';

const THIRD_PARTY: Record<ThirdPartyModel, { fixture: string; onnx: string }> = {
  osnet: { fixture: 'osnet-x0_25-msmt17', onnx: osnetPath },
  yolox: { fixture: 'yolox-nano-person', onnx: yoloxPath },
};

export function thirdPartyOnnxPath(model: ThirdPartyModel): string {
  return THIRD_PARTY[model].onnx;
}

/** A temporary package: the fixture manifest (optionally edited) beside a symlink to the ONNX file in ../shared. */
export function thirdPartyDir(model: ThirdPartyModel, edit?: (manifest: Record<string, unknown>) => void): string {
  const { fixture, onnx } = THIRD_PARTY[model];
  const manifest = JSON.parse(readFileSync(path.join(fixturesDir, fixture, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  edit?.(manifest);
  const dir = mkdtempSync(path.join(os.tmpdir(), `${fixture}-`));
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  symlinkSync(onnx, path.join(dir, 'model.onnx'));
  return dir;
}

/**
 * A copy of a detector package whose manifest keeps detections down to
 * `scoreThreshold` (AP needs the low-score tail); the ONNX file is symlinked.
 */
export function withScoreThreshold(modelDir: string, scoreThreshold: number): string {
  return withManifestEdit<{ output?: { scoreThreshold: number } }>(modelDir, (manifest) => {
    if (manifest.output) manifest.output.scoreThreshold = scoreThreshold;
  });
}

/** A copy of a package whose manifest `edit` changed (a bench variant); the ONNX file is symlinked. */
export function withManifestEdit<M>(modelDir: string, edit: (manifest: M) => void): string {
  const manifest = JSON.parse(readFileSync(path.join(modelDir, 'manifest.json'), 'utf8')) as M & { file: string };
  edit(manifest);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'model-variant-'));
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  symlinkSync(path.resolve(modelDir, manifest.file), path.join(dir, manifest.file));
  return dir;
}
