// Blob upload and ingestFrame through HTTP, on PGlite and (with
// TEST_DATABASE_URL) Postgres, where concurrent retries really race: the happy
// path, idempotency (sequential and concurrent), per-field validation that
// leaves the database unchanged, retention and deletion.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateGalleryDocument,
  DeleteGalleryDocument,
  DeleteImageDocument,
  DetectionDocument,
  ImageDocument,
  IngestFrameDocument,
  SearchPersonDocument,
  SetGalleryRetentionDocument,
  type IngestFrameInput,
} from '@person-search/schema';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('blobs and ingestFrame (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;
  let blobId: string;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, MAX_IMAGE_BYTES: '200000', MAX_IMAGE_PIXELS: '1000000' } });
    tenant = await createTenantWithKeys(server, 'ingest');
    const upload = await server.putBlob(await jpegImage(320, 240), 'image/jpeg', tenant.device);
    expect(upload.status).toBe(201);
    blobId = upload.body.blobId as string;
  });
  afterAll(() => server?.close());

  const frame = (overrides: Partial<IngestFrameInput> = {}): IngestFrameInput => ({
    idempotencyKey: `frame-${Math.random()}`,
    galleryId: tenant.galleryId,
    blobId,
    capturedAt: '2026-01-01T10:00:00.000Z',
    modelId: FIXTURE_STUDENT_ID,
    detections: [
      { box: { x1: 10, y1: 20, x2: 60, y2: 200 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 1)) },
      { box: { x1: 100, y1: 30, x2: 150, y2: 220 }, score: 0.8, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 2)) },
    ],
    ...overrides,
  });

  async function rowCounts() {
    return server.app.db.asSystem(async (tx) => ({ images: await tx.image.count(), detections: await tx.detection.count() }));
  }

  it('uploads a JPEG and reports its size and hash', async () => {
    const upload = await server.putBlob(await jpegImage(320, 240), 'image/jpeg', tenant.device);
    expect(upload.body).toMatchObject({ blobId, width: 320, height: 240, contentType: 'image/jpeg' });
    expect(blobId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ingests a frame with its detections in one go and serves them back', async () => {
    const response = await server.gql(IngestFrameDocument, { input: frame() }, tenant.device);
    expect(response.errors).toBeUndefined();
    const ingested = response.data!.ingestFrame;
    expect(ingested.duplicate).toBe(false);
    expect(ingested.detections).toHaveLength(2);
    expect(ingested.detections[0]).toMatchObject({ score: expect.closeTo(0.9, 5), teacherStatus: 'PENDING', studentModelId: FIXTURE_STUDENT_ID });
    const image = await server.gql(ImageDocument, { id: ingested.image.id }, tenant.search);
    expect(image.data!.image.detections.map((d) => d.id).sort()).toEqual(ingested.detections.map((d) => d.id).sort());
    const detection = await server.gql(DetectionDocument, { id: ingested.detections[0]!.id }, tenant.admin);
    expect(detection.data!.detection.box).toEqual({ x1: 10, y1: 20, x2: 60, y2: 200 });
    // Signed URLs work without a key and serve the real bytes / a JPEG crop of the box.
    const imageResponse = await fetch(image.data!.image.url);
    expect(imageResponse.headers.get('content-type')).toBe('image/jpeg');
    const crop = await fetch(detection.data!.detection.cropUrl);
    expect(crop.status).toBe(200);
    // Change the signature's first character to a different one (a fixed 'A' left it unchanged 1 time in 64).
    const tamperedUrl = detection.data!.detection.cropUrl.replace(/signature=(.)/, (_, first: string) => `signature=${first === 'A' ? 'B' : 'A'}`);
    expect(tamperedUrl).not.toBe(detection.data!.detection.cropUrl);
    const tampered = await fetch(tamperedUrl);
    expect(tampered.status).toBe(404);
  });

  it('is idempotent on the idempotency key, sequentially and concurrently', async () => {
    const before = await rowCounts();
    const input = frame({ idempotencyKey: 'same-key-sequential' });
    const first = await server.gql(IngestFrameDocument, { input }, tenant.device);
    const second = await server.gql(IngestFrameDocument, { input }, tenant.device);
    expect(second.data!.ingestFrame).toMatchObject({ duplicate: true, image: { id: first.data!.ingestFrame.image.id } });
    const concurrent = frame({ idempotencyKey: 'same-key-concurrent' });
    const results = await Promise.all([1, 2, 3, 4].map(() => server.gql(IngestFrameDocument, { input: concurrent }, tenant.device)));
    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    expect(new Set(results.map((result) => result.data!.ingestFrame.image.id)).size).toBe(1);
    expect(results.filter((result) => !result.data!.ingestFrame.duplicate)).toHaveLength(1);
    expect(await rowCounts()).toEqual({ images: before.images + 2, detections: before.detections + 4 });
  });

  const badFrames: [string, () => IngestFrameInput, string][] = [
    ['idempotencyKey', () => frame({ idempotencyKey: '' }), 'input.idempotencyKey'],
    ['blobId', () => frame({ blobId: 'not-a-hash' }), 'input.blobId'],
    ['modelId', () => frame({ modelId: 'some-other-model' }), 'input.modelId'],
    ['capturedAt', () => frame({ capturedAt: 'yesterday' }), 'input.capturedAt'],
    ['box outside the image', () => frame({ detections: [{ ...frame().detections[0]!, box: { x1: 10, y1: 10, x2: 400, y2: 100 } }] }), 'input.detections[0].box'],
    ['inverted box', () => frame({ detections: [frame().detections[0]!, { ...frame().detections[0]!, box: { x1: 50, y1: 10, x2: 20, y2: 100 } }] }), 'input.detections[1].box'],
    ['score', () => frame({ detections: [{ ...frame().detections[0]!, score: 1.5 }] }), 'input.detections[0].score'],
    ['embedding dimension', () => frame({ detections: [{ ...frame().detections[0]!, embedding: b64(unitEmbedding(FIXTURE_DIMENSION + 1, 3)) }] }), 'input.detections[0].embedding'],
    ['non-finite embedding', () => frame({ detections: [{ ...frame().detections[0]!, embedding: b64(Float32Array.of(...unitEmbedding(FIXTURE_DIMENSION - 1, 3), Number.NaN)) }] }), 'input.detections[0].embedding'],
    ['embedding not base64', () => frame({ detections: [{ ...frame().detections[0]!, embedding: '%%%' }] }), 'input.detections[0].embedding'],
    ['detection count', () => frame({ detections: Array.from({ length: 101 }, () => frame().detections[0]!) }), 'input.detections'],
  ];
  it.each(badFrames)('rejects a bad %s with BAD_USER_INPUT naming the field, storing nothing', async (_name, makeFrame, field) => {
    const before = await rowCounts();
    const response = await server.gql(IngestFrameDocument, { input: makeFrame() }, tenant.device);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    expect(response.errors![0]!.extensions!.field ?? response.errors![0]!.message).toContain(field);
    expect(await rowCounts()).toEqual(before);
  });

  it('answers NOT_FOUND naming the field for a blob that was never uploaded', async () => {
    const response = await server.gql(IngestFrameDocument, { input: frame({ blobId: 'f'.repeat(64) }) }, tenant.device);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', field: 'input.blobId' });
  });

  it('rejects bad uploads per field: content type, size, pixels, undecodable bytes', async () => {
    const jpeg = await jpegImage(64, 64, 5);
    const wrongType = await server.putBlob(jpeg, 'image/gif', tenant.device);
    expect(wrongType).toMatchObject({ status: 400, body: { error: { code: 'BAD_USER_INPUT', field: 'Content-Type' } } });
    const mismatch = await server.putBlob(jpeg, 'image/png', tenant.device);
    expect(mismatch.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'Content-Type' } });
    const garbage = await server.putBlob(new Uint8Array(1000).fill(7), 'image/jpeg', tenant.device);
    expect(garbage.body).toMatchObject({ error: { code: 'BAD_USER_INPUT', field: 'body' } });
    const huge = await server.putBlob(new Uint8Array(300_000), 'image/jpeg', tenant.device);
    expect(huge).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE', field: 'body' } } });
    // A flat 1200x1000 JPEG: few bytes, too many pixels.
    const flat = await sharp({ create: { width: 1200, height: 1000, channels: 3, background: '#808080' } }).jpeg().toBuffer();
    const tooManyPixels = await server.putBlob(flat, 'image/jpeg', tenant.device);
    expect(tooManyPixels.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE', field: 'pixels' } });
    const anonymous = await server.putBlob(jpeg, 'image/jpeg');
    expect(anonymous.body).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  });

  it('searches by stored detection with the student only (the manifest-only teacher cannot re-rank)', async () => {
    const ingested = await server.gql(IngestFrameDocument, { input: frame() }, tenant.device);
    const query = ingested.data!.ingestFrame.detections[0]!.id;
    const response = await server.gql(SearchPersonDocument, { input: { query: { detectionId: query }, rerank: false, topK: 5 } }, tenant.search);
    expect(response.errors).toBeUndefined();
    const hits = response.data!.searchPerson.hits;
    expect(hits.length).toBeGreaterThan(0);
    // Earlier frames stored the same embedding (seed 1): exact matches rank first.
    expect(hits[0]!.studentScore).toBeCloseTo(1, 4);
    expect(hits.map((hit) => hit.detection.id)).not.toContain(query);
    expect(response.data!.searchPerson.stats.candidates).toBeGreaterThanOrEqual(hits.length);
    // The hit fields come from the search's own read (primed loaders): the same as reading each detection alone,
    // except the signed URLs' signatures; one search-audit row per search.
    const unsigned = (url: string) => url.replace(/[?].*$/, '');
    const alone = (id: string) => server.gql(DetectionDocument, { id }, tenant.search).then((one) => one.data!.detection);
    for (const hit of hits) {
      const expected = await alone(hit.detection.id);
      expect({ ...hit.detection, cropUrl: unsigned(hit.detection.cropUrl), image: { ...hit.detection.image, url: unsigned(hit.detection.image.url) } })
        .toEqual({ ...expected, cropUrl: unsigned(expected.cropUrl), image: { ...expected.image, url: unsigned(expected.image.url) } });
    }
  });

  it('deletes frames past their gallery retention, with detections and blobs (sweeper)', async () => {
    const gallery = (await server.gql(CreateGalleryDocument, { input: { name: 'short-memory' } }, tenant.admin)).data!.createGallery;
    await server.gql(SetGalleryRetentionDocument, { input: { galleryId: gallery.id, days: 1 } }, tenant.admin);
    const oldBlob = (await server.putBlob(await jpegImage(320, 240, 40), 'image/jpeg', tenant.device)).body.blobId as string;
    const old = await server.gql(IngestFrameDocument, { input: frame({ galleryId: gallery.id, blobId: oldBlob, capturedAt: new Date(Date.now() - 3 * 86400_000).toISOString() }) }, tenant.device);
    const fresh = await server.gql(IngestFrameDocument, { input: frame({ galleryId: gallery.id, capturedAt: new Date().toISOString() }) }, tenant.device);
    expect(await server.app.sweeper.runOnce()).toEqual({ images: 1, blobs: 1 });
    expect(errorCodes(await server.gql(ImageDocument, { id: old.data!.ingestFrame.image.id }, tenant.admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await server.gql(DetectionDocument, { id: old.data!.ingestFrame.detections[0]!.id }, tenant.admin))).toEqual(['NOT_FOUND']);
    expect(await server.app.blobs.info(tenant.tenantId, oldBlob)).toBeNull();
    expect((await server.gql(ImageDocument, { id: fresh.data!.ingestFrame.image.id }, tenant.admin)).errors).toBeUndefined();
  });

  it('deleteImage and deleteGallery remove detections, vectors and unshared blobs', async () => {
    const gallery = (await server.gql(CreateGalleryDocument, { input: { name: 'doomed' } }, tenant.admin)).data!.createGallery;
    const ownBlob = (await server.putBlob(await jpegImage(320, 240, 41), 'image/jpeg', tenant.device)).body.blobId as string;
    const first = await server.gql(IngestFrameDocument, { input: frame({ galleryId: gallery.id, blobId: ownBlob }) }, tenant.device);
    const second = await server.gql(IngestFrameDocument, { input: frame({ galleryId: gallery.id }) }, tenant.device);
    expect((await server.gql(DeleteImageDocument, { id: first.data!.ingestFrame.image.id }, tenant.admin)).data!.deleteImage.deleted).toBe(true);
    expect(await server.app.blobs.info(tenant.tenantId, ownBlob)).toBeNull();
    expect(errorCodes(await server.gql(DetectionDocument, { id: first.data!.ingestFrame.detections[0]!.id }, tenant.admin))).toEqual(['NOT_FOUND']);
    expect((await server.gql(DeleteGalleryDocument, { id: gallery.id }, tenant.admin)).data!.deleteGallery.deleted).toBe(true);
    expect(errorCodes(await server.gql(ImageDocument, { id: second.data!.ingestFrame.image.id }, tenant.admin))).toEqual(['NOT_FOUND']);
    // The shared blob is still used by frames of the main gallery: kept.
    expect(await server.app.blobs.info(tenant.tenantId, blobId)).not.toBeNull();
  });
});
