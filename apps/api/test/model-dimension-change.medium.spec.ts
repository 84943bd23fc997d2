// A model id whose package changed its embedding dimension (default-teacher
// becoming the learned teacher over a database that stores colour-teacher
// vectors under that id) stops start-up with the reason and what to do, instead
// of mixing spaces. PGlite persisted in a temporary folder (the check is the
// same SQL function on Postgres; a persisted database across two app starts is
// what this needs).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/lib/app.js';
import { loadConfig } from '../src/lib/config.js';
import { createLogger } from '../src/lib/logger.js';
import { writeManifestOnlyModels } from './support/fixtures.js';

describe('model registration after a dimension change (pglite)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('refuses to start, naming the package and the remedies', async () => {
    const [dataDir, modelsDir] = await Promise.all(['dim-data-', 'dim-models-'].map((prefix) => mkdtemp(path.join(os.tmpdir(), prefix))));
    dirs.push(dataDir!, modelsDir!);
    const { env } = await writeManifestOnlyModels(modelsDir!);
    const config = loadConfig({ ...env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const start = () => createApp({ ...config, worker: { ...config.worker, inProcess: false } }, { log: createLogger('silent'), dataDirForDatabase: dataDir });

    await (await start()).close();
    const manifestPath = path.join(modelsDir!, 'fixture-teacher/manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    await writeFile(manifestPath, JSON.stringify({ ...manifest, embedding: { ...manifest.embedding, dimension: 12 } }));
    await expect(start()).rejects.toThrow(/cannot re-register as teacher with dimension 12.*"fixture-teacher" .* now embeds into another space.*fresh database.*colour-student \/ colour-teacher/s);
  });
});
