// Device enrolment through HTTP, on PGlite and (with TEST_DATABASE_URL)
// Postgres: an admin registers a device bound to a gallery and issues a
// one-time code; the kiosk exchanges it for an access token it uses like an
// API key (upload + ingest, only in its galleries) and a refresh token it
// rotates. A code works once and not after expiry; a reused refresh token
// revokes its chain; revoking the device fails its token on the next request;
// another tenant's admin cannot touch the device; repeated failures lock out.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  AuditLogDocument,
  CreateDeviceEnrolmentDocument,
  CreateGalleryDocument,
  DeviceViewerDocument,
  EnrolDeviceDocument,
  GalleriesDocument,
  IngestFrameDocument,
  RefreshDeviceSessionDocument,
  RegisterDeviceDocument,
  RevokeDeviceDocument,
  type IngestFrameInput,
} from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, errorCodes, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('device enrolment (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  let otherGalleryId: string;
  let deviceId: string;
  let frameSeed = 0;
  /** Every code and token handed out, to prove none reaches the audit log. */
  const secrets: string[] = [];

  const frame = (galleryId: string, blobId: string): IngestFrameInput => ({
    idempotencyKey: `device-frame-${++frameSeed}`,
    galleryId,
    blobId,
    capturedAt: '2026-03-01T08:00:00.000Z',
    modelId: FIXTURE_STUDENT_ID,
    detections: [{ box: { x1: 5, y1: 5, x2: 50, y2: 120 }, score: 0.8, embedding: b64(unitEmbedding(FIXTURE_DIMENSION, frameSeed)) }],
  });

  async function enrolmentCode(id = deviceId, admin = a.admin): Promise<string> {
    const created = await server.gql(CreateDeviceEnrolmentDocument, { input: { deviceId: id } }, admin);
    expect(created.errors).toBeUndefined();
    secrets.push(created.data!.createDeviceEnrolment.code);
    return created.data!.createDeviceEnrolment.code;
  }

  async function enrol(code: string) {
    const response = await server.gql(EnrolDeviceDocument, { code }, undefined);
    expect(response.errors).toBeUndefined();
    secrets.push(response.data!.enrolDevice.accessToken, response.data!.enrolDevice.refreshToken);
    return response.data!.enrolDevice;
  }

  /** Uploads a frame and ingests it into `galleryId` with `credential`; the ingest response. */
  async function ingestWith(credential: string, galleryId: string) {
    const upload = await server.putBlob(await jpegImage(160, 160, 100 + frameSeed), 'image/jpeg', credential);
    expect(upload.status).toBe(201);
    return server.gql(IngestFrameDocument, { input: frame(galleryId, upload.body.blobId as string) }, credential);
  }

  const viewerCode = async (credential: string) => errorCodes(await server.gql(DeviceViewerDocument, {}, credential));

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    a = await createTenantWithKeys(server, 'dev-a');
    b = await createTenantWithKeys(server, 'dev-b');
    otherGalleryId = (await server.gql(CreateGalleryDocument, { input: { name: 'dev-a-other' } }, a.admin)).data!.createGallery.id;
    const registered = await server.gql(RegisterDeviceDocument, { input: { name: 'entrance kiosk', galleryIds: [a.galleryId] } }, a.admin);
    expect(registered.errors).toBeUndefined();
    expect(registered.data!.registerDevice).toMatchObject({ role: 'DEVICE', galleryIds: [a.galleryId], revokedAt: null });
    deviceId = registered.data!.registerDevice.id;
  });
  afterAll(() => server?.close());

  it('enrols with a one-time code and ingests with the access token, only into its galleries', async () => {
    const sentAt = Date.now();
    const created = await server.gql(CreateDeviceEnrolmentDocument, { input: { deviceId, ttlSeconds: 300 } }, a.admin);
    const answeredAt = Date.now();
    const { code, expiresAt } = created.data!.createDeviceEnrolment;
    expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    // The TTL counts from when the code was issued (measured around the request, not after a fixed slack).
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(sentAt + 300_000);
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(answeredAt + 300_000);
    // Typed by a person: lower case and spaces instead of dashes are fine.
    const session = await enrol(` ${code.toLowerCase().replaceAll('-', ' ')} `);
    expect(session.accessToken).toMatch(/^psd_[a-z0-9]{12}_[\w-]{43}$/);
    expect(session.refreshToken).toMatch(/^psr_[a-z0-9]{12}_[\w-]{43}$/);
    expect(Date.parse(session.accessTokenExpiresAt) - Date.now()).toBeLessThanOrEqual(900_000);
    expect(session.device.id).toBe(deviceId);

    const ingested = await ingestWith(session.accessToken, a.galleryId);
    expect(ingested.errors).toBeUndefined();
    // The frame is recorded as the device's, and a token cannot claim another device.
    const stored = await server.app.db.withTenant(a.tenantId, (tx) => tx.image.findUniqueOrThrow({ where: { tenantId_id: { tenantId: a.tenantId, id: ingested.data!.ingestFrame.image.id } } }));
    expect(stored.deviceId).toBe(deviceId);
    const upload = await server.putBlob(await jpegImage(160, 160, 99), 'image/jpeg', session.accessToken);
    const spoofed = await server.gql(IngestFrameDocument, { input: { ...frame(a.galleryId, upload.body.blobId as string), deviceId: a.tenantId } }, session.accessToken);
    expect(spoofed.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.deviceId' });
    const viewer = await server.gql(DeviceViewerDocument, {}, session.accessToken);
    expect(viewer.data!.viewer).toMatchObject({ role: 'DEVICE', tenant: { id: a.tenantId }, device: { id: deviceId } });
    expect(Date.parse(viewer.data!.viewer.device!.lastSeenAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(errorCodes(await ingestWith(session.accessToken, otherGalleryId))).toEqual(['FORBIDDEN']);
    const visible = await server.gql(GalleriesDocument, {}, session.accessToken);
    expect(visible.data!.galleries.edges.map((edge) => edge.node.id)).toEqual([a.galleryId]);
    // The role is DEVICE: no admin work.
    expect(errorCodes(await server.gql(CreateGalleryDocument, { input: { name: 'by-device' } }, session.accessToken))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await server.gql(CreateDeviceEnrolmentDocument, { input: { deviceId } }, session.accessToken))).toEqual(['FORBIDDEN']);
    // The stored hashes never contain the secrets.
    const tokens = await server.app.db.withTenant(a.tenantId, (tx) => tx.deviceToken.findMany({ where: { deviceId } }));
    for (const row of tokens) expect(session.accessToken.includes(row.secretHash) || session.refreshToken.includes(row.secretHash)).toBe(false);
  });

  it('accepts a code once; used, expired and wrong codes fail alike', async () => {
    const code = await enrolmentCode();
    await enrol(code);
    const reused = await server.gql(EnrolDeviceDocument, { code }, undefined);
    const wrong = await server.gql(EnrolDeviceDocument, { code: 'ABCD-EFGH-JKLM' }, undefined);
    const expiredCode = await enrolmentCode();
    await server.app.db.asSystem((tx) => tx.$executeRaw`UPDATE device_enrolments SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);
    const expired = await server.gql(EnrolDeviceDocument, { code: expiredCode }, undefined);
    for (const response of [reused, wrong, expired]) {
      expect(errorCodes(response)).toEqual(['UNAUTHENTICATED']);
      expect(response.errors![0]!.message).toBe('the enrolment code is not valid');
    }
  });

  it('rotates refresh tokens; reusing a rotated one revokes the whole chain', async () => {
    const first = await enrol(await enrolmentCode());
    const second = (await server.gql(RefreshDeviceSessionDocument, { refreshToken: first.refreshToken }, undefined)).data!.refreshDeviceSession;
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(await viewerCode(second.accessToken)).toEqual([]);
    // The old refresh token is presented again (stolen copy): everything descended from it dies.
    expect(errorCodes(await server.gql(RefreshDeviceSessionDocument, { refreshToken: first.refreshToken }, undefined))).toEqual(['UNAUTHENTICATED']);
    expect(await viewerCode(second.accessToken)).toEqual(['UNAUTHENTICATED']);
    expect(await viewerCode(first.accessToken)).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(RefreshDeviceSessionDocument, { refreshToken: second.refreshToken }, undefined))).toEqual(['UNAUTHENTICATED']);
  });

  it('refuses an expired access token', async () => {
    const session = await enrol(await enrolmentCode());
    expect(await viewerCode(session.accessToken)).toEqual([]);
    await server.app.db.asSystem((tx) => tx.$executeRaw`UPDATE device_tokens SET expires_at = now() - interval '1 second' WHERE kind = 'access'`);
    expect(await viewerCode(session.accessToken)).toEqual(['UNAUTHENTICATED']);
    const refreshed = await server.gql(RefreshDeviceSessionDocument, { refreshToken: session.refreshToken }, undefined);
    expect(await viewerCode(refreshed.data!.refreshDeviceSession.accessToken)).toEqual([]);
  });

  it('keeps tenant B away from A’s device', async () => {
    const session = await enrol(await enrolmentCode());
    expect(errorCodes(await server.gql(CreateDeviceEnrolmentDocument, { input: { deviceId } }, b.admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await server.gql(RevokeDeviceDocument, { id: deviceId }, b.admin))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await server.gql(RegisterDeviceDocument, { input: { name: 'b-cam', galleryIds: [a.galleryId] } }, b.admin))).toEqual(['NOT_FOUND']);
    // A's token cannot reach B's gallery, and still works in its own.
    expect(errorCodes(await ingestWith(session.accessToken, b.galleryId))).toEqual(['FORBIDDEN']);
    expect((await ingestWith(session.accessToken, a.galleryId)).errors).toBeUndefined();
  });

  it('gives a SEARCH device a search role (it cannot ingest)', async () => {
    const registered = await server.gql(RegisterDeviceDocument, { input: { name: 'search kiosk', role: 'SEARCH', galleryIds: [a.galleryId] } }, a.admin);
    const session = await enrol(await enrolmentCode(registered.data!.registerDevice.id));
    expect(session.device.role).toBe('SEARCH');
    expect(errorCodes(await ingestWith(session.accessToken, a.galleryId))).toEqual(['FORBIDDEN']);
  });

  it('revokes a device: its access token fails on the very next request, its refresh token and codes too', async () => {
    const session = await enrol(await enrolmentCode());
    const pendingCode = await enrolmentCode();
    expect(await viewerCode(session.accessToken)).toEqual([]);
    const revoked = await server.gql(RevokeDeviceDocument, { id: deviceId }, a.admin);
    expect(revoked.data!.revokeDevice.revokedAt).not.toBeNull();
    expect(await viewerCode(session.accessToken)).toEqual(['UNAUTHENTICATED']);
    expect((await server.putBlob(await jpegImage(64, 64, 7), 'image/jpeg', session.accessToken)).status).toBe(401);
    expect(errorCodes(await server.gql(RefreshDeviceSessionDocument, { refreshToken: session.refreshToken }, undefined))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(EnrolDeviceDocument, { code: pendingCode }, undefined))).toEqual(['UNAUTHENTICATED']);
    // An admin may enrol it again with a new code.
    const again = await enrol(await enrolmentCode());
    expect(again.device.revokedAt).toBeNull();
    expect(await viewerCode(again.accessToken)).toEqual([]);
  });

  it('writes audit rows for register, enrolment codes, enrolment, refresh reuse and revocation', async () => {
    const log = await server.gql(AuditLogDocument, { first: 200 }, a.admin);
    const actions = new Set(log.data!.auditLog.edges.filter((edge) => edge.node.target === `device:${deviceId}`).map((edge) => edge.node.action));
    expect([...actions].sort()).toEqual(['device.enrol', 'device.enrolment.create', 'device.refreshReuse', 'device.register', 'device.revoke']);
    // No code or token ever reaches the audit log.
    const logged = JSON.stringify(log.data);
    expect(secrets.length).toBeGreaterThan(10);
    for (const secret of secrets) expect(logged).not.toContain(secret.slice(-16));
  });

  it('locks an address out after repeated failures, even for a correct code', async () => {
    const code = await enrolmentCode();
    const codes: (string | undefined)[] = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      codes.push(...errorCodes(await server.gql(EnrolDeviceDocument, { code: 'WRNG-CODE-2345' }, undefined)));
    }
    expect(codes).toContain('RATE_LIMITED');
    expect(codes.indexOf('RATE_LIMITED')).toBeLessThanOrEqual(10);
    expect(errorCodes(await server.gql(EnrolDeviceDocument, { code }, undefined))).toEqual(['RATE_LIMITED']);
  });
});
