// A student distilled into its teacher's space (manifest alignedWith): a bare
// student-embedding query (no crop for the teacher) is compared with the stored
// teacher vectors directly, so it is re-ranked too; an unaligned student's is
// not. Real teacher (the runtime's committed tiny embedder fixture, run by
// ONNX Runtime on real JPEG crops), manifest-only student, PGlite and Postgres.
import { cp, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { IngestFrameDocument, SearchPersonDocument } from '@person-search/schema';
import { cosineSimilarity } from '@person-search/model';
import { decodeImage, loadTeacher } from '@person-search/model/node';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/lib/config.js';
import { b64, createTenantWithKeys, jpegImage, unitEmbedding } from './support/fixtures.js';
import { backends, startTestServer, type TestServer } from './support/test-server.js';

const TEACHER_DIR = path.join(repoRoot, 'libs/model/test/fixtures/tiny-embedder');
const DIMENSION = 4;
const BOXES = [
  { x1: 0, y1: 0, x2: 60, y2: 120 },
  { x1: 80, y1: 10, x2: 150, y2: 170 },
  { x1: 160, y1: 20, x2: 230, y2: 175 },
];

async function modelsDir(alignedWith: string | undefined): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'aligned-models-'));
  await cp(TEACHER_DIR, path.join(dir, 'tiny-embedder'), { recursive: true });
  const student = {
    schemaVersion: 1, id: 'aligned-student', version: '1', role: 'student', family: 'end-to-end', file: 'model.onnx', sha256: 'a'.repeat(64),
    license: 'MIT', source: 'test fixture (manifest only)',
    input: { name: 'image', layout: 'NCHW', height: 64, width: 64, resize: { mode: 'stretch' }, colorOrder: 'RGB', scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
    output: { decoder: 'end-to-end', tensors: { boxes: 'boxes', scores: 'scores', embeddings: 'embeddings' }, personClass: 0, scoreThreshold: 0.3, iouThreshold: 0.5, maxDetections: 100 },
    embedding: { tensor: 'embeddings', dimension: DIMENSION, normalized: true },
    ...(alignedWith ? { alignedWith } : {}),
  };
  await mkdir(path.join(dir, 'aligned-student'));
  await writeFile(path.join(dir, 'aligned-student/manifest.json'), JSON.stringify(student));
  return dir;
}

describe.each(backends())('aligned student queries (%s)', (backend) => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    for (const server of servers) await server.close();
  });

  async function searchByEmbedding(alignedWith: string | undefined) {
    // The frame's teacher vectors are computed during the search (its first teacher use, session load included):
    // a budget no busy machine runs out of, as the budget is search-teacher-budget's concern.
    const server = await startTestServer({ backend, env: { MODELS_DIR: await modelsDir(alignedWith), STUDENT_MODEL_ID: 'aligned-student', TEACHER_MODEL_ID: 'tiny-embedder', SEARCH_TEACHER_BUDGET_MS: '60000' } });
    servers.push(server);
    const tenant = await createTenantWithKeys(server, `aligned-${alignedWith ?? 'none'}`);
    const frame = await jpegImage(240, 180, 7);
    const blobId = (await server.putBlob(frame, 'image/jpeg', tenant.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, {
      input: {
        idempotencyKey: 'frame', galleryId: tenant.galleryId, blobId, capturedAt: '2026-01-01T00:00:00.000Z', modelId: 'aligned-student',
        detections: BOXES.map((box, i) => ({ box, score: 0.9, embedding: b64(unitEmbedding(DIMENSION, i + 1)) })),
      },
    }, tenant.device);
    expect(ingested.errors).toBeUndefined();
    const query = unitEmbedding(DIMENSION, 42);
    const response = await server.gql(SearchPersonDocument, { input: { query: { embedding: { modelId: 'aligned-student', embedding: b64(query) } }, topK: 3 } }, tenant.search);
    expect(response.errors).toBeUndefined();
    return { result: response.data!.searchPerson, query, frame };
  }

  it('re-ranks a bare student embedding against the teacher vectors when the student is aligned with the active teacher', async () => {
    const { result, query, frame } = await searchByEmbedding('tiny-embedder');
    expect(result.stats.reranked).toBe(3);
    const teacher = await loadTeacher(TEACHER_DIR);
    const expected = await teacher.embedCrops(await decodeImage(frame), BOXES);
    await teacher.release();
    for (const hit of result.hits) {
      const i = BOXES.findIndex((box) => Math.abs(box.x1 - hit.detection.box.x1) < 1e-3 && Math.abs(box.y1 - hit.detection.box.y1) < 1e-3);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(hit.teacherScore).toBeCloseTo(cosineSimilarity(query, expected[i]!), 4);
      expect(hit.score).toBe(hit.teacherScore);
    }
    const scores = result.hits.map((hit) => hit.teacherScore!);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });

  it('leaves an unaligned student\'s bare embedding query un-re-ranked (different spaces)', async () => {
    const { result } = await searchByEmbedding(undefined);
    expect(result.stats.reranked).toBe(0);
    expect(result.hits.every((hit) => hit.teacherScore === null)).toBe(true);
  });
});
