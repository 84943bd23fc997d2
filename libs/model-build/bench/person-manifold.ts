/**
 * Distance to the person manifold (issue 9, "fewer non-person boxes"): does a
 * student box whose embedding lies far from every person in the teacher's
 * re-ID space mark a box that is not a person? Prototypes and thresholds
 * come from CUHK03 only (train crops through the teacher; val crops through
 * the student), so MOT17-mini stays a held-out test; the rules are then
 * measured there (AP@0.5 as bench:models, boxes by kind as detection-errors)
 * and on photos with people (none of their people may be removed).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadStudent, loadTeacher, readManifest } from '@person-search/model/node';
import { labelMeanPrototypes, personness, sphericalKMeans, thresholdAtHeight, type PersonnessDetection } from '../src/lib/evaluation/person-manifold.js';
import { writeContactSheet } from './contact-sheet.js';
import { AP_SCORE_THRESHOLD } from './detection-bench.js';
import { builtModelDir, withScoreThreshold } from './model-packages.js';
import { cuhk03TrainDir, motFrames, photoDetections, studentValAtHeights, studentValEmbeddings, teacherTrainEmbeddings, valCrops, type EmbeddedBox } from './person-manifold-data.js';
import {
  absoluteSweepTable,
  CALIBRATION_HEIGHTS,
  distributionTable,
  heightCurve,
  heightTable,
  kindedBoxes,
  rulesTable,
  separationTable,
  type Measured,
  type Variant,
} from './person-manifold-tables.js';
import { formatTable } from './report.js';
import { cuhk03ValDir, missingReason, mot17Dir, repoRoot } from './shared-data.js';

const HELP = `Usage: npx nx run model-build:person-manifold -- [options]

Issue 9: is a student box whose embedding lies far from every person in the teacher's re-ID space a
box that is not a person? Person prototypes: the default teacher's (flip-averaged) embeddings of the
CUHK03 train crops, as per-identity means and spherical k-means centres. A box's personness is the
mean of its top-k cosines to them. Thresholds are quantiles of real people's personness on CUHK03 val
through the student, never MOT17 (so MOT17-mini is a held-out test): as crop queries, pasted into
the distiller's composed frames, and pasted at fixed heights (16-192 input px) for a threshold that
follows the box's height. Prints personness of CUHK03 val people, of the student's MOT17-mini boxes
by kind and of the photos' boxes; per rule (drop below t, drop below the height curve, rescore by a
ramp) AP@0.5 as bench:models measures it, the boxes by kind at the operating threshold and how many
photo boxes it removes; and, for information only, thresholds read off MOT17 itself.

Options:
  --photo FILE    a photo with people (repeatable): a rule must remove none of its boxes
  --k N,N         k-means prototype counts (default 64,128)
  --top-k N       the second scoring: mean of the top N cosines (default 5)
  --sheet         also write bench/results/person-manifold-{mot17,photos}.png (boxes with personness)
  --no-cache      re-embed the CUHK03 crops (cached in bench/results/person-manifold/ by model checksum)
  -h, --help      show this help`;

const { values: options } = parseArgs({
  options: {
    photo: { type: 'string', multiple: true, default: [] },
    k: { type: 'string', default: '64,128' },
    'top-k': { type: 'string', default: '5' },
    sheet: { type: 'boolean', default: false },
    'no-cache': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const SHEET_TRUE_POSITIVES = 24;

const timings: { stage: string; seconds: number }[] = [];
async function timed<T>(stage: string, work: () => Promise<T> | T): Promise<T> {
  const start = performance.now();
  const result = await work();
  timings.push({ stage, seconds: (performance.now() - start) / 1000 });
  return result;
}

async function main(): Promise<void> {
  if (options.help) {
    console.log(HELP);
    return;
  }
  const student = builtModelDir('default-student');
  const teacher = builtModelDir('default-teacher');
  const missing = missingReason(mot17Dir) ?? missingReason(cuhk03ValDir) ?? missingReason(cuhk03TrainDir) ?? student.missing ?? teacher.missing;
  if (missing || !student.dir || !teacher.dir) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const useCache = !options['no-cache'];
  const threshold = (await readManifest(student.dir)).output!.scoreThreshold;

  const teacherModel = await loadTeacher(teacher.dir, { intraOpThreads: 1 });
  const train = await timed('teacher: CUHK03 train crops (flip-averaged)', () => teacherTrainEmbeddings(teacherModel, useCache));
  await teacherModel.release();
  const studentModel = await loadStudent(withScoreThreshold(student.dir, AP_SCORE_THRESHOLD), { intraOpThreads: 1 });
  const crops = await valCrops();
  const val = await timed('student: CUHK03 val crops (crop query + composed frames)', () => studentValEmbeddings(studentModel, crops, useCache));
  const valAtHeight = await timed(`student: CUHK03 val crops pasted at h ${CALIBRATION_HEIGHTS.join(', ')}`, () => studentValAtHeights(studentModel, crops, CALIBRATION_HEIGHTS, useCache));
  const frames = await timed('student: MOT17-mini detectPeople', () => motFrames(studentModel));
  const photos = await timed('student: photos detectPeople', () => photoDetections(studentModel, options.photo));
  await studentModel.release();

  const topK = Number(options['top-k']);
  const identityMeans = await timed('prototypes: identity means', () => labelMeanPrototypes(train.embeddings, train.identities));
  const prototypeSets = [{ name: `identity means (${identityMeans.length})`, prototypes: identityMeans }];
  for (const k of options.k.split(',').map(Number)) {
    prototypeSets.push({ name: `k-means ${k}`, prototypes: await timed(`prototypes: spherical k-means ${k}`, () => sphericalKMeans(train.embeddings, k)) });
  }
  const variants: Variant[] = prototypeSets.flatMap(({ name, prototypes }) => [1, topK].map((k) => ({ name: `${name}, ${k === 1 ? 'max' : `top-${k} mean`}`, prototypes, topK: k })));
  const measured = await timed('personness of every box and crop', () =>
    variants.map((variant): Measured => {
      const score = (embedding: Float32Array) => personness(embedding, variant.prototypes, variant.topK);
      const withPersonness = (detections: readonly EmbeddedBox[], inputScale: number) =>
        detections.map(({ box, score: detectionScore, embedding }) => ({ box, score: detectionScore, personness: score(embedding), inputHeight: (box.y2 - box.y1) * inputScale }));
      return {
        variant,
        valCrop: val.cropQuery.map(score),
        valComposed: val.composed.map(score),
        valAtHeight: new Map([...valAtHeight].map(([height, vectors]) => [height, vectors.map(score)])),
        frames: frames.map((frame) => ({ ...frame, detections: withPersonness(frame.detections, frame.inputScale) })),
        photos: photos.map((photo) => ({ imagePath: photo.imagePath, detections: withPersonness(photo.detections, photo.inputScale) })),
      };
    }),
  );

  console.log(
    `Person prototypes from ${train.embeddings.length} CUHK03 train crops (${identityMeans.length} identities) through default-teacher; ` +
      `thresholds from ${val.cropQuery.length} CUHK03 val crops through default-student; MOT17-mini ${frames.length} frames, detections >= ${AP_SCORE_THRESHOLD}, kinds at >= ${threshold}.`,
  );
  for (const result of measured) console.log(formatTable(distributionTable(result, threshold)));
  for (const result of measured) console.log(formatTable(heightTable(result, threshold)));
  for (const result of measured) console.log(formatTable(rulesTable(result, threshold)));
  console.log(formatTable(separationTable(measured, threshold)));
  console.log(formatTable(absoluteSweepTable(measured[0]!, threshold)));
  if (options.sheet) await writeSheets(measured[0]!, threshold);
  console.log(formatTable({ title: 'Time (1 thread)', columns: ['seconds'], rows: timings.map(({ stage, seconds }) => ({ name: stage, values: { seconds: Math.round(seconds) } })) }));
}

/**
 * MOT17 non-person and unmatched boxes and the lowest-personness true positives, and every photo box,
 * captioned with personness and input height; "drop" marks a box the height-aware p1 rule removes.
 */
