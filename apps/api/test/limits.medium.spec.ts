// Request limits and searchPerson input validation through HTTP: each bad
// field is named in a BAD_USER_INPUT (or PAYLOAD_TOO_LARGE) error, and
// nothing is written; query depth/complexity and the per-key rate limit.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { HealthDocument, IngestFrameDocument, SearchPersonDocument, ViewerDocument, type SearchPersonInput } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe('limits and search input validation (PGlite)', () => {
  let server: TestServer;
  let tenant: TenantKeys;
  let detectionId: string;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ env: { ...models.env, MAX_BODY_BYTES: '20000', MAX_QUERY_DEPTH: '6', RATE_LIMIT_PER_MINUTE: '1000' } });
    tenant = await createTenantWithKeys(server, 'limits');
    const blobId = (await server.putBlob(await jpegImage(100, 100), 'image/jpeg', tenant.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, {
      input: {
        idempotencyKey: 'l-1', galleryId: tenant.galleryId, blobId, capturedAt: '2026-03-01T00:00:00Z', modelId: FIXTURE_STUDENT_ID,
        detections: [{ box: { x1: 1, y1: 1, x2: 50, y2: 90 }, score: 0.5, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 4)) }],
      },
    }, tenant.device);
    detectionId = ingested.data!.ingestFrame.detections[0]!.id;
  });
  afterAll(() => server?.close());

  const byDetection = (overrides: Partial<SearchPersonInput>): SearchPersonInput => ({ query: { detectionId }, rerank: false, ...overrides });
  const badSearches: [string, () => SearchPersonInput, string][] = [
    ['topK above 200', () => byDetection({ topK: 201 }), 'input.topK'],
    ['topK zero', () => byDetection({ topK: 0 }), 'input.topK'],
    ['candidatePool above 2000', () => byDetection({ candidatePool: 2001 }), 'input.candidatePool'],
    ['malformed gallery id', () => byDetection({ galleryIds: ['nope'] }), 'input.galleryIds[0]'],
    ['inverted time window', () => byDetection({ capturedAfter: '2026-03-02T00:00:00Z', capturedBefore: '2026-03-01T00:00:00Z' }), 'input.capturedBefore'],
    ['bad DateTime', () => byDetection({ capturedAfter: 'last tuesday' }), 'input.capturedAfter'],
    ['two query kinds at once', () => ({ query: { detectionId, photo: { blobId: 'a'.repeat(64) } } as never }), 'input.query'],
    ['no query kind', () => ({ query: {} as never }), 'input.query'],
    ['embedding of another model', () => ({ query: { embedding: { modelId: 'other', embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 1)) } } }), 'input.query.embedding.modelId'],
    ['embedding of the wrong dimension', () => ({ query: { embedding: { modelId: FIXTURE_STUDENT_ID, embedding: b64(unitEmbedding(3, 1)) } } }), 'input.query.embedding.embedding'],
    ['embedding that is not base64', () => ({ query: { embedding: { modelId: FIXTURE_STUDENT_ID, embedding: '!!' } } }), 'input.query.embedding.embedding'],
    ['photo blob id that is not a hash', () => ({ query: { photo: { blobId: 'x' } } }), 'input.query.photo.blobId'],
  ];
  it.each(badSearches)('searchPerson rejects %s with BAD_USER_INPUT naming the field', async (_name, makeInput, field) => {
    const response = await server.gql(SearchPersonDocument, { input: makeInput() }, tenant.search);
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
    const error = response.errors![0]!;
    expect(`${error.extensions?.field ?? ''} ${error.message}`).toContain(field);
  });

  it('accepts the limits themselves (topK 200, candidatePool 2000)', async () => {
    const response = await server.gql(SearchPersonDocument, { input: byDetection({ topK: 200, candidatePool: 2000 }) }, tenant.search);
    expect(response.errors).toBeUndefined();
  });

  it('refuses a GraphQL body over MAX_BODY_BYTES with PAYLOAD_TOO_LARGE', async () => {
    const response = await server.post('{ health { ok } }', { padding: 'x'.repeat(30_000) }, tenant.admin);
    expect(response.status).toBe(413);
    expect(response.errors?.[0]?.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', field: 'body' });
  });

  it('refuses queries deeper than MAX_QUERY_DEPTH', async () => {
    const deep = '{ gallery(id: "x") { id } image(id: "x") { detections { image { detections { image { detections { id } } } } } } }';
    const response = await server.post(deep, {}, tenant.admin);
    expect(response.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0]?.message).toMatch(/depth 7 exceeds the limit of 6/);
  });

  it('masks unexpected errors as INTERNAL_SERVER_ERROR and keeps known codes', async () => {
    expect(errorCodes(await server.gql(ViewerDocument, {}, 'psk_short'))).toEqual(['UNAUTHENTICATED']);
    expect((await server.gql(HealthDocument, {})).data?.health.ok).toBe(true);
  });
});

describe('per-key rate limit (PGlite)', () => {
  it('answers RATE_LIMITED once a key exceeds RATE_LIMIT_PER_MINUTE, other keys unaffected', async () => {
    const server = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '5' } });
    try {
      const tenant = await createTenantWithKeys(server, 'rate');
      const codes: (string | undefined)[] = [];
      for (let i = 0; i < 7; i++) codes.push(errorCodes(await server.gql(ViewerDocument, {}, tenant.search))[0]);
      expect(codes.slice(0, 5)).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(codes.slice(5)).toEqual(['RATE_LIMITED', 'RATE_LIMITED']);
      expect(errorCodes(await server.gql(ViewerDocument, {}, tenant.device))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
