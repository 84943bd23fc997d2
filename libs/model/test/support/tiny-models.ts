/**
 * The tiny crop embedder committed under test/fixtures/tiny-embedder (a few
 * hundred bytes: [N, 3, 16, 8] → Conv 3x3 → Relu → GlobalAveragePool → [N, 4]),
 * so the runtime's tests need neither downloaded weights nor the graph
 * builder, which lives in @person-search/model-build. That project builds the
 * same bytes and fails if this fixture drifts (test/runtime-fixtures.spec.ts;
 * `UPDATE_FIXTURES=1` rewrites it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TINY_EMBEDDER_DIR = path.resolve(import.meta.dirname, '../fixtures/tiny-embedder');
export const TINY_EMBEDDER = { height: 16, width: 8, dimension: 4 } as const;

export function tinyEmbedderBytes(): Uint8Array {
  return new Uint8Array(readFileSync(path.join(TINY_EMBEDDER_DIR, 'model.onnx')));
}

/** A fresh copy of the fixture's manifest (sha256 included), safe to edit. */
export function tinyEmbedderManifest(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(TINY_EMBEDDER_DIR, 'manifest.json'), 'utf8')) as Record<string, unknown>;
}

const created: string[] = [];

/** Writes a package folder; `edit` may change the manifest or `modelBytes` replace the model. */
export function writeTinyEmbedderPackage(edit?: (manifest: Record<string, unknown>) => void, modelBytes?: Uint8Array): string {
  const manifest = tinyEmbedderManifest();
  edit?.(manifest);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tiny-embedder-'));
  created.push(dir);
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(path.join(dir, 'model.onnx'), modelBytes ?? tinyEmbedderBytes());
  return dir;
}

export function removeTinyPackages(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}
