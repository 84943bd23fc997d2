// `npm run eval` (person search): the CUHK-SYSU/PRW protocol
// (src/lib/evaluation/person-search-protocol.ts) on a person-search set —
// MOT17-style sequences (default: ../shared/data/mot17-mini) or the JSON format —
// reporting student-only, teacher-only and re-ranked mAP / top-k. Without
// --via-api the models run here; with it the platform runs: gallery frames
// are uploaded and ingested through the API, the teacher worker embeds them,
// and every query is a searchPerson photo query.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cosineSimilarity, embeddingToBase64, iou } from '@person-search/model';
import { decodeImage, loadStudent, loadTeacher } from '@person-search/model/node';
import { CreateGalleryDocument, IngestFrameDocument, SearchPersonDocument } from '@person-search/schema';
import { createApp } from '../src/lib/app.js';
import { loadConfig, repoRoot } from '../src/lib/config.js';
import { ApiClient } from '../src/lib/demo/api-client.js';
import { galleryOf, readJsonDataset, readMotDataset, type EvalImage, type PersonSearchDataset } from '../src/lib/evaluation/person-search-datasets.js';
import { evaluateQuery, summarise, type QueryOutcome, type ScoredDetection } from '../src/lib/evaluation/person-search-protocol.js';
import { startHttpServer } from '../src/lib/http/server.js';
import { barsSvg, printSection, writeResults } from './results-report.js';

const HELP = `Usage: npm run eval [-- options]   (person-search part; the model-quality part is libs/model-build's)

  --mot <dir>          MOT17-style sequences (default ../shared/data/mot17-mini/train)
  --json <file>        the JSON format (see apps/api/README.md, "Evaluation")
  --via-api            run the platform: ingest through the API (embedded PGlite, or DATABASE_URL),
                       teacher worker, searchPerson photo queries
  --det-threshold <s>  gallery detections kept above this score (default 0.5, the protocol's)
  --pool <n>           candidate pool re-ranked by the teacher (default 200, the API's; the API
                       returns 200 hits, so via the API a pool is at least 200)
Writes bench/results/person-search-eval.{json,svg}.`;

