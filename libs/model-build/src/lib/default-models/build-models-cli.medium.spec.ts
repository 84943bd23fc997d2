/** `npm run models` (scripts/build-models.ts): builds, then skips, then --force rebuilds; --help explains itself. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const packageDir = path.resolve(import.meta.dirname, '../../..');
const outDir = mkdtempSync(path.join(os.tmpdir(), 'build-models-cli-'));

function cli(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('npx', ['tsx', 'scripts/build-models.ts', ...args], { cwd: packageDir, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('build-models CLI', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds, skips what is up to date, rebuilds with --force, and reports the time taken', () => {
    const first = cli('--out', outDir);
    expect(first.status, first.output).toBe(0);
    expect(first.output).toMatch(/models: done in \d+\.\d s \(4 built, 0 up to date\)/);
    const second = cli('--out', outDir);
    expect(second.output).toMatch(/\(0 built, 4 up to date\)/);
    const forced = cli('--out', outDir, '--force');
    expect(forced.output).toMatch(/\(4 built, 0 up to date\)/);
  });

  it('prints usage with --help and fails with a message on an unknown option', () => {
    expect(cli('--help').output).toMatch(/Usage: npm run models/);
    const bad = cli('--bogus');
    expect(bad.status).toBe(1);
    expect(bad.output).toMatch(/models: failed: .*bogus/);
  });
});
