// Cross-tenant isolation and role rules, through HTTP, on PGlite and (when
// TEST_DATABASE_URL is set) Postgres: tenant B's keys against tenant A's ids
// get NOT_FOUND or FORBIDDEN on every query and mutation, and nothing of A's
// changes; DEVICE cannot search or administer, SEARCH cannot ingest, and a
// revoked key fails on its very next request.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ApiKeysDocument,
  AuditLogDocument,
  CreateApiKeyDocument,
  CreateGalleryDocument,
  CreateTenantDocument,
  DeleteGalleryDocument,
  DeleteImageDocument,
  DetectionDocument,
  GalleriesDocument,
  GalleryImagesDocument,
  GalleryDocument,
  ImageDocument,
  IngestFrameDocument,
  RegisterDeviceDocument,
  RevokeApiKeyDocument,
  SearchPersonDocument,
  SetGalleryRetentionDocument,
  UpdateGalleryDocument,
  ViewerDocument,
  type IngestFrameInput,
} from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, errorCodes, startTestServer, type GraphqlResponse, type TestServer } from './support/test-server.js';

console.log(`tenancy suite backends: ${backends().join(', ')}${process.env.TEST_DATABASE_URL ? '' : ' (set TEST_DATABASE_URL to add Postgres)'}`);

