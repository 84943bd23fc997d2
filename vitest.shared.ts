// Shared Vitest settings for every project: same aliases as tsconfig.base.json,
// one JSON report per project (summed by scripts/test.mjs into the closing line).
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { ViteUserConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));

export function workspaceVitest(projectDir: string): ViteUserConfig {
  const project = path.relative(root, projectDir).replaceAll(path.sep, '-');
  return {
    resolve: {
      alias: {
        '@person-search/model/node': path.join(root, 'libs/model/src/node.ts'),
        '@person-search/model/web': path.join(root, 'libs/model/src/web.ts'),
        '@person-search/model': path.join(root, 'libs/model/src/index.ts'),
        '@person-search/model-build': path.join(root, 'libs/model-build/src/index.ts'),
        '@person-search/schema': path.join(root, 'libs/schema/src/index.ts'),
        '@person-search/db': path.join(root, 'libs/db/src/index.ts'),
      },
    },
    test: {
      root: projectDir,
      include: ['src/**/*.spec.ts', 'test/**/*.spec.ts'],
      testTimeout: 120_000,
      hookTimeout: 300_000,
      // Tests share two cores and real databases: run files one at a time.
      fileParallelism: false,
      reporters: ['default', ['json', { outputFile: path.join(root, 'tmp/test-reports', `${project}.json`) }]],
    },
  };
}
