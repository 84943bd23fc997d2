/**
 * `npm run bench:models`: detection and re-ID quality plus Node speed of the
 * default student and teacher, against the third-party YOLOX and OSNet and
 * the colour-histogram baseline. Prints tables, writes
 * <repo>/bench/results/models.{json,svg}. Rows that need ../shared or an
 * unbuilt model are skipped with the reason.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Box, RgbImage } from '@person-search/model';
import { decodeImage, loadStudent, loadTeacher, readManifest } from '@person-search/model/node';
import { isPositivePedestrian } from '../src/lib/evaluation/mot-ground-truth.js';
import { AP_SCORE_THRESHOLD, mot17DetectionMetrics } from './detection-bench.js';
import { builtModelDir, freshTeacherDir, thirdPartyDir, thirdPartyOnnxPath, withManifestEdit, withScoreThreshold } from './model-packages.js';
import { retrievalMetrics, scoreScaleOf } from '../src/lib/evaluation/retrieval-metrics.js';
import { learningTargetsTable } from './learning-targets.js';
import { parityTable } from './parity-bench.js';
import { cuhk03Embeddings, hsvHistogramEmbedder, mot17ReidMetrics, type BoxEmbedder, type QueryGallery } from './reid-bench.js';
import { barChartSvg, formatTable, writeResults, type Row, type Table } from './report.js';
import { cuhk03ValDir, loadCuhk03Val, loadMot17, missingReason, mot17Dir, repoRoot, type MotSequence } from './shared-data.js';
import { detectorSpeed, studentDetectSpeed, teacherSpeed } from './speed-bench.js';
import { studentBoxEmbedder } from './student-reid.js';

const HELP = `Usage: npm run bench:models -- [options]

Measures the default student and teacher (built into .models/ by \`npm run models\`;
without a built teacher the colour teacher is rebuilt from the current code) against
YOLOX-nano, OSNet-x0.25 and a 6-stripe HSV histogram, on ../shared/data (rows needing it
are skipped when absent), and prints the learning targets of issue 9 (teacher, student,
two-stage and aligned mAP on CUHK03 val beside their targets).

Options:
  --identities N   CUHK03 val identities to use (default: all 100)
  --speed-runs N   timed runs per speed measurement (default: 10)
  --no-speed       skip the speed section
  -h, --help       show this help

Writes bench/results/models.json and bench/results/models.svg under the repository root.`;

const { values: options } = parseArgs({
  options: {
    identities: { type: 'string' },
    'speed-runs': { type: 'string', default: '10' },
    'no-speed': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (options.help) {
  console.log(HELP);
  process.exit(0);
}
const identityLimit = options.identities ? Number(options.identities) : Infinity;
const speedRuns = Number(options['speed-runs']);

interface Embedders {
  key: 'student' | 'teacher' | 'osnet' | 'hsv';
  name: string;
  embed?: BoxEmbedder;
  skipped?: string;
}

async function main(): Promise<void> {
  const tables: Table[] = [];
  const cuhk03Missing = missingReason(cuhk03ValDir);
  const motMissing = missingReason(mot17Dir);
  const osnetMissing = missingReason(thirdPartyOnnxPath('osnet'));
  const yoloxMissing = missingReason(thirdPartyOnnxPath('yolox'));
  const student = builtModelDir('default-student');
  const mot = motMissing ? [] : loadMot17();

  const teacherDir = builtModelDir('default-teacher').dir ?? (await freshTeacherDir());
  const teacher = await loadTeacher(teacherDir, { intraOpThreads: 1 });
  const loadedStudent = student.dir ? await loadStudent(withScoreThreshold(student.dir, AP_SCORE_THRESHOLD), { intraOpThreads: 1 }) : undefined;
  const osnet = osnetMissing ? undefined : await loadTeacher(thirdPartyDir('osnet'), { intraOpThreads: 1 });

  // Detection.
  const detectionRows: Row[] = [];
  const detectors = [
    { name: 'default-student', dir: student.dir, skipped: student.missing },
    { name: 'YOLOX-nano (third party)', dir: yoloxMissing ? undefined : thirdPartyDir('yolox'), skipped: yoloxMissing },
  ];
  for (const detector of detectors) {
    const skipped = motMissing ?? detector.skipped;
    if (skipped || !detector.dir) {
      detectionRows.push({ name: detector.name, values: {}, skipped });
      continue;
    }
    const operatingThreshold = (await readManifest(detector.dir)).output!.scoreThreshold;
    const model = await loadStudent(withScoreThreshold(detector.dir, AP_SCORE_THRESHOLD), { intraOpThreads: 1 });
    const result = await mot17DetectionMetrics(mot, (image) => model.detectPeople(image), operatingThreshold);
    await model.release();
    detectionRows.push({
      name: detector.name,
      values: { 'AP@0.5': result.averagePrecision, recall: result.recall, precision: result.precision, 'FP/frame': result.falsePositivesPerFrame, threshold: operatingThreshold, frames: result.frames },
    });
  }
  tables.push({ title: 'Detection, MOT17-mini (pedestrians, visibility >= 0.3; others ignored)', columns: ['AP@0.5', 'recall', 'precision', 'FP/frame', 'threshold', 'frames'], rows: detectionRows });

  // Re-ID.
  const embedders: Embedders[] = [
    loadedStudent?.embeddingDimension
      ? { key: 'student', name: 'default-student re-ID branch', embed: studentBoxEmbedder((image) => loadedStudent.detectPeople(image), loadedStudent.embeddingDimension) }
      : { key: 'student', name: 'default-student re-ID branch', skipped: student.missing ?? 'student has no embeddings' },
    { key: 'teacher', name: `default-teacher ${teacher.manifest.version} (${teacher.manifest.embedding!.dimension}-d)`, embed: (image, boxes) => teacher.embedCrops(image, boxes) },
    osnet ? { key: 'osnet', name: 'OSNet-x0.25 MSMT17 (third party)', embed: (image, boxes) => osnet.embedCrops(image, boxes) } : { key: 'osnet', name: 'OSNet-x0.25 MSMT17 (third party)', skipped: osnetMissing },
    { key: 'hsv', name: 'HSV histogram 6x(16x4x4) baseline', embed: hsvHistogramEmbedder },
  ];
  // On CUHK03's crops the student embeds the given box (its query-box input) when it can: the re-ID
  // branch alone, as a crop query is embedded; on MOT17 it detects and matches (a miss counts against it).
  const studentCrops = loadedStudent?.embedBoxes?.bind(loadedStudent);
  const cuhk03ByKey = new Map<Embedders['key'], QueryGallery>();
  const cuhk03 = cuhk03Missing ? undefined : await loadCuhk03Val(identityLimit);
  const cuhk03Rows: Row[] = [];
  const motRows: Row[] = [];
  for (const embedder of embedders) {
    const cuhkSkip = cuhk03Missing ?? embedder.skipped;
    if (cuhkSkip || !embedder.embed || !cuhk03) cuhk03Rows.push({ name: embedder.name, values: {}, skipped: cuhkSkip });
    else {
      const embeddings = await cuhk03Embeddings(cuhk03, embedder.key === 'student' && studentCrops ? studentCrops : embedder.embed);
      cuhk03ByKey.set(embedder.key, embeddings);
      const metrics = retrievalMetrics(embeddings.queries, embeddings.gallery);
      const name = embedder.key === 'student' && studentCrops ? `${embedder.name} (box given)` : embedder.name;
      cuhk03Rows.push({ name, values: { mAP: metrics.meanAveragePrecision, 'top-1': metrics.top1, queries: metrics.evaluatedQueries } });
    }
    const motSkip = motMissing ?? embedder.skipped;
    if (motSkip || !embedder.embed) motRows.push({ name: embedder.name, values: {}, skipped: motSkip });
    else {
      const metrics = await mot17ReidMetrics(mot, embedder.embed);
      motRows.push({ name: embedder.name, values: { mAP: metrics.meanAveragePrecision, 'top-1': metrics.top1, queries: metrics.evaluatedQueries } });
    }
  }
  const identities = cuhk03 ? new Set(cuhk03.queries.map((item) => item.entry.identity)).size : 0;
  tables.push({ title: `Re-ID, CUHK03 val (${identities} identities; camera A queries vs camera B gallery)`, columns: ['mAP', 'top-1', 'queries'], rows: cuhk03Rows });
  tables.push({ title: 'Re-ID regression, MOT17-mini ground-truth boxes (first frame vs later frames)', columns: ['mAP', 'top-1', 'queries'], rows: motRows });
  const aligned = !!loadedStudent && loadedStudent.manifest.alignedWith === teacher.manifest.id && loadedStudent.embeddingDimension === teacher.manifest.embedding?.dimension;
  tables.push(
    learningTargetsTable({
      teacher: cuhk03ByKey.get('teacher'),
      student: cuhk03ByKey.get('student'),
      aligned,
      references: [
        { name: 'OSNet-x0.25 MSMT17 (reference)', embeddings: cuhk03ByKey.get('osnet') },
        { name: 'HSV histogram (baseline)', embeddings: cuhk03ByKey.get('hsv') },
      ],
      ...(cuhk03Missing ? { skipped: cuhk03Missing } : {}),
    }),
  );

  tables.push(scoreScaleTable(cuhk03ByKey));

  const shippedTeacher = cuhk03ByKey.get('teacher');
  if (cuhk03 && shippedTeacher && teacher.manifest.embedding?.dimension === loadedStudent?.embeddingDimension) {
    tables.push(await parityTable({ data: cuhk03, teacherDir, studentDir: student.dir, shippedTeacher, shippedStudent: cuhk03ByKey.get('student') }));
  }

  // Speed.
  if (!options['no-speed']) tables.push(await speedTable(mot, student.dir, teacherDir));

  await Promise.all([teacher.release(), loadedStudent?.release(), osnet?.release()]);
  for (const table of tables) console.log(formatTable(table));
  const written = writeResults(path.join(repoRoot, 'bench/results'), 'models', tables, barChartSvg('CUHK03 val mAP', cuhk03Rows, 'mAP'));
  console.log(`\nwrote ${path.relative(repoRoot, written.json)} and ${path.relative(repoRoot, written.svg)}`);
}

/**
 * Each model's cosine scale on CUHK03 val (all crops, every unordered pair): where strangers stop.
 * The kiosk's TEACHER_SCALES (apps/edge-client result-groups.ts) take floor = stranger p99.9 and
 * sure score = stranger max, rounded up, from this table.
 */