describe.each(backends())('tenancy and roles (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  let aImageId: string;
  let aDetectionId: string;
  let aBlobId: string;
  let bBlobId: string;
  let aDeviceKeyId: string;

  const frame = (tenant: TenantKeys, blobId: string, key: string): IngestFrameInput => ({
    idempotencyKey: key,
    galleryId: tenant.galleryId,
    blobId,
    capturedAt: '2026-02-01T08:00:00.000Z',
    modelId: FIXTURE_STUDENT_ID,
    detections: [{ box: { x1: 5, y1: 5, x2: 50, y2: 120 }, score: 0.7, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 9)) }],
  });

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    a = await createTenantWithKeys(server, 'tenant-a');
    b = await createTenantWithKeys(server, 'tenant-b');
    aBlobId = (await server.putBlob(await jpegImage(160, 160, 1), 'image/jpeg', a.device)).body.blobId as string;
    bBlobId = (await server.putBlob(await jpegImage(160, 160, 2), 'image/jpeg', b.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, { input: frame(a, aBlobId, 'a-1') }, a.device);
    aImageId = ingested.data!.ingestFrame.image.id;
    aDetectionId = ingested.data!.ingestFrame.detections[0]!.id;
    const keys = await server.gql(ApiKeysDocument, {}, a.admin);
    aDeviceKeyId = keys.data!.apiKeys.find((key) => key.role === 'DEVICE')!.id;
  });
  afterAll(() => server?.close());

  /** Everything of tenant A that an attack could change. */
  async function snapshotOfA() {
    return server.app.db.withTenant(a.tenantId, async (tx) => ({
      galleries: await tx.gallery.findMany({ orderBy: { id: 'asc' } }),
      images: await tx.image.findMany({ orderBy: { id: 'asc' } }),
      detections: await tx.detection.findMany({ orderBy: { id: 'asc' } }),
      keys: await tx.apiKey.findMany({ orderBy: { id: 'asc' } }),
      devices: await tx.device.count(),
    }));
  }

  const denied = (response: GraphqlResponse<unknown>) => {
    expect(response.data ?? null).toBeNull();
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(errorCodes(response)[0]);
  };

  it("gives NOT_FOUND or FORBIDDEN for every operation on another tenant's ids, changing nothing", async () => {
    const before = await snapshotOfA();
    const attacks: [string, () => Promise<GraphqlResponse<unknown>>][] = [
      ['gallery', () => server.gql(GalleryDocument, { id: a.galleryId }, b.admin)],
      ['image', () => server.gql(ImageDocument, { id: aImageId }, b.admin)],
      ['gallery images', () => server.gql(GalleryImagesDocument, { id: a.galleryId }, b.search)],
      ['detection', () => server.gql(DetectionDocument, { id: aDetectionId }, b.search)],
      ['updateGallery', () => server.gql(UpdateGalleryDocument, { input: { id: a.galleryId, name: 'pwned' } }, b.admin)],
      ['setGalleryRetention', () => server.gql(SetGalleryRetentionDocument, { input: { galleryId: a.galleryId, days: 1 } }, b.admin)],
      ['deleteGallery', () => server.gql(DeleteGalleryDocument, { id: a.galleryId }, b.admin)],
      ['deleteImage', () => server.gql(DeleteImageDocument, { id: aImageId }, b.admin)],
      ['revokeApiKey', () => server.gql(RevokeApiKeyDocument, { id: aDeviceKeyId }, b.admin)],
      ['createApiKey scoped to A gallery', () => server.gql(CreateApiKeyDocument, { input: { name: 'x', role: 'SEARCH', galleryIds: [a.galleryId] } }, b.admin)],
      ['ingestFrame into A gallery', () => server.gql(IngestFrameDocument, { input: frame(a, bBlobId, 'b-into-a') }, b.device)],
      ['ingestFrame with A blob', () => server.gql(IngestFrameDocument, { input: frame(b, aBlobId, 'b-with-a-blob') }, b.device)],
      ['searchPerson by A detection', () => server.gql(SearchPersonDocument, { input: { query: { detectionId: aDetectionId }, rerank: false } }, b.search)],
      ['searchPerson in A gallery', () => server.gql(SearchPersonDocument, { input: { query: { embedding: { modelId: FIXTURE_STUDENT_ID, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 9)) } }, galleryIds: [a.galleryId] } }, b.search)],
      ['searchPerson with A photo', () => server.gql(SearchPersonDocument, { input: { query: { photo: { blobId: aBlobId } } } }, b.search)],
    ];
    for (const [name, attack] of attacks) {
      const response = await attack();
      expect.soft(response.errors?.[0]?.extensions?.code, name).toMatch(/^(NOT_FOUND|FORBIDDEN)$/);
      denied(response);
    }
    // Lists only ever show the caller's own tenant.
    const galleries = await server.gql(GalleriesDocument, {}, b.admin);
    expect(galleries.data!.galleries.edges.map((edge) => edge.node.id)).toEqual([b.galleryId]);
    const audit = await server.gql(AuditLogDocument, { first: 100 }, b.admin);
    expect(audit.data!.auditLog.edges.every((edge) => !edge.node.target?.includes(a.galleryId))).toBe(true);
    // Search over everything B may see never returns A's detection.
    const search = await server.gql(SearchPersonDocument, { input: { query: { embedding: { modelId: FIXTURE_STUDENT_ID, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, 9)) } } } }, b.search);
    expect(search.data!.searchPerson.hits.map((hit) => hit.detection.id)).not.toContain(aDetectionId);
    // Stored images: B's key and a forged path get 404.
    const asB = await fetch(`${server.url}/v1/images/${a.tenantId}/${aImageId}`, { headers: { authorization: `Bearer ${b.admin}` } });
    expect(asB.status).toBe(404);
    const forged = await fetch(`${server.url}/v1/crops/${b.tenantId}/${aDetectionId}`, { headers: { authorization: `Bearer ${b.admin}` } });
    expect(forged.status).toBe(404);
    expect(await snapshotOfA()).toEqual(before);
  });

  it('enforces roles: DEVICE cannot search or administer, SEARCH cannot ingest, keys cannot create tenants', async () => {
    const query = { query: { detectionId: aDetectionId }, rerank: false };
    expect(errorCodes(await server.gql(SearchPersonDocument, { input: query }, a.device))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(CreateGalleryDocument, { input: { name: 'by-device' } }, a.device))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(CreateApiKeyDocument, { input: { name: 'k', role: 'ADMIN' } }, a.device))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(AuditLogDocument, {}, a.device))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(RegisterDeviceDocument, { input: { name: 'cam' } }, a.search))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(IngestFrameDocument, { input: frame(a, aBlobId, 'by-search') }, a.search))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(DeleteImageDocument, { id: aImageId }, a.search))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(CreateTenantDocument, { input: { name: 'x' } }, a.admin))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(CreateTenantDocument, { input: { name: 'x' } }))).toEqual(['UNAUTHENTICATED']);
    const search = await server.gql(SearchPersonDocument, { input: query }, a.search);
    expect(search.errors).toBeUndefined();
  });

  it('limits a gallery-scoped key to its galleries', async () => {
    const other = await server.gql(CreateGalleryDocument, { input: { name: 'a-other' } }, a.admin);
    const scoped = await server.gql(CreateApiKeyDocument, { input: { name: 'scoped', role: 'DEVICE', galleryIds: [other.data!.createGallery.id] } }, a.admin);
    const key = scoped.data!.createApiKey.secret;
    expect(errorCodes(await server.gql(IngestFrameDocument, { input: frame(a, aBlobId, 'scoped-1') }, key))).toEqual(['FORBIDDEN']);
    const inScope = await server.gql(IngestFrameDocument, { input: { ...frame(a, aBlobId, 'scoped-2'), galleryId: other.data!.createGallery.id } }, key);
    expect(inScope.errors).toBeUndefined();
    // DEVICE keys write frames but do not read them (apps/api/README.md, Roles).
    expect(errorCodes(await server.gql(ImageDocument, { id: aImageId }, key))).toEqual(['FORBIDDEN']);
  });

  it('fails a revoked key on its next request and audits the revocation', async () => {
    const issued = await server.gql(CreateApiKeyDocument, { input: { name: 'short-lived', role: 'SEARCH' } }, a.admin);
    const secret = issued.data!.createApiKey.secret;
    expect((await server.gql(ViewerDocument, {}, secret)).data?.viewer.role).toBe('SEARCH');
    const revoked = await server.gql(RevokeApiKeyDocument, { id: issued.data!.createApiKey.apiKey.id }, a.admin);
    expect(revoked.data!.revokeApiKey.revokedAt).toBeTruthy();
    expect(errorCodes(await server.gql(ViewerDocument, {}, secret))).toEqual(['UNAUTHENTICATED']);
    const upload = await server.putBlob(await jpegImage(32, 32, 3), 'image/jpeg', secret);
    expect(upload.status).toBe(401);
    const audit = await server.gql(AuditLogDocument, { first: 5 }, a.admin);
    expect(audit.data!.auditLog.edges[0]!.node).toMatchObject({ action: 'apiKey.revoke', target: `apiKey:${issued.data!.createApiKey.apiKey.id}` });
  });

  it('refuses a key revoked by another replica within the key cache bound (API_KEY_CACHE_SECONDS, at most 5 s)', async () => {
    const cacheMs = server.app.config.apiKeyCacheMs;
    expect(cacheMs).toBeGreaterThan(0);
    expect(cacheMs).toBeLessThanOrEqual(5000);
    const issued = await server.gql(CreateApiKeyDocument, { input: { name: 'revoked elsewhere', role: 'SEARCH' } }, a.admin);
    const secret = issued.data!.createApiKey.secret;
    // The first use caches the row: its cache entry is written between these two clock readings.
    const cachingSentAt = Date.now();
    expect((await server.gql(ViewerDocument, {}, secret)).data?.viewer.role).toBe('SEARCH');
    const cachingAnsweredAt = Date.now();
    // Another replica's revocation: the row changes, this process's cache is not told.
    await server.app.db.asSystem((tx) => tx.apiKey.updateMany({ where: { id: issued.data!.createApiKey.apiKey.id }, data: { revokedAt: new Date() } }));
    // Bounds follow the measured clock, not a fixed slack, so a slow request on a busy machine is no failure.
    const attempts: { sentAt: number; answeredAt: number; refused: boolean }[] = [];
    while (!attempts.at(-1)?.refused && Date.now() < cachingAnsweredAt + cacheMs + 10_000) {
      const sentAt = Date.now();
      const refused = errorCodes(await server.gql(ViewerDocument, {}, secret)).includes('UNAUTHENTICATED');
      attempts.push({ sentAt, answeredAt: Date.now(), refused });
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(attempts.at(-1)?.refused).toBe(true);
    // No request sent once the cached row is older than the bound is served with the revoked key.
    expect(attempts.filter((attempt) => !attempt.refused && attempt.sentAt >= cachingAnsweredAt + cacheMs)).toEqual([]);
    // The cache is live (default 5 s): requests answered before the row could have expired were still served from it.
    const beforeExpiry = attempts.filter((attempt) => attempt.answeredAt < cachingSentAt + cacheMs);
    expect(beforeExpiry.length).toBeGreaterThan(0);
    expect(beforeExpiry.filter((attempt) => attempt.refused)).toEqual([]);
  }, 30_000);
});
