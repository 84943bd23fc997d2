#!/usr/bin/env node
// Runs after `npm install` / `npm ci`: each workspace's offline build steps that
// the platform needs before it can start (Prisma client generation, default
// model build). Each step is a workspace script named `postinstall:step`;
// a workspace without one is skipped.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const steps = [
  ['prisma', 'generate the Prisma client'],
  ['libs/model-build', 'build the default models if missing'],
];
for (const [workspace, what] of steps) {
  console.log(`postinstall: ${workspace}: ${what}`);
  const result = spawnSync('npm', ['run', 'postinstall:step', '--if-present', '-w', workspace], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`postinstall: ${workspace} failed (exit ${result.status}); fix the error above and run \`npm install\` again.`);
    process.exit(result.status ?? 1);
  }
}
