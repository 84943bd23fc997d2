// The whole path on real data with the real default models, through HTTP:
// operator creates a tenant → admin creates keys and a gallery → the "edge"
// (this test, running the real student) uploads MOT17-mini frames and ingests
// the student's detections → the worker computes teacher vectors →
// searchPerson by detectionId and by query photo. For people in a sequence's
// first frame, the same identity in the next frame should rank first: the
// rank-1 rate is printed for student-only and teacher re-ranked search.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { embeddingToBase64, iou, type Box } from '@person-search/model';
import { decodeImage, loadStudent } from '@person-search/model/node';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, IngestFrameDocument, ModelsDocument, SearchPersonDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/lib/config.js';
import { missing, mot17Dir, readSequences, type GroundTruthBox } from './support/shared-data.js';
import { OPERATOR_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const modelsDir = process.env.MODELS_DIR ?? path.join(repoRoot, '.models');
const skipReason = missing(mot17Dir, path.join(modelsDir, 'default-student/manifest.json'), path.join(modelsDir, 'default-teacher/manifest.json'));
if (skipReason) console.log(`whole-path suite skipped: ${skipReason}${existsSync(mot17Dir) ? ' (build the default models with `npm run models`)' : ''}`);

/** Detections matched to ground truth identities (IoU ≥ 0.5), per ingested frame. */
interface IngestedFrame {
  blobId: string;
  capturedAt: string;
  people: { detectionId: string; box: Box; identity: number | null }[];
}

const MATCH_IOU = 0.5;
const MAX_QUERIES_PER_SEQUENCE = 12;

function identityOf(box: Box, truth: GroundTruthBox[]): number | null {
  let best: GroundTruthBox | null = null;
  let bestIou = MATCH_IOU;
  for (const candidate of truth) {
    const overlap = iou(box, candidate.box);
    if (overlap >= bestIou) [best, bestIou] = [candidate, overlap];
  }
  return best?.identity ?? null;
}

describe.skipIf(skipReason !== null)('whole path on MOT17-mini with the default student and teacher (PGlite)', () => {
  let server: TestServer;
  let deviceKey: string;
  let searchKey: string;
  const sequences: { name: string; first: IngestedFrame; next: IngestedFrame }[] = [];

  beforeAll(async () => {
    server = await startTestServer({ env: { MODELS_DIR: modelsDir } });
    const tenant = await server.gql(CreateTenantDocument, { input: { name: 'mot17' } }, OPERATOR_TOKEN);
    const admin = tenant.data!.createTenant.adminKey.secret;
    const gallery = (await server.gql(CreateGalleryDocument, { input: { name: 'street' } }, admin)).data!.createGallery.id;
    deviceKey = (await server.gql(CreateApiKeyDocument, { input: { name: 'cam', role: 'DEVICE', galleryIds: [gallery] } }, admin)).data!.createApiKey.secret;
    searchKey = (await server.gql(CreateApiKeyDocument, { input: { name: 'desk', role: 'SEARCH' } }, admin)).data!.createApiKey.secret;
    const models = (await server.gql(ModelsDocument, {}, deviceKey)).data!.models;
    expect(models.student?.manifestUrl).toMatch(/\/models\/default-student\/manifest\.json$/);

    // The edge's part, with the same student the API serves.
    const student = await loadStudent(path.join(modelsDir, 'default-student'));
    try {
      let sequenceIndex = 0;
      for (const sequence of await readSequences()) {
        const frames: IngestedFrame[] = [];
        for (const [frameIndex, frame] of sequence.frames.slice(0, 2).entries()) {
          const bytes = await readFile(frame.file);
          const blobId = (await server.putBlob(bytes, 'image/jpeg', deviceKey)).body.blobId as string;
          const detections = await student.detectPeople(await decodeImage(bytes));
          const capturedAt = new Date(Date.UTC(2026, 5, 1, sequenceIndex, 0, frameIndex)).toISOString();
          const response = await server.gql(IngestFrameDocument, {
            input: {
              idempotencyKey: `${sequence.name}/${frame.index}`, galleryId: gallery, blobId, capturedAt, modelId: student.manifest.id,
              detections: detections.map((d) => ({ box: d.box, score: d.score, embedding: embeddingToBase64(d.embedding!) })),
            },
          }, deviceKey);
          expect(response.errors).toBeUndefined();
          const truth = sequence.groundTruth.filter((gt) => gt.frame === frame.index);
          frames.push({
            blobId,
            capturedAt,
            people: response.data!.ingestFrame.detections.map((d) => ({ detectionId: d.id, box: d.box, identity: identityOf(d.box, truth) })),
          });
        }
        sequences.push({ name: sequence.name, first: frames[0]!, next: frames[1]! });
        sequenceIndex += 1;
      }
    } finally {
      await student.release();
    }
    // The worker's part: teacher vectors for everything ingested.
    let embedded = 0;
    for (let n = await server.app.worker.runOnce(); n > 0; n = await server.app.worker.runOnce()) embedded += n;
    console.log(`whole path: ingested ${sequences.length * 2} frames, ${embedded} detections embedded by the teacher`);
  });
  afterAll(() => server?.close());

  /** Rank-1 identity rate of queries from the first frame against the next frame. */
  async function rankOneRate(
    rerank: boolean,
    queryOf: (person: IngestedFrame['people'][number], first: IngestedFrame) => Record<string, unknown>,
    scope: 'next frame' | 'whole gallery' = 'next frame',
  ) {
    let queries = 0;
    let correct = 0;
    const stages = { annMs: 0, teacherMs: 0, totalMs: 0 };
    for (const { first, next } of sequences) {
      const identitiesNext = new Set(next.people.map((p) => p.identity).filter((id) => id !== null));
      const askable = first.people.filter((p) => p.identity !== null && identitiesNext.has(p.identity)).slice(0, MAX_QUERIES_PER_SEQUENCE);
      for (const person of askable) {
        const response = await server.gql(SearchPersonDocument, {
          input: {
            query: queryOf(person, first) as never,
            ...(scope === 'next frame' ? { capturedAfter: next.capturedAt, capturedBefore: next.capturedAt } : {}),
            topK: 1,
            candidatePool: 100,
            rerank,
          },
        }, searchKey);
        expect(response.errors).toBeUndefined();
        const top = response.data!.searchPerson.hits[0];
        const topIdentity = next.people.find((p) => p.detectionId === top?.detection.id)?.identity;
        queries += 1;
        if (topIdentity === person.identity) correct += 1;
        const stats = response.data!.searchPerson.stats;
        stages.annMs += stats.annMs;
        stages.teacherMs += stats.teacherMs;
        stages.totalMs += stats.totalMs;
      }
    }
    return { queries, rate: correct / Math.max(1, queries), meanMs: { ann: stages.annMs / queries, teacher: stages.teacherMs / queries, total: stages.totalMs / queries } };
  }

  it('ranks the same identity in the next frame first for most queries by detectionId', async () => {
    const studentOnly = await rankOneRate(false, (person) => ({ detectionId: person.detectionId }));
    const reranked = await rankOneRate(true, (person) => ({ detectionId: person.detectionId }));
    const format = (r: typeof studentOnly) => `${(r.rate * 100).toFixed(1)}% of ${r.queries} (mean ms: ann ${r.meanMs.ann.toFixed(1)}, teacher ${r.meanMs.teacher.toFixed(1)}, total ${r.meanMs.total.toFixed(1)})`;
    console.log(`next-frame rank-1 by detectionId: student-only ${format(studentOnly)}; re-ranked ${format(reranked)}`);
    // Harder: no time window, so all 14 frames (the query's frame-mates included) compete.
    const wholeStudent = await rankOneRate(false, (person) => ({ detectionId: person.detectionId }), 'whole gallery');
    const wholeReranked = await rankOneRate(true, (person) => ({ detectionId: person.detectionId }), 'whole gallery');
    console.log(`rank-1 over the whole gallery (no time window): student-only ${format(wholeStudent)}; re-ranked ${format(wholeReranked)}`);
    expect(reranked.queries).toBeGreaterThan(20);
    expect(reranked.rate).toBeGreaterThan(0.5);
  });

  it('finds the person of a query photo (uploaded frame + box) in the next frame', async () => {
    const byPhoto = await rankOneRate(true, (person, first) => ({ photo: { blobId: first.blobId, box: person.box } }));
    console.log(`next-frame rank-1 by query photo (re-ranked): ${(byPhoto.rate * 100).toFixed(1)}% of ${byPhoto.queries}`);
    expect(byPhoto.rate).toBeGreaterThan(0.5);
  });

  it('serves the active student to edges at the URLs the models query gives, byte-identical to its sha256', async () => {
    const { student, teacher } = (await server.gql(ModelsDocument, {}, deviceKey)).data!.models;
    expect(teacher).toMatchObject({ id: 'default-teacher', manifestUrl: null, modelUrl: null });
    const manifest = await (await fetch(student!.manifestUrl!)).json();
    const bytes = new Uint8Array(await (await fetch(student!.modelUrl!)).arrayBuffer());
    expect(manifest.id).toBe(student!.id);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(student!.sha256);
    expect((await fetch(`${server.url}/models/default-teacher/model.onnx`)).status).toBe(404);
  });

  it('searches by a photo alone (largest person) and by a bare student embedding', async () => {
    const { first, next } = sequences[0]!;
    const byPhoto = await server.gql(SearchPersonDocument, { input: { query: { photo: { blobId: first.blobId } }, topK: 3 } }, searchKey);
    expect(byPhoto.errors).toBeUndefined();
    expect(byPhoto.data!.searchPerson.queryBox).not.toBeNull();
    expect(byPhoto.data!.searchPerson.hits[0]!.teacherScore).not.toBeNull();
    const embedding = await server.app.db.asSystem((tx) => tx.$queryRaw<{ e: string }[]>`SELECT student_embedding::text AS e FROM detections WHERE id = ${next.people[0]!.detectionId}::uuid`);
    const vector = Float32Array.from(JSON.parse(embedding[0]!.e) as number[]);
    const byEmbedding = await server.gql(SearchPersonDocument, { input: { query: { embedding: { modelId: 'default-student', embedding: embeddingToBase64(vector) } }, topK: 1 } }, searchKey);
    // A bare embedding has no crop for the teacher: it is re-ranked only by a student distilled into the
    // teacher's space (manifest alignedWith), against the stored teacher vectors; otherwise by student score alone.
    const aligned = JSON.parse(await readFile(path.join(modelsDir, 'default-student/manifest.json'), 'utf8')).alignedWith === 'default-teacher';
    if (aligned) {
      expect(byEmbedding.data!.searchPerson.stats.reranked).toBeGreaterThan(0);
      expect(byEmbedding.data!.searchPerson.hits[0]!.teacherScore).not.toBeNull();
    } else {
      expect(byEmbedding.data!.searchPerson.hits[0]).toMatchObject({ studentScore: expect.closeTo(1, 4), teacherScore: null, detection: { id: next.people[0]!.detectionId } });
      expect(byEmbedding.data!.searchPerson.stats.reranked).toBe(0);
    }
  });
});
