#!/usr/bin/env node
// `npm test`: type-checks every project (Vitest strips types without checking
// them), runs every project's Vitest suite through Nx (one at a time: two
// cores, real databases), then sums the per-project JSON reports into one
// closing line of the form "tests: N passed, N failed, N skipped". A type error
// fails the command too, after the suites have run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const reportDir = path.join(root, 'tmp/test-reports');
rmSync(reportDir, { recursive: true, force: true });

const nxEnv = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', ...process.env };
const typecheck = spawnSync('npx', ['nx', 'run-many', '-t', 'typecheck', '--outputStyle=stream', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit', env: nxEnv });
const nxArgs = ['nx', 'run-many', '-t', 'test', '--parallel=1', '--outputStyle=stream', ...process.argv.slice(2)];
const run = spawnSync('npx', nxArgs, { cwd: root, stdio: 'inherit', env: nxEnv });

const totals = { passed: 0, failed: 0, skipped: 0 };
const rows = [];
if (existsSync(reportDir)) {
  for (const file of readdirSync(reportDir).filter((f) => f.endsWith('.json')).sort()) {
    const report = JSON.parse(readFileSync(path.join(reportDir, file), 'utf8'));
    const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    rows.push({ project: file.replace(/\.json$/, ''), passed: report.numPassedTests, failed: report.numFailedTests, skipped });
    totals.passed += report.numPassedTests;
    totals.failed += report.numFailedTests;
    totals.skipped += skipped;
  }
}
console.log('\nTest summary by project:');
console.table(rows);
const status = run.status ?? 1;
if (status !== 0 && totals.failed === 0) totals.failed = 1; // a suite crashed before reporting
console.log(`typecheck: ${typecheck.status === 0 ? 'ok' : 'FAILED (see the tsc output above)'}`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(status !== 0 ? status : (typecheck.status ?? 1));