function scoreScaleTable(embeddings: Map<Embedders['key'], QueryGallery>): Table {
  const rows: Row[] = [];
  for (const [key, { queries, gallery }] of embeddings) {
    const scale = scoreScaleOf({ embeddings: [...queries.embeddings, ...gallery.embeddings], labels: [...queries.labels, ...gallery.labels] });
    rows.push({
      name: key,
      values: { 'same-person median': scale.samePersonMedian, 'stranger p99.9': scale.strangerP999, 'stranger max': scale.strangerMax, 'same pairs': scale.samePersonPairs, 'stranger pairs': scale.differentPersonPairs },
    });
  }
  return { title: 'Score scale, CUHK03 val (cosine over every pair of crops; the kiosk floor is stranger p99.9, its sure score the max)', columns: ['same-person median', 'stranger p99.9', 'stranger max', 'same pairs', 'stranger pairs'], rows };
}

async function speedTable(mot: MotSequence[], studentDir: string | undefined, teacherDir: string): Promise<Table> {
  const { frame, boxes, source } = await speedFrame(mot);
  const rows: Row[] = [];
  if (!studentDir) rows.push({ name: 'student ONNX Runtime vs TF.js wasm', values: {}, skipped: builtModelDir('default-student').missing });
  else {
    const manifest = await readManifest(studentDir);
    const onnx = readFileSync(path.join(studentDir, manifest.file));
    const speed = await detectorSpeed(onnx, manifest, frame, speedRuns);
    rows.push({ name: 'student graph, onnxruntime-node (ms/frame)', values: { value: speed.onnxRuntimeMs } });
    rows.push({ name: 'CenterNet, TF.js wasm (ms/frame)', values: { value: speed.tfjsWasmMs } });
    rows.push({ name: 'speed-up ORT vs TF.js (x)', values: { value: speed.speedup } });
    const endToEnd = await studentDetectSpeed(studentDir, frame, speedRuns);
    rows.push({ name: 'student detectPeople, pre/post incl. (ms/frame)', values: { value: endToEnd.medianMs } });
  }
  const teacherFlips = JSON.parse(readFileSync(path.join(teacherDir, 'manifest.json'), 'utf8')).embedding?.flipAverage === true;
  const teachers = [
    ['default-teacher', teacherDir],
    ...(teacherFlips ? [['default-teacher without test-time flip', withManifestEdit<{ embedding: Record<string, unknown> }>(teacherDir, (manifest) => delete manifest.embedding['flipAverage'])]] : []),
    ['OSNet-x0.25', missingReason(thirdPartyOnnxPath('osnet')) ? undefined : thirdPartyDir('osnet')],
  ] as const;
  for (const [name, dir] of teachers) {
    if (!dir) {
      rows.push({ name: `${name} crops/s`, values: {}, skipped: missingReason(thirdPartyOnnxPath('osnet')) });
      continue;
    }
    for (const result of await teacherSpeed(dir, frame, boxes, [1, 16], speedRuns)) {
      rows.push({ name: `${name} crops/s, batch ${result.batchSize}`, values: { value: result.cropsPerSecond } });
    }
  }
  return { title: `Speed, Node, 1 intra-op thread (${source}, ${boxes.length} crops)`, columns: ['value'], rows };
}

/** A real MOT17 frame with its pedestrian boxes, or a synthetic frame when ../shared is absent. */
async function speedFrame(mot: MotSequence[]): Promise<{ frame: RgbImage; boxes: Box[]; source: string }> {
  const sequence = mot[0];
  if (sequence) {
    const [frameNumber, imagePath] = [...sequence.frames].sort(([a], [b]) => a - b)[0]!;
    const boxes = sequence.rows.filter((row) => row.frame === frameNumber && isPositivePedestrian(row)).map((row) => row.box).slice(0, 32);
    return { frame: await decodeImage(await readFile(imagePath)), boxes, source: `${sequence.sequence} frame ${frameNumber}` };
  }
  const width = 1280;
  const height = 720;
  const data = new Uint8Array(width * height * 3).map((_, index) => (index * 2654435761) >>> 24);
  const boxes = Array.from({ length: 32 }, (_, index) => ({ x1: (index % 8) * 150, y1: Math.floor(index / 8) * 170, x2: (index % 8) * 150 + 60, y2: Math.floor(index / 8) * 170 + 160 }));
  return { frame: { data, width, height, channels: 3 }, boxes, source: 'synthetic 1280x720 frame' };
}

await main();
