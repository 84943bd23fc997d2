/**
 * What the student's boxes on MOT17-mini are (issue 9, "fewer non-person
 * boxes"): the model runs through the product runtime (loadStudent →
 * detectPeople), AP@0.5 is the bench's (detections down to 0.05), and every
 * box at the operating threshold is sorted into a kind
 * (src/lib/evaluation/detection-errors.ts) with its median shape. Optionally
 * writes a contact sheet of chosen kinds to look at.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeImage, loadStudent, readManifest } from '@person-search/model/node';
import { countKinds, detectionKinds, DETECTION_KINDS, type DetectionKind } from '../src/lib/evaluation/detection-errors.js';
import { detectionMetrics, type ScoredBox } from '../src/lib/evaluation/detection-metrics.js';
import { isPersonClass, isPositivePedestrian } from '../src/lib/evaluation/mot-ground-truth.js';
import { quantile } from '../src/lib/evaluation/statistics.js';
import { writeContactSheet } from './contact-sheet.js';
import { AP_SCORE_THRESHOLD } from './detection-bench.js';
import { builtModelDir, withScoreThreshold } from './model-packages.js';
import { formatTable, type Row } from './report.js';
import { loadMot17, missingReason, mot17Dir, repoRoot } from './shared-data.js';

const HELP = `Usage: npx nx run model-build:detection-errors -- [options]

Sorts the default student's MOT17-mini boxes at its operating threshold into true positives,
ignored, and false positives by what lies under them: duplicate (a second box on a found
pedestrian), loose (near a pedestrian: a part of a body, offset), ignored-person (near an
occluded/static/on-vehicle person), non-person (near a labelled vehicle or occluder), unmatched
(nothing labelled near). Prints AP@0.5 as bench:models measures it and each kind's count and
median score, aspect (height/width) and height in model-input pixels.

Options:
  --model DIR       model package to measure (default: .models/default-student)
  --threshold N     operating score threshold (default: the manifest's)
  --sheet           also write bench/results/detection-errors.png, a contact sheet of the kinds below
  --kinds K,K       kinds on the sheet (default: non-person,unmatched)
  -h, --help        show this help`;

const { values: options } = parseArgs({
  options: {
    model: { type: 'string' },
    threshold: { type: 'string' },
    sheet: { type: 'boolean', default: false },
    kinds: { type: 'string', default: 'non-person,unmatched' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

interface KindedBox extends ScoredBox {
  kind: DetectionKind;
  imagePath: string;
  label: string;
  /** Model-input pixels per original pixel (letterbox). */
  inputScale: number;
}

async function main(): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const modelDir = options.model ? path.resolve(options.model) : builtModelDir('default-student').dir;
  const missing = missingReason(mot17Dir) ?? (modelDir ? undefined : builtModelDir('default-student').missing);
  if (missing || !modelDir) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const manifest = await readManifest(modelDir);
  const threshold = options.threshold ? Number(options.threshold) : manifest.output!.scoreThreshold;
  const student = await loadStudent(withScoreThreshold(modelDir, AP_SCORE_THRESHOLD), { intraOpThreads: 1 });
  const frames = [];
  const boxes: KindedBox[] = [];
  for (const sequence of loadMot17()) {
    for (const [frame, imagePath] of [...sequence.frames].sort(([a], [b]) => a - b)) {
      const image = await decodeImage(await readFile(imagePath));
      const detections = (await student.detectPeople(image)).map(({ box, score }) => ({ box, score }));
      const rows = sequence.rows.filter((row) => row.frame === frame);
      const positives = rows.filter(isPositivePedestrian).map((row) => row.box);
      const ignored = rows.filter((row) => !isPositivePedestrian(row));
      frames.push({ detections, positives, ignored: ignored.map((row) => row.box) });
      const inputScale = Math.min(manifest.input.width / image.width, manifest.input.height / image.height);
      for (const { detection, kind } of detectionKinds({ detections, positives, ignored: ignored.map((row) => ({ box: row.box, person: isPersonClass(row) })) })) {
        if (detection.score >= threshold) boxes.push({ ...detection, kind, imagePath, label: `${sequence.sequence.replace('MOT17-', '').replace('-FRCNN', '')}/${frame}`, inputScale });
      }
    }
  }
  await student.release();

  const curve = detectionMetrics(frames);
  const counts = countKinds(boxes.map((box) => box.kind));
  const rows: Row[] = DETECTION_KINDS.map((kind) => {
    const of = boxes.filter((box) => box.kind === kind);
    return {
      name: kind,
      values: {
        boxes: counts[kind],
        'median score': median(of.map((box) => box.score)),
        'median h/w': median(of.map((box) => (box.box.y2 - box.box.y1) / (box.box.x2 - box.box.x1))),
        'median input h': median(of.map((box) => (box.box.y2 - box.box.y1) * box.inputScale)),
      },
    };
  });
  console.log(`${manifest.id} ${manifest.version}: AP@0.5 ${curve.averagePrecision.toFixed(4)} (detections >= ${AP_SCORE_THRESHOLD}), ${frames.length} frames, ${curve.positives} positives`);
  console.log(formatTable({ title: `Boxes at score >= ${threshold} by kind`, columns: ['boxes', 'median score', 'median h/w', 'median input h'], rows }));
  if (options.sheet) {
    const kinds = options.kinds.split(',') as DetectionKind[];
    const unknown = kinds.filter((kind) => !DETECTION_KINDS.includes(kind));
    if (unknown.length > 0) throw new Error(`unknown kind ${unknown.join(', ')}; kinds are ${DETECTION_KINDS.join(', ')}`);
    const file = path.join(repoRoot, 'bench/results/detection-errors.png');
    const tiles = boxes
      .filter((box) => kinds.includes(box.kind))
      .map(({ box, score, kind, imagePath, label, inputScale }) => ({
        imagePath,
        box,
        caption: `${label} s${score.toFixed(2)} h/w ${((box.y2 - box.y1) / (box.x2 - box.x1)).toFixed(1)}`,
        note: `${kind} h${((box.y2 - box.y1) * inputScale).toFixed(0)}`,
      }));
    await writeContactSheet(tiles, file);
    console.log(`\nwrote ${path.relative(repoRoot, file)}`);
  }
}

const median = (values: number[]): number | undefined => (values.length ? quantile(values, 0.5) : undefined);

await main();
