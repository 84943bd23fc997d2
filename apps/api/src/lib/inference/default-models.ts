// The default student and teacher are built from weights that npm installed,
// never downloaded. `npm install` builds them; start-up checks again so that a
// deleted or outdated `.models` folder heals itself (a check of an up-to-date
// package costs one sha256 of each file).
import { buildDefaultModels, DEFAULT_STUDENT_ID, DEFAULT_TEACHER_ID } from '@person-search/model-build';
import type { Config } from '../config.js';

export async function ensureDefaultModels(config: Config, log: (line: string) => void): Promise<void> {
  const usesDefaults = config.studentModelId === DEFAULT_STUDENT_ID || config.teacherModelId === DEFAULT_TEACHER_ID;
  if (!usesDefaults) return;
  const results = await buildDefaultModels({ outDir: config.modelsDir, log });
  const built = results.filter((result) => result.status === 'built');
  if (built.length > 0) log(`models: built ${built.map((result) => result.id).join(', ')} into ${config.modelsDir}`);
}