async function writeSheets(result: Measured, threshold: number): Promise<void> {
  const curve = heightCurve(result.valAtHeight, 0.01);
  const note = ({ personness: value, inputHeight }: PersonnessDetection) =>
    `p${value.toFixed(3)} h${inputHeight!.toFixed(0)}${value < thresholdAtHeight(curve, inputHeight!) ? ' drop' : ''}`;
  const boxes = kindedBoxes(result.frames, threshold).sort((a, b) => a.detection.personness - b.detection.personness);
  const lowestTruePositives = boxes.filter((box) => box.kind === 'true-positive').slice(0, SHEET_TRUE_POSITIVES);
  const motTiles = [...boxes.filter((box) => box.kind === 'non-person' || box.kind === 'unmatched'), ...lowestTruePositives].map(({ detection, kind, frame }) => ({
    imagePath: frame.imagePath,
    box: detection.box,
    caption: `${frame.label} ${kind} s${detection.score.toFixed(2)}`,
    note: note(detection),
  }));
  const photoTiles = result.photos.flatMap((photo) =>
    photo.detections
      .filter((d) => d.score >= threshold)
      .map((d) => ({ imagePath: photo.imagePath, box: d.box, caption: `${path.basename(photo.imagePath)} s${d.score.toFixed(2)}`, note: note(d) })),
  );
  const written = [];
  for (const [name, tiles] of [
    ['mot17', motTiles],
    ['photos', photoTiles],
  ] as const) {
    if (tiles.length === 0) continue;
    const file = path.join(repoRoot, `bench/results/person-manifold-${name}.png`);
    await writeContactSheet(tiles, file);
    written.push(path.relative(repoRoot, file));
  }
  console.log(`\nwrote ${written.join(', ')} (${result.variant.name}; "drop": below the height-aware p1 threshold)`);
}

await main();
