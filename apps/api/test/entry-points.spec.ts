// Every user-facing entry point must generate the schema (and Prisma client)
// before it runs: a fresh clone has no libs/schema/src/generated, and once
// `npm start` failed there because only test/typecheck ran codegen. Asks Nx
// for the resolved targets, so target defaults and project overrides both count.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../src/lib/config.js';

type DependsOn = (string | { target: string; projects?: string[] | string; dependencies?: boolean })[];

const resolved = new Map<string, Record<string, { dependsOn?: DependsOn }>>();

function targetsOf(project: string): Record<string, { dependsOn?: DependsOn }> {
  const known = resolved.get(project);
  if (known) return known;
  const nx = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/.bin/nx'), 'show', 'project', project, '--json'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  expect(nx.status, nx.stderr).toBe(0);
  const { targets } = JSON.parse(nx.stdout.slice(nx.stdout.indexOf('{'))) as { targets: Record<string, { dependsOn?: DependsOn }> };
  resolved.set(project, targets);
  return targets;
}

const generatesUpstream = (dependsOn: DependsOn = []) => dependsOn.some((entry) => entry === '^generate' || (typeof entry === 'object' && entry.target === 'generate' && entry.dependencies));

describe('entry points run codegen first', () => {
  it.each([
    ['api', 'serve'],
    ['api', 'worker'],
    ['api', 'demo:seed'],
    ['api', 'soak'],
    ['api', 'bench'],
    ['api', 'eval'],
    ['edge-client', 'build'],
    ['edge-client', 'bench'],
  ])('%s:%s depends on ^generate', (project, target) => {
    const targets = targetsOf(project);
    expect(targets[target], `${project}:${target} exists`).toBeDefined();
    expect(generatesUpstream(targets[target]!.dependsOn)).toBe(true);
  });
});