const { values: args } = parseArgs({
  options: {
    mot: { type: 'string' }, json: { type: 'string' }, 'via-api': { type: 'boolean', default: false },
    'det-threshold': { type: 'string', default: '0.5' }, pool: { type: 'string', default: '200' }, help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(HELP);
  process.exit(0);
}
const detectionThreshold = Number(args['det-threshold']);
const pool = Number.parseInt(args.pool!, 10);
const config = loadConfig();
const defaultMot = path.resolve(repoRoot, '../shared/data/mot17-mini/train');
const models = { student: path.join(config.modelsDir, config.studentModelId), teacher: path.join(config.modelsDir, config.teacherModelId) };
const missing = [args.json ?? args.mot ?? defaultMot, path.join(models.student, 'manifest.json'), path.join(models.teacher, 'manifest.json')].filter((p) => !existsSync(p));
if (missing.length > 0) {
  console.log(`person-search eval skipped: missing ${missing.join(', ')}${missing.some((p) => p.includes(config.modelsDir)) ? ' (build the models with `npm run models`)' : ''}`);
  process.exit(0);
}
const dataset: PersonSearchDataset = args.json ? await readJsonDataset(args.json) : await readMotDataset(args.mot ?? defaultMot);

/** One ranking per variant: gallery detections in rank order. */
type Variant = 'student-only' | 'teacher-only' | 're-ranked';
interface GalleryDetection {
  imageId: string;
  box: ScoredDetection['box'];
  detectionScore: number;
}
type Rankings = Record<Variant, GalleryDetection[] | null>;

const student = await loadStudent(models.student, { executionProviders: config.executionProviders });
const teacher = await loadTeacher(models.teacher, { executionProviders: config.executionProviders });
const decode = async (image: EvalImage) => decodeImage(await readFile(image.file), { maxPixels: config.limits.imagePixels });
const byId = new Map(dataset.images.map((image) => [image.id, image]));

/** The protocol on rank order (similarity = −rank, so ties never occur and order is the system's). */
function score(query: PersonSearchDataset['queries'][number], ranking: GalleryDetection[] | null): QueryOutcome {
  const gallery = galleryOf(dataset, query);
  return evaluateQuery(gallery, (ranking ?? []).map((d, rank) => ({ ...d, similarity: -rank })), { detectionThreshold });
}

async function modelRankings(): Promise<(query: PersonSearchDataset['queries'][number]) => Promise<Rankings>> {
  const gallery: (GalleryDetection & { student: Float32Array; teacher: Float32Array })[] = [];
  for (const image of dataset.images.filter((i) => i.gallery || dataset.queries.some((q) => q.gallery?.includes(i.id)))) {
    const pixels = await decode(image);
    const people = (await student.detectPeople(pixels)).filter((p) => p.embedding);
    const teacherVectors = await teacher.embedCrops(pixels, people.map((p) => p.box));
    people.forEach((p, i) => gallery.push({ imageId: image.id, box: p.box, detectionScore: p.score, student: p.embedding!, teacher: teacherVectors[i]! }));
  }
  return async (query) => {
    const pixels = await decode(byId.get(query.imageId)!);
    const match = (await student.detectPeople(pixels)).filter((p) => p.embedding).map((p) => ({ p, overlap: iou(p.box, query.box) })).sort((a, b) => b.overlap - a.overlap)[0];
    const [teacherQuery] = await teacher.embedCrops(pixels, [query.box]);
    const inScope = gallery.filter((d) => d.imageId !== query.imageId);
    const byTeacher = [...inScope].sort((a, b) => cosineSimilarity(teacherQuery!, b.teacher) - cosineSimilarity(teacherQuery!, a.teacher));
    // Like the API: no student detection overlapping the query box (IoU 0.3) ⇒ no student query.
    if (!match || match.overlap < 0.3) return { 'student-only': null, 'teacher-only': byTeacher, 're-ranked': null };
    const byStudent = [...inScope].sort((a, b) => cosineSimilarity(match.p.embedding!, b.student) - cosineSimilarity(match.p.embedding!, a.student));
    const head = byStudent.slice(0, pool).sort((a, b) => cosineSimilarity(teacherQuery!, b.teacher) - cosineSimilarity(teacherQuery!, a.teacher));
    return { 'student-only': byStudent, 'teacher-only': byTeacher, 're-ranked': [...head, ...byStudent.slice(pool)] };
  };
}

async function apiRankings(): Promise<{ rank: (query: PersonSearchDataset['queries'][number]) => Promise<Rankings>; close(): Promise<void> }> {
  const app = await createApp({ ...config, logLevel: 'warn', worker: { ...config.worker, inProcess: false } }, { dataDirForDatabase: config.databaseUrl ? config.dataDir : 'memory://' });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  const issued = (await app.services.tenants.bootstrapIfEmpty()) ?? (await app.services.tenants.issueLocalAdminKey('person-search-eval'));
  if (!issued) throw new Error('no tenant for the evaluation');
  const client = new ApiClient(server.url, issued.adminKey.secret);
  const galleryId = (await client.graphql(CreateGalleryDocument, { input: { name: `eval-${Date.now()}` } })).createGallery.id;
  const detections = new Map<string, GalleryDetection>();
  let detectionCount = 0;
  for (const [index, image] of dataset.images.filter((i) => i.gallery).entries()) {
    const bytes = await readFile(image.file);
    const { blobId } = await client.putBlob(bytes, 'image/jpeg');
    const people = (await student.detectPeople(await decodeImage(bytes))).filter((p) => p.embedding).slice(0, config.limits.detectionsPerFrame);
    const ingested = await client.graphql(IngestFrameDocument, {
      input: {
        idempotencyKey: `eval:${image.id}`, galleryId, blobId, capturedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, index)).toISOString(), modelId: student.manifest.id,
        detections: people.map((p) => ({ box: p.box, score: p.score, embedding: embeddingToBase64(p.embedding!) })),
      },
    });
    for (const d of ingested.ingestFrame.detections) detections.set(d.id, { imageId: image.id, box: d.box, detectionScore: d.score });
    detectionCount += people.length;
  }
  while ((await app.worker.runOnce()) > 0);
  const search = async (blobId: string, box: GalleryDetection['box'], rerank: boolean, candidatePool: number) => {
    try {
      const result = await client.graphql(SearchPersonDocument, { input: { query: { photo: { blobId, box } }, galleryIds: [galleryId], topK: 200, candidatePool, rerank } });
      return result.searchPerson.hits.flatMap((hit) => detections.get(hit.detection.id) ?? []);
    } catch {
      return null; // no detected person overlaps the query box: the query fails, as it would for a user
    }
  };
  return {
    async rank(query) {
      const { blobId } = await client.putBlob(await readFile(byId.get(query.imageId)!.file), 'image/jpeg');
      return {
        'student-only': await search(blobId, query.box, false, 200),
        // A pool holding the whole gallery: the teacher ranks everything.
        'teacher-only': await search(blobId, query.box, true, Math.min(config.limits.candidatePool, Math.max(200, detectionCount))),
        're-ranked': await search(blobId, query.box, true, pool),
      };
    },
    async close() {
      await server.close();
      await app.close();
    },
  };
}

const started = performance.now();
const outcomes: Record<Variant, QueryOutcome[]> = { 'student-only': [], 'teacher-only': [], 're-ranked': [] };
const api = args['via-api'] ? await apiRankings() : null;
const rank = api ? api.rank : await modelRankings();
try {
  for (const query of dataset.queries) {
    const rankings = await rank(query);
    for (const variant of Object.keys(outcomes) as Variant[]) outcomes[variant].push(score(query, rankings[variant]));
  }
} finally {
  await api?.close();
  await student.release();
  await teacher.release();
}

const path_ = api ? 'API (ingest → worker → searchPerson)' : 'models in-process';
const rows = (Object.keys(outcomes) as Variant[]).map((variant) => {
  const metrics = summarise(outcomes[variant]);
  return { ranking: variant, queries: metrics.queries, mAP: metrics.mAP, 'top-1': metrics.topK[1]!, 'top-5': metrics.topK[5]!, 'top-10': metrics.topK[10]!, 'detection recall': metrics.detectionRecall };
});
printSection({ title: `Person search on ${dataset.name}, ${path_}: ${dataset.queries.length} queries, detection threshold ${detectionThreshold}, pool ${pool} (baseline: student-only)`, rows });
const files = writeResults('person-search-eval', { dataset: dataset.name, path: path_, detectionThreshold, pool, seconds: (performance.now() - started) / 1000, rows }, barsSvg(`person-search mAP, ${dataset.name} (${path_})`, rows.map((row) => ({ label: row.ranking, value: row.mAP }))));
console.log(`\nwrote ${files.join(', ')}`);
