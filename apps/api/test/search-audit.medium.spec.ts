// The search audit (issue 8, item 10), on PGlite and (with TEST_DATABASE_URL)
// Postgres: every searchPerson, successful or refused, leaves one row (who,
// which galleries, hits, latency, outcome); admins list them with
// searchAuditLog, a gallery-scoped admin only those within its scope, and no
// tenant ever sees another's (also checked under row-level security directly).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  CreateApiKeyDocument,
  CreateDeviceEnrolmentDocument,
  CreateGalleryDocument,
  EnrolDeviceDocument,
  IngestFrameDocument,
  RegisterDeviceDocument,
  SearchAuditLogDocument,
  SearchPersonDocument,
  ViewerDocument,
} from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, jpegImage, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { oneDetectionFrame } from './support/frame-input.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('search audit (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  let aDetectionId: string;
  let bDetectionId: string;
  let aOtherGallery: string;
  let scopedSearch: string;
  let scopedAdmin: string;

  async function ingest(tenant: TenantKeys, galleryId: string, seed: number): Promise<string> {
    const blobId = (await server.putBlob(await jpegImage(64, 64, seed), 'image/jpeg', tenant.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, { input: oneDetectionFrame({ idempotencyKey: `frame-${seed}`, galleryId, blobId, seed }) }, tenant.device);
    return ingested.data!.ingestFrame.detections[0]!.id;
  }
  const search = (detectionId: string, key: string, galleryIds?: string[]) =>
    server.gql(SearchPersonDocument, { input: { query: { detectionId }, rerank: false, topK: 5, ...(galleryIds ? { galleryIds } : {}) } }, key);
  const keyId = async (secret: string) => (await server.gql(ViewerDocument, {}, secret)).data!.viewer.key.id;
  const auditRows = async (admin: string) => (await server.gql(SearchAuditLogDocument, { first: 50 }, admin)).data!.searchAuditLog.edges.map((edge) => edge.node);
  /** The log is newest first by creation time (millisecond precision: two searches in one millisecond may come in either order). */
  const expectNewestFirst = (rows: { createdAt: string }[]) => {
    const times = rows.map((row) => Date.parse(row.createdAt));
    expect(times).toEqual([...times].sort((x, y) => y - x));
  };

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    a = await createTenantWithKeys(server, 'audit-a');
    b = await createTenantWithKeys(server, 'audit-b');
    aOtherGallery = (await server.gql(CreateGalleryDocument, { input: { name: 'audit-a-2' } }, a.admin)).data!.createGallery.id;
    aDetectionId = await ingest(a, a.galleryId, 1);
    await ingest(a, aOtherGallery, 2);
    bDetectionId = await ingest(b, b.galleryId, 3);
    const mint = async (role: 'SEARCH' | 'ADMIN') =>
      (await server.gql(CreateApiKeyDocument, { input: { name: `scoped ${role}`, role, galleryIds: [a.galleryId] } }, a.admin)).data!.createApiKey.secret;
    scopedSearch = await mint('SEARCH');
    scopedAdmin = await mint('ADMIN');
  });
  afterAll(() => server?.close());

  it('records every search with who, galleries, hits, latency and outcome', async () => {
    const found = await search(aDetectionId, a.search);
    expect(found.errors).toBeUndefined();
    expect(errorCodes(await search(aDetectionId, a.device))).toEqual(['FORBIDDEN']);
    expect((await search(aDetectionId, scopedSearch)).errors).toBeUndefined();

    const rows = await auditRows(a.admin);
    expect(rows).toHaveLength(3);
    expectNewestFirst(rows);
    // Told apart by key, not position, and in the order they were made.
    const rowOf = async (secret: string) => {
      const id = await keyId(secret);
      return rows.find((row) => row.actorKeyId === id);
    };
    const [ok, refused, scoped] = [await rowOf(a.search), await rowOf(a.device), await rowOf(scopedSearch)];
    expect(Date.parse(ok!.createdAt)).toBeLessThanOrEqual(Date.parse(refused!.createdAt));
    expect(Date.parse(refused!.createdAt)).toBeLessThanOrEqual(Date.parse(scoped!.createdAt));
    expect(ok).toMatchObject({ actorKeyId: await keyId(a.search), deviceId: null, galleryIds: null, hits: found.data!.searchPerson.hits.length, outcome: 'OK' });
    expect(ok!.hits).toBeGreaterThan(0);
    expect(ok!.latencyMs).toBeGreaterThan(0);
    expect(refused).toMatchObject({ actorKeyId: await keyId(a.device), hits: 0, outcome: 'FORBIDDEN' });
    expect(scoped).toMatchObject({ actorKeyId: await keyId(scopedSearch), galleryIds: [a.galleryId], outcome: 'OK' });
  });

  it('records an enrolled device as the searcher when it searches with its access token', async () => {
    const device = await server.gql(RegisterDeviceDocument, { input: { name: 'search kiosk', role: 'SEARCH', galleryIds: [a.galleryId] } }, a.admin);
    const deviceId = device.data!.registerDevice.id;
    const enrolment = await server.gql(CreateDeviceEnrolmentDocument, { input: { deviceId } }, a.admin);
    const session = await server.gql(EnrolDeviceDocument, { code: enrolment.data!.createDeviceEnrolment.code }, undefined);
    expect((await search(aDetectionId, session.data!.enrolDevice.accessToken)).errors).toBeUndefined();
    const [newest] = await auditRows(a.admin);
    expect(newest).toMatchObject({ actorKeyId: null, deviceId, galleryIds: [a.galleryId], outcome: 'OK' });
  });

  it('shows a scoped admin only searches within its scope, and refuses other roles', async () => {
    expect((await search(aDetectionId, a.search, [aOtherGallery])).errors).toBeUndefined();
    const visible = await auditRows(scopedAdmin);
    expect(visible.length).toBeGreaterThan(0);
    expect(visible.every((row) => row.galleryIds?.length === 1 && row.galleryIds[0] === a.galleryId)).toBe(true);
    expect(errorCodes(await server.gql(SearchAuditLogDocument, { first: 5 }, a.search))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(SearchAuditLogDocument, { first: 5 }, a.device))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(SearchAuditLogDocument, { first: 5 }))).toEqual(['UNAUTHENTICATED']);
  });

  it('never shows one tenant the searches of another (API and row-level security)', async () => {
    expect((await search(bDetectionId, b.search)).errors).toBeUndefined();
    // B searching for A's detection is NOT_FOUND, and audited as B's.
    expect(errorCodes(await search(aDetectionId, b.search))).toEqual(['NOT_FOUND']);
    const bRows = await auditRows(b.admin);
    const bSearchKey = await keyId(b.search);
    expectNewestFirst(bRows);
    expect(bRows.map((row) => [row.actorKeyId, row.outcome]).sort()).toEqual([[bSearchKey, 'NOT_FOUND'], [bSearchKey, 'OK']]);
    const madeAt = (outcome: string) => Date.parse(bRows.find((row) => row.outcome === outcome)!.createdAt);
    expect(madeAt('OK')).toBeLessThanOrEqual(madeAt('NOT_FOUND'));
    const aKeys = new Set(await Promise.all([a.search, a.device, scopedSearch].map(keyId)));
    // A's rows name A's keys, or (the kiosk test above) A's device.
    expect((await auditRows(a.admin)).every((row) => (row.actorKeyId ? aKeys.has(row.actorKeyId) : row.deviceId !== null))).toBe(true);

    const underRls = await server.app.db.withTenant(b.tenantId, (tx) => tx.searchAuditEntry.findMany());
    expect(underRls.map((row) => row.tenantId)).toEqual([b.tenantId, b.tenantId]);
    // A cursor from A's log does not open B's rows either.
    const aFirst = await server.gql(SearchAuditLogDocument, { first: 1 }, a.admin);
    const crossed = await server.gql(SearchAuditLogDocument, { first: 50, after: aFirst.data!.searchAuditLog.pageInfo.endCursor }, b.admin);
    expect(crossed.data!.searchAuditLog.edges.every((edge) => edge.node.actorKeyId === bSearchKey)).toBe(true);
  });
});
