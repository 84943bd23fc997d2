// ingestFrames through HTTP, on PGlite and (with TEST_DATABASE_URL) Postgres:
// several frames in one transaction, each idempotent on its own key; all or
// none when any frame is refused (before the writes, or by the database in the
// middle of them); frames of another tenant refused; the rate limit charged
// per frame.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DeviceIngestFramesDocument, ImageDocument, IngestFrameDocument, type IngestFrameInput } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('ingestFrames (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  let aBlob: string;
  let bBlob: string;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, RATE_LIMIT_PER_MINUTE: '0' } });
    [a, b] = [await createTenantWithKeys(server, 'batch-a'), await createTenantWithKeys(server, 'batch-b')];
    aBlob = (await server.putBlob(await jpegImage(320, 240, 1), 'image/jpeg', a.device)).body.blobId as string;
    bBlob = (await server.putBlob(await jpegImage(320, 240, 2), 'image/jpeg', b.device)).body.blobId as string;
  });
  afterAll(() => server?.close());

  let counter = 0;
  const frame = (tenant: TenantKeys, overrides: Partial<IngestFrameInput> = {}): IngestFrameInput => ({
    idempotencyKey: `batch-${++counter}`,
    galleryId: tenant.galleryId,
    blobId: tenant === a ? aBlob : bBlob,
    capturedAt: '2026-01-01T10:00:00.000Z',
    modelId: FIXTURE_STUDENT_ID,
    detections: [
      { box: { x1: 10, y1: 20, x2: 60, y2: 200 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, counter)) },
      { box: { x1: 100, y1: 30, x2: 150, y2: 220 }, score: 0.8, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, counter + 1000)) },
    ],
    ...overrides,
  });

  /** A frame whose only box reaches past its 320-pixel-wide image. */
  const outsideTheImage = (tenant: TenantKeys) => frame(tenant, { detections: [{ box: { x1: 10, y1: 20, x2: 900, y2: 200 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 1)) }] });
  const rowCounts = () => server.app.db.asSystem(async (tx) => ({ images: await tx.image.count(), detections: await tx.detection.count() }));
  const ingest = (frames: IngestFrameInput[], credential = a.device) => server.gql(DeviceIngestFramesDocument, { input: { frames } }, credential);
  const errorField = (response: Awaited<ReturnType<typeof ingest>>) => (response.errors?.[0]?.extensions as { field?: string } | undefined)?.field;

  it('stores several frames in one request, answering each in the input order', async () => {
    const before = await rowCounts();
    const frames = [frame(a), frame(a), frame(a)];
    const response = await ingest(frames);
    expect(response.errors).toBeUndefined();
    const results = response.data!.ingestFrames.frames;
    expect(results.map((result) => result.duplicate)).toEqual([false, false, false]);
    expect(new Set(results.map((result) => result.image.id)).size).toBe(3);
    expect(await rowCounts()).toEqual({ images: before.images + 3, detections: before.detections + 6 });
    // Each answer is its own frame: the image read back holds that frame's detections.
    const second = await server.gql(ImageDocument, { id: results[1]!.image.id }, a.search);
    expect(second.data!.image.detections.map((d) => d.box)).toEqual([frames[1]!.detections[0]!.box, frames[1]!.detections[1]!.box]);
  });

  it('is idempotent per frame: a retried batch stores nothing twice, and a batch may mix stored and new frames', async () => {
    const frames = [frame(a), frame(a)];
    const first = (await ingest(frames)).data!.ingestFrames.frames;
    const before = await rowCounts();
    const retried = (await ingest(frames)).data!.ingestFrames.frames;
    expect(retried).toEqual(first.map((result) => ({ ...result, duplicate: true })));
    expect(await rowCounts()).toEqual(before);
    // A frame sent alone earlier (ingestFrame) and a new one.
    const single = frame(a);
    const alone = (await server.gql(IngestFrameDocument, { input: single }, a.device)).data!.ingestFrame.image.id;
    const mixed = (await ingest([single, frame(a)])).data!.ingestFrames.frames;
    expect(mixed.map((result) => result.duplicate)).toEqual([true, false]);
    expect(mixed[0]!.image.id).toBe(alone);
  });

  it('refuses the whole batch, naming the frame, when one frame breaks a rule; nothing is stored', async () => {
    const before = await rowCounts();
    const outside = outsideTheImage(a);
    const refused = await ingest([frame(a), outside, frame(a)]);
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    expect(errorField(refused)).toBe('input.frames[1].detections[0].box');
    const repeated = frame(a);
    const twice = await ingest([repeated, frame(a), repeated]);
    expect(errorCodes(twice)).toEqual(['BAD_USER_INPUT']);
    expect(errorField(twice)).toBe('input.frames[2].idempotencyKey');
    expect(errorField(await ingest([]))).toBe('input.frames');
    const tooMany = await ingest(Array.from({ length: 33 }, () => frame(a)));
    expect(errorCodes(tooMany)).toEqual(['BAD_USER_INPUT']);
    expect(tooMany.errors![0]!.message).toMatch(/33 frames; the limit is 32/);
    expect(await rowCounts()).toEqual(before);
  });

  it('rolls back the frames already written when the database refuses a later one', async () => {
    // A gallery id that names no gallery: only frame 1's insert finds that out, after frame 0 was written.
    const before = await rowCounts();
    const first = frame(a);
    const refused = await ingest([first, frame(a, { galleryId: '00000000-0000-4000-8000-00000000abcd' })]);
    expect(errorCodes(refused)).toEqual(['NOT_FOUND']);
    expect(await rowCounts()).toEqual(before);
    // frame 0 was rolled back: sent again, it is new.
    expect((await ingest([first])).data!.ingestFrames.frames[0]!.duplicate).toBe(false);
  });

  it('refuses a frame of another tenant (its gallery, its blob) and stores none of the batch', async () => {
    const before = await rowCounts();
    const intoA = await ingest([frame(b), frame(b, { galleryId: a.galleryId })], b.device);
    expect(errorCodes(intoA)).toEqual(['NOT_FOUND']);
    const withABlob = await ingest([frame(b), frame(b, { blobId: aBlob })], b.device);
    expect(errorCodes(withABlob)).toEqual(['NOT_FOUND']);
    expect(errorField(withABlob)).toBe('input.frames[1].blobId');
    // Frames are checked concurrently, yet the refusal names the first bad frame: frame 1's blob lookup
    // (a file read) answers after frame 2's box check.
    const outside = outsideTheImage(b);
    const twoBad = await ingest([frame(b), frame(b, { blobId: aBlob }), outside], b.device);
    expect(errorField(twoBad)).toBe('input.frames[1].blobId');
    expect(await rowCounts()).toEqual(before);
    // Nor may a SEARCH key ingest.
    expect(errorCodes(await ingest([frame(a)], a.search))).toEqual(['FORBIDDEN']);
  });
});

