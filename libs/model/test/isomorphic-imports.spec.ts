/**
 * "@person-search/model" and "/web" must load in a browser: walk their
 * static import graphs and fail on any Node-only module.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const NODE_ONLY = /^(node:|fs$|path$|os$|crypto$|child_process$|sharp$|onnxruntime-node$)/;

/** `./x.js`, `./x.ts`, `./x` and `./dir` all name a TypeScript source file. */
function resolveSource(specifierPath: string): string {
  const base = specifierPath.replace(/\.(js|ts)$/, '');
  const candidates = [`${base}.ts`, path.join(base, 'index.ts')];
  return candidates.find((candidate) => existsSync(candidate)) ?? `${base}.ts`;
}

/** Every module specifier reachable through static imports/exports (dynamic import() is allowed: it is lazy). */
function staticImportGraph(entry: string): { files: string[]; externals: Map<string, string> } {
  const files = new Set<string>();
  const externals = new Map<string, string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const match of source.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) visit(resolveSource(path.resolve(path.dirname(file), specifier)));
      else externals.set(specifier, path.relative(srcDir, file));
    }
  };
  visit(path.join(srcDir, entry));
  return { files: [...files], externals };
}

describe.each(['index.ts', 'web.ts'])('%s import graph', (entry) => {
  it('imports nothing Node-only', () => {
    const { files, externals } = staticImportGraph(entry);
    expect(files.length).toBeGreaterThan(5);
    const nodeOnly = [...externals].filter(([specifier]) => NODE_ONLY.test(specifier));
    expect(nodeOnly.map(([specifier, from]) => `${specifier} (from ${from})`)).toEqual([]);
  });
});

it('node.ts does reach the Node-only modules (the check can fail)', () => {
  const { externals } = staticImportGraph('node.ts');
  expect([...externals.keys()]).toEqual(expect.arrayContaining(['sharp', 'onnxruntime-node', 'node:fs/promises']));
});
