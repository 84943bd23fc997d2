// Where the student under test lives: PARITY_MODEL_DIR, else the default
// student built by `npm run models` (<repo>/.models/default-student, or MODELS_DIR).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './shared-data.js';

export function studentPackageDir(): string {
  if (process.env.PARITY_MODEL_DIR) return path.resolve(process.env.PARITY_MODEL_DIR);
  return path.join(process.env.MODELS_DIR ?? path.join(REPO_ROOT, '.models'), 'default-student');
}

export function missingStudentReason(): string | null {
  const dir = studentPackageDir();
  return existsSync(path.join(dir, 'manifest.json')) ? null : `no student package at ${dir} (run \`npm run models\`)`;
}