describe('ingestFrames and the rate limit', () => {
  let server: TestServer;
  let tenant: TenantKeys;
  let blobId: string;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ env: { ...models.env, RATE_LIMIT_PER_MINUTE: '10' } });
    tenant = await createTenantWithKeys(server, 'batch-limit');
    blobId = (await server.putBlob(await jpegImage(64, 64), 'image/jpeg', tenant.device)).body.blobId as string;
  });
  afterAll(() => server?.close());

  it('charges each frame of a batch as a request of the key', async () => {
    const frames = (count: number, prefix: string) => Array.from({ length: count }, (_, i) => ({
      idempotencyKey: `${prefix}-${i}`, galleryId: tenant.galleryId, blobId, capturedAt: '2026-01-01T10:00:00.000Z', modelId: FIXTURE_STUDENT_ID,
      detections: [{ box: { x1: 1, y1: 1, x2: 30, y2: 60 }, score: 0.9, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, i)) }],
    }));
    // 8 of the key's 10 requests this minute …
    const eight = await server.gql(DeviceIngestFramesDocument, { input: { frames: frames(8, 'eight') } }, tenant.device);
    expect(eight.errors).toBeUndefined();
    // … so a batch of 3 is refused whole, and nothing of it is stored.
    const three = await server.gql(DeviceIngestFramesDocument, { input: { frames: frames(3, 'three') } }, tenant.device);
    expect(errorCodes(three)).toEqual(['RATE_LIMITED']);
    expect(await server.app.db.asSystem((tx) => tx.image.count({ where: { idempotencyKey: { startsWith: 'three-' } } }))).toBe(0);
  });
});
