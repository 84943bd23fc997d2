/**
 * libs/model's runtime tests load a committed tiny embedder instead of
 * building one (the graph builder lives here). This checks the committed
 * bytes and manifest are exactly what the builder makes, so the fixture
 * cannot drift; `UPDATE_FIXTURES=1` rewrites them.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseManifest } from '@person-search/model';
import { tinyEmbedderBytes, tinyEmbedderManifest } from './support/tiny-models.js';

const fixtureDir = path.resolve(import.meta.dirname, '../../model/test/fixtures/tiny-embedder');

describe('libs/model test fixture: tiny-embedder', () => {
  it('equals the builder output (bytes and manifest)', async () => {
    const bytes = tinyEmbedderBytes();
    const manifest = `${JSON.stringify(await tinyEmbedderManifest(bytes), null, 2)}\n`;
    if (process.env['UPDATE_FIXTURES'] === '1') {
      mkdirSync(fixtureDir, { recursive: true });
      writeFileSync(path.join(fixtureDir, 'model.onnx'), bytes);
      writeFileSync(path.join(fixtureDir, 'manifest.json'), manifest);
    }
    expect(Buffer.from(readFileSync(path.join(fixtureDir, 'model.onnx'))).equals(Buffer.from(bytes)), 'model.onnx differs: run with UPDATE_FIXTURES=1').toBe(true);
    expect(readFileSync(path.join(fixtureDir, 'manifest.json'), 'utf8')).toBe(manifest);
    expect(parseManifest(manifest).id).toBe('tiny-embedder');
  });
});
