/**
 * Builds the model packages of the catalogue (`<outDir>/<id>/{model.onnx,
 * manifest.json, MODEL_CARD.md}`) from what is installed and committed: the
 * student from the converted CenterNet (plus a learned head when
 * libs/training committed one), the teacher from code or committed weights
 * (see catalogue.ts). Nothing is downloaded, no Python runs. A package whose manifest
 * parses, carries the current version and matches its model's sha256 is
 * left alone unless `force` is set. Files are written to temporary names and
 * renamed, manifest last, so an interrupted build never looks complete.
 * Node-only.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseManifest } from '@person-search/model';
import { modelCatalogue, type CatalogueEntry } from './catalogue';
import type { LearnedWeights } from './learned-weights';

export interface BuildDefaultModelsOptions {
  /** Folder that receives one sub-folder per model; defaults to `defaultModelsDir()`. */
  outDir?: string;
  /** Progress lines (one per model); silent when omitted. */
  log?: (line: string) => void;
  /** Rebuild even when an up-to-date package is present. */
  force?: boolean;
  /** Learned weights to use instead of the committed ones (tests). */
  weights?: LearnedWeights;
}

export interface DefaultModelResult {
  id: string;
  dir: string;
  sha256: string;
  status: 'built' | 'up-to-date';
  seconds: number;
}

/** The repository root, from this file's place in libs/model-build/src/lib/default-models. */
const repoRoot = path.resolve(import.meta.dirname, '../../../../..');

/** `MODELS_DIR` when set, else `<repo>/.models` (git-ignored). */
export function defaultModelsDir(): string {
  const fromEnvironment = process.env['MODELS_DIR'];
  return fromEnvironment !== undefined && fromEnvironment !== '' ? path.resolve(fromEnvironment) : path.join(repoRoot, '.models');
}

export async function buildDefaultModels(options: BuildDefaultModelsOptions = {}): Promise<DefaultModelResult[]> {
  const outDir = options.outDir ?? defaultModelsDir();
  const log = options.log ?? (() => undefined);
  const results: DefaultModelResult[] = [];
  const catalogue: CatalogueEntry[] = modelCatalogue(options.weights);
  for (const builder of catalogue) {
    const started = performance.now();
    const dir = path.join(outDir, builder.id);
    const current = options.force ? undefined : await currentPackageSha256(dir, builder.version);
    if (current !== undefined) {
      results.push({ id: builder.id, dir, sha256: current, status: 'up-to-date', seconds: (performance.now() - started) / 1000 });
      log(`${builder.id} ${builder.version}: up to date in ${dir} (sha256 ${current.slice(0, 12)}…)`);
      continue;
    }
    log(`${builder.id} ${builder.version}: building (${builder.kind})…`);
    const { onnx, manifest, card } = await builder.build();
    await writePackage(dir, onnx, `${JSON.stringify(manifest, null, 2)}\n`, card);
    const seconds = (performance.now() - started) / 1000;
    results.push({ id: builder.id, dir, sha256: manifest.sha256, status: 'built', seconds });
    log(`${builder.id} ${builder.version}: built ${dir} in ${seconds.toFixed(1)} s (${(onnx.byteLength / 1e6).toFixed(1)} MB, sha256 ${manifest.sha256.slice(0, 12)}…)`);
  }
  return results;
}

/** The package's sha256 when its manifest is valid, has `version`, and its model file matches; else undefined. */
async function currentPackageSha256(dir: string, version: string): Promise<string | undefined> {
  try {
    const manifest = parseManifest(JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')));
    if (manifest.version !== version) return undefined;
    await readFile(path.join(dir, 'MODEL_CARD.md'));
    const actual = createHash('sha256').update(await readFile(path.join(dir, manifest.file))).digest('hex');
    return actual === manifest.sha256 ? actual : undefined;
  } catch {
    return undefined;
  }
}

async function writePackage(dir: string, onnx: Uint8Array, manifestJson: string, card: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = `.tmp-${process.pid}`;
  await writeFile(path.join(dir, 'MODEL_CARD.md'), card);
  await writeFile(path.join(dir, `model.onnx${suffix}`), onnx);
  await writeFile(path.join(dir, `manifest.json${suffix}`), manifestJson);
  await rename(path.join(dir, `model.onnx${suffix}`), path.join(dir, 'model.onnx'));
  await rename(path.join(dir, `manifest.json${suffix}`), path.join(dir, 'manifest.json'));
}
