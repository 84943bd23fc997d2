// Gallery scope for ADMIN keys (issue 8, item 5), through HTTP on PGlite and
// (with TEST_DATABASE_URL) Postgres: an admin key limited to gallery g1 acts
// only on g1, mints keys only within g1, sees only keys and audit rows within
// g1, and cannot touch g2 or anything tenant-wide. Out-of-scope attempts
// change nothing.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  ApiKeysDocument,
  AuditLogDocument,
  CreateApiKeyDocument,
  CreateGalleryDocument,
  DeleteGalleryDocument,
  DeleteImageDocument,
  GalleryDocument,
  IngestFrameDocument,
  RegisterDeviceDocument,
  RevokeApiKeyDocument,
  SetGalleryRetentionDocument,
  UpdateGalleryDocument,
  ViewerDocument,
} from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, jpegImage, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { oneDetectionFrame } from './support/frame-input.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('gallery-scoped admin keys (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;
  let g1: string;
  let g2: string;
  let scopedAdmin: string;
  let g2ImageId: string;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    tenant = await createTenantWithKeys(server, 'scope');
    g1 = tenant.galleryId;
    g2 = (await server.gql(CreateGalleryDocument, { input: { name: 'g2', retentionDays: 30 } }, tenant.admin)).data!.createGallery.id;
    scopedAdmin = (await server.gql(CreateApiKeyDocument, { input: { name: 'g1 admin', role: 'ADMIN', galleryIds: [g1] } }, tenant.admin)).data!.createApiKey.secret;
    const blobId = (await server.putBlob(await jpegImage(64, 64, 1), 'image/jpeg', tenant.device)).body.blobId as string;
    const ingested = await server.gql(IngestFrameDocument, { input: oneDetectionFrame({ idempotencyKey: 'g2-frame', galleryId: g2, blobId }) }, tenant.device);
    g2ImageId = ingested.data!.ingestFrame.image.id;
  });
  afterAll(() => server?.close());

  const snapshot = () =>
    server.app.db.withTenant(tenant.tenantId, async (tx) => ({
      galleries: await tx.gallery.findMany({ orderBy: { id: 'asc' } }),
      images: await tx.image.count(),
      // lastUsedAt moves with every first use of a key, so it is left out.
      keys: (await tx.apiKey.findMany({ orderBy: { id: 'asc' } })).map(({ lastUsedAt: _lastUsed, ...key }) => key),
      devices: await tx.device.count(),
    }));

  it('refuses every write outside its scope and changes nothing', async () => {
    const before = await snapshot();
    const attempts = {
      updateGallery: await server.gql(UpdateGalleryDocument, { input: { id: g2, name: 'renamed' } }, scopedAdmin),
      setGalleryRetention: await server.gql(SetGalleryRetentionDocument, { input: { galleryId: g2, days: null } }, scopedAdmin),
      deleteGallery: await server.gql(DeleteGalleryDocument, { id: g2 }, scopedAdmin),
      createGallery: await server.gql(CreateGalleryDocument, { input: { name: 'new' } }, scopedAdmin),
      registerDevice: await server.gql(RegisterDeviceDocument, { input: { name: 'kiosk' } }, scopedAdmin),
      deleteImage: await server.gql(DeleteImageDocument, { id: g2ImageId }, scopedAdmin),
      unscopedKey: await server.gql(CreateApiKeyDocument, { input: { name: 'escalate', role: 'ADMIN' } }, scopedAdmin),
      otherGalleryKey: await server.gql(CreateApiKeyDocument, { input: { name: 'sideways', role: 'SEARCH', galleryIds: [g1, g2] } }, scopedAdmin),
      readGallery: await server.gql(GalleryDocument, { id: g2 }, scopedAdmin),
    };
    const codes = Object.fromEntries(Object.entries(attempts).map(([name, response]) => [name, errorCodes(response)]));
    expect(codes).toEqual({
      updateGallery: ['FORBIDDEN'],
      setGalleryRetention: ['FORBIDDEN'],
      deleteGallery: ['FORBIDDEN'],
      createGallery: ['FORBIDDEN'],
      registerDevice: ['FORBIDDEN'],
      // Another gallery's image reads as absent, as for the image query.
      deleteImage: ['NOT_FOUND'],
      unscopedKey: ['FORBIDDEN'],
      otherGalleryKey: ['FORBIDDEN'],
      readGallery: ['FORBIDDEN'],
    });
    expect(await snapshot()).toEqual(before);
  });

  it('acts within its scope and mints keys only within it', async () => {
    const renamed = await server.gql(UpdateGalleryDocument, { input: { id: g1, name: 'g1-renamed' } }, scopedAdmin);
    expect(renamed.data?.updateGallery.name).toBe('g1-renamed');
    expect((await server.gql(SetGalleryRetentionDocument, { input: { galleryId: g1, days: 7 } }, scopedAdmin)).data?.setGalleryRetention.retentionDays).toBe(7);
    const minted = await server.gql(CreateApiKeyDocument, { input: { name: 'g1 search', role: 'SEARCH', galleryIds: [g1] } }, scopedAdmin);
    expect(minted.data?.createApiKey.apiKey.galleryIds).toEqual([g1]);
    // The minted key is as limited as its maker: it cannot escalate either.
    const viewer = await server.gql(ViewerDocument, {}, minted.data!.createApiKey.secret);
    expect(viewer.data?.viewer.key.galleryIds).toEqual([g1]);
  });

  it('lists and revokes only keys within its scope', async () => {
    const listed = (await server.gql(ApiKeysDocument, {}, scopedAdmin)).data!.apiKeys;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((key) => key.galleryIds?.length && key.galleryIds.every((id) => id === g1))).toBe(true);
    const all = (await server.gql(ApiKeysDocument, {}, tenant.admin)).data!.apiKeys;
    expect(all.length).toBeGreaterThan(listed.length);

    const unscopedSearch = all.find((key) => key.role === 'SEARCH' && key.galleryIds === null)!;
    expect(errorCodes(await server.gql(RevokeApiKeyDocument, { id: unscopedSearch.id }, scopedAdmin))).toEqual(['NOT_FOUND']);
    expect((await server.gql(ViewerDocument, {}, tenant.search)).data?.viewer.role).toBe('SEARCH');

    const inScope = listed.find((key) => key.role === 'SEARCH')!;
    expect((await server.gql(RevokeApiKeyDocument, { id: inScope.id }, scopedAdmin)).data?.revokeApiKey.revokedAt).toBeTruthy();
  });

  it('lets DEVICE keys write frames but not read them, by GraphQL or by key on the REST routes', async () => {
    const imagePath = `/v1/images/${tenant.tenantId}/${g2ImageId}`;
    const byKey = (key: string) => fetch(`${server.url}${imagePath}`, { headers: { authorization: `Bearer ${key}` } });
    expect((await byKey(tenant.device)).status).toBe(404);
    expect((await byKey(tenant.search)).status).toBe(200);
    expect((await byKey(tenant.admin)).status).toBe(200);
  });

  it('reads only audit rows within its scope; the unscoped admin reads all', async () => {
    const scoped = (await server.gql(AuditLogDocument, { first: 200 }, scopedAdmin)).data!.auditLog.edges.map((edge) => edge.node);
    expect(scoped.length).toBeGreaterThan(0);
    expect(scoped.every((row) => row.galleryIds?.length && row.galleryIds.every((id) => id === g1))).toBe(true);
    expect(scoped.map((row) => row.action)).toContain('gallery.update');

    const all = (await server.gql(AuditLogDocument, { first: 200 }, tenant.admin)).data!.auditLog.edges.map((edge) => edge.node);
    expect(all.map((row) => row.action)).toEqual(expect.arrayContaining(['tenant.create', 'gallery.create', 'apiKey.create']));
    expect(all.some((row) => row.galleryIds?.includes(g2))).toBe(true);

    // Keyset paging stays inside the scope.
    const firstPage = await server.gql(AuditLogDocument, { first: 1 }, scopedAdmin);
    const secondPage = await server.gql(AuditLogDocument, { first: 1, after: firstPage.data!.auditLog.pageInfo.endCursor }, scopedAdmin);
    expect(secondPage.data!.auditLog.edges[0]?.node.id).toBe(scoped[1]?.id);
  });
});
