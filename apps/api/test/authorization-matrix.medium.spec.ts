// The authorization matrix (issue 8, T1), generated from the built schema:
// every Query and Mutation field × credential (no credential, operator, and
// ADMIN/DEVICE/SEARCH keys, unscoped and limited to one gallery) × target
// (the caller's own tenant, another tenant's ids) has one expected outcome in
// EXPECTED below, and so has every field of another type that takes arguments
// (Gallery.images: a list reached through its parent). A field added to the
// schema without a row fails this test.
// Runs on PGlite and (with TEST_DATABASE_URL) Postgres, one server each.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildSchema, isObjectType, type GraphQLObjectType } from 'graphql';
import { CreateApiKeyDocument, CreateGalleryDocument, IngestFrameDocument, typeDefs } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, jpegImage, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { oneDetectionFrame } from './support/frame-input.js';
import { backends, OPERATOR_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const CREDENTIALS = ['none', 'operator', 'admin', 'adminScoped', 'device', 'deviceScoped', 'search', 'searchScoped'] as const;
type Credential = (typeof CREDENTIALS)[number];
type Target = 'own' | 'other';

// Outcomes: `ok` (no error) or the error code.
const ok = 'ok';
const U = 'UNAUTHENTICATED';
const F = 'FORBIDDEN';
const N = 'NOT_FOUND';
type Outcome = typeof ok | typeof U | typeof F | typeof N;
/** In CREDENTIALS order: none, operator, admin, admin@g1, device, device@g1, search, search@g1. */
type Row = readonly [Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome, Outcome];
/** One row for both targets (fields that take no ids), or one per target. */
type Expectation = Row | { own: Row; other: Row };

/** What every credential gets on a field that is open to all. */
const OPEN: Row = [ok, ok, ok, ok, ok, ok, ok, ok];
/** Any key, own tenant. */
const ANY_KEY: Row = [U, U, ok, ok, ok, ok, ok, ok];
const ADMINS: Row = [U, U, ok, ok, F, F, F, F];
const UNSCOPED_ADMIN: Row = [U, U, ok, F, F, F, F, F];
/** Another tenant's id: absent to unscoped keys; outside a scoped key's galleries first. */
const OTHER_GALLERY: Row = [U, U, N, F, N, F, N, F];
const OTHER_ADMIN_ONLY: Row = [U, U, N, N, F, F, F, F];
const READERS: Row = [U, U, ok, ok, F, F, ok, ok];
const OTHER_FOR_READERS: Row = [U, U, N, N, F, F, N, N];

const EXPECTED: Record<string, Expectation> = {
  'Query.health': OPEN,
  'Query.models': OPEN,
  'Query.viewer': ANY_KEY,
  'Query.apiKeys': ADMINS,
  'Query.auditLog': ADMINS,
  'Query.searchAuditLog': ADMINS,
  'Query.galleries': ANY_KEY,
  'Query.gallery': { own: ANY_KEY, other: OTHER_GALLERY },
  // DEVICE keys write frames but do not read them back (apps/api/README.md, Roles).
  'Query.image': { own: READERS, other: OTHER_FOR_READERS },
  'Query.detection': { own: READERS, other: OTHER_FOR_READERS },
  'Query.searchPerson': { own: READERS, other: OTHER_FOR_READERS },
  // Frames are read by the same callers as image(id:); another tenant's gallery is refused by gallery(id:) first.
  'Gallery.images': { own: READERS, other: OTHER_GALLERY },
  'Mutation.ping': OPEN,
  'Mutation.createTenant': [U, ok, F, F, F, F, F, F],
  'Mutation.createApiKey': { own: ADMINS, other: [U, U, N, F, F, F, F, F] },
  'Mutation.revokeApiKey': { own: ADMINS, other: OTHER_ADMIN_ONLY },
  'Mutation.createGallery': UNSCOPED_ADMIN,
  'Mutation.updateGallery': { own: ADMINS, other: [U, U, N, F, F, F, F, F] },
  'Mutation.setGalleryRetention': { own: ADMINS, other: [U, U, N, F, F, F, F, F] },
  // The target is a fresh gallery, outside the scoped admin's galleries.
  'Mutation.deleteGallery': { own: UNSCOPED_ADMIN, other: [U, U, N, F, F, F, F, F] },
  'Mutation.registerDevice': UNSCOPED_ADMIN,
  'Mutation.ingestFrame': { own: [U, U, ok, ok, ok, ok, F, F], other: [U, U, N, F, N, F, F, F] },
  'Mutation.ingestFrames': { own: [U, U, ok, ok, ok, ok, F, F], other: [U, U, N, F, N, F, F, F] },
  'Mutation.deleteImage': { own: ADMINS, other: OTHER_ADMIN_ONLY },
  'Mutation.createDeviceEnrolment': { own: ADMINS, other: OTHER_ADMIN_ONLY },
  'Mutation.revokeDevice': { own: ADMINS, other: OTHER_ADMIN_ONLY },
  // The exchange and the refresh need no credential: the code or refresh token is one.
  'Mutation.enrolDevice': OPEN,
  'Mutation.refreshDeviceSession': OPEN,
};

/** A tenant with a frame in its gallery (`galleryId`, the one the scoped keys are limited to). */
interface Tenant extends TenantKeys {
  blobId: string;
  imageId: string;
  detectionId: string;
}

interface Call {
  query: string;
  variables?: Record<string, unknown>;
}

describe.each(backends())('authorization matrix (%s)', (backend) => {
  let server: TestServer;
  let a: Tenant;
  let b: Tenant;
  const credentials = {} as Record<Credential, string | undefined>;
  let counter = 0;
  const unique = (prefix: string) => `${prefix}-${++counter}`;

  const post = (call: Call, credential?: string) => server.post(call.query, call.variables, credential);
  async function must(call: Call, credential: string): Promise<Record<string, any>> {
    const body = await post(call, credential);
    if (body.errors) throw new Error(`fixture call failed: ${JSON.stringify(body.errors)}`);
    return body.data!;
  }

  async function ingest(tenant: TenantKeys, blobId: string) {
    const response = await server.gql(IngestFrameDocument, { input: oneDetectionFrame({ idempotencyKey: unique('frame'), galleryId: tenant.galleryId, blobId, seed: counter }) }, tenant.device);
    return response.data!.ingestFrame;
  }

  async function tenantWithFrame(name: string, seed: number): Promise<Tenant> {
    const keys = await createTenantWithKeys(server, name);
    const blobId = (await server.putBlob(await jpegImage(64, 64, seed), 'image/jpeg', keys.device)).body.blobId as string;
    const frame = await ingest(keys, blobId);
    return { ...keys, blobId, imageId: frame.image.id, detectionId: frame.detections[0]!.id };
  }

  /** A device of `tenant` limited to its gallery (so a scoped admin of that gallery may manage it). */
  const freshDevice = async (tenant: Tenant) =>
    (await must({ query: 'mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }', variables: { input: { name: unique('kiosk'), galleryIds: [tenant.galleryId] } } }, tenant.admin)).registerDevice.id as string;
  const enrolmentCode = async (tenant: Tenant) =>
    (await must({ query: 'mutation ($input: CreateDeviceEnrolmentInput!) { createDeviceEnrolment(input: $input) { code } }', variables: { input: { deviceId: await freshDevice(tenant) } } }, tenant.admin)).createDeviceEnrolment.code as string;

  /** The request exercising each field against `tenant` (the caller's own, or another). Fresh targets for destructive ones. */
  const CALLS: Record<string, (tenant: Tenant) => Promise<Call>> = {
    'Query.health': async () => ({ query: '{ health { ok } }' }),
    'Query.models': async () => ({ query: '{ models { student { id } } }' }),
    'Query.viewer': async () => ({ query: '{ viewer { role tenant { id } } }' }),
    'Query.apiKeys': async () => ({ query: '{ apiKeys { id galleryIds } }' }),
    'Query.auditLog': async () => ({ query: '{ auditLog(first: 200) { edges { node { id target galleryIds } } } }' }),
    'Query.searchAuditLog': async () => ({ query: '{ searchAuditLog(first: 200) { edges { node { id galleryIds } } } }' }),
    'Query.galleries': async () => ({ query: '{ galleries(first: 200) { edges { node { id } } } }' }),
    'Query.gallery': async (t) => ({ query: 'query ($id: ID!) { gallery(id: $id) { id } }', variables: { id: t.galleryId } }),
    'Query.image': async (t) => ({ query: 'query ($id: ID!) { image(id: $id) { id url } }', variables: { id: t.imageId } }),
    'Gallery.images': async (t) => ({ query: 'query ($id: ID!) { gallery(id: $id) { images(first: 200) { edges { node { id url } } } } }', variables: { id: t.galleryId } }),
    'Query.detection': async (t) => ({ query: 'query ($id: ID!) { detection(id: $id) { id cropUrl } }', variables: { id: t.detectionId } }),
    'Query.searchPerson': async (t) => ({
      query: 'query ($input: SearchPersonInput!) { searchPerson(input: $input) { hits { detection { id } } } }',
      variables: { input: { query: { detectionId: t.detectionId }, rerank: false, topK: 5 } },
    }),
    'Mutation.ping': async () => ({ query: 'mutation { ping }' }),
    'Mutation.createTenant': async () => ({ query: 'mutation ($name: String!) { createTenant(input: { name: $name }) { tenant { id } } }', variables: { name: unique('tenant') } }),
    'Mutation.createApiKey': async (t) => ({
      query: 'mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }',
      variables: { input: { name: unique('key'), role: 'SEARCH', galleryIds: [t.galleryId] } },
    }),
    'Mutation.revokeApiKey': async (t) => {
      const key = await server.gql(CreateApiKeyDocument, { input: { name: unique('victim'), role: 'SEARCH', galleryIds: [t.galleryId] } }, t.admin);
      return { query: 'mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', variables: { id: key.data!.createApiKey.apiKey.id } };
    },
    'Mutation.createGallery': async () => ({ query: 'mutation ($name: String!) { createGallery(input: { name: $name }) { id } }', variables: { name: unique('gallery') } }),
    'Mutation.updateGallery': async (t) => ({ query: 'mutation ($input: UpdateGalleryInput!) { updateGallery(input: $input) { id } }', variables: { input: { id: t.galleryId, name: unique('renamed') } } }),
    'Mutation.setGalleryRetention': async (t) => ({ query: 'mutation ($input: SetGalleryRetentionInput!) { setGalleryRetention(input: $input) { id } }', variables: { input: { galleryId: t.galleryId, days: 30 } } }),
    'Mutation.deleteGallery': async (t) => {
      const gallery = await server.gql(CreateGalleryDocument, { input: { name: unique('doomed') } }, t.admin);
      return { query: 'mutation ($id: ID!) { deleteGallery(id: $id) { deleted } }', variables: { id: gallery.data!.createGallery.id } };
    },
    'Mutation.registerDevice': async () => ({ query: 'mutation ($name: String!) { registerDevice(input: { name: $name }) { id } }', variables: { name: unique('device') } }),
    'Mutation.ingestFrame': async (t) => ({
      query: 'mutation ($input: IngestFrameInput!) { ingestFrame(input: $input) { duplicate } }',
      variables: { input: oneDetectionFrame({ idempotencyKey: unique('ingest'), galleryId: t.galleryId, blobId: t.blobId }) },
    }),
    'Mutation.ingestFrames': async (t) => ({
      query: 'mutation ($input: IngestFramesInput!) { ingestFrames(input: $input) { frames { duplicate } } }',
      variables: { input: { frames: [1, 2].map((n) => oneDetectionFrame({ idempotencyKey: unique(`ingest-batch-${n}`), galleryId: t.galleryId, blobId: t.blobId })) } },
    }),
    'Mutation.deleteImage': async (t) => ({ query: 'mutation ($id: ID!) { deleteImage(id: $id) { deleted } }', variables: { id: (await ingest(t, t.blobId)).image.id } }),
    'Mutation.createDeviceEnrolment': async (t) => ({
      query: 'mutation ($input: CreateDeviceEnrolmentInput!) { createDeviceEnrolment(input: $input) { expiresAt } }',
      variables: { input: { deviceId: await freshDevice(t) } },
    }),
    'Mutation.revokeDevice': async (t) => ({ query: 'mutation ($id: ID!) { revokeDevice(id: $id) { id } }', variables: { id: await freshDevice(t) } }),
    'Mutation.enrolDevice': async (t) => ({ query: 'mutation ($code: String!) { enrolDevice(code: $code) { accessTokenExpiresAt } }', variables: { code: await enrolmentCode(t) } }),
    'Mutation.refreshDeviceSession': async (t) => {
      const session = await must({ query: 'mutation ($code: String!) { enrolDevice(code: $code) { refreshToken } }', variables: { code: await enrolmentCode(t) } }, t.admin);
      return { query: 'mutation ($token: String!) { refreshDeviceSession(refreshToken: $token) { accessTokenExpiresAt } }', variables: { token: session.enrolDevice.refreshToken } };
    },
  };

  const schemaFields = (() => {
    const schema = buildSchema(typeDefs);
    const roots = [schema.getQueryType()!, schema.getMutationType()!];
    const rootFields = roots.flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`));
    const withArguments = Object.values(schema.getTypeMap())
      .filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__') && !roots.includes(type))
      .flatMap((type) => Object.values(type.getFields()).filter((field) => field.args.length > 0).map((field) => `${type.name}.${field.name}`));
    return [...rootFields, ...withArguments];
  })();

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, RATE_LIMIT_PER_MINUTE: '0' } });
    a = await tenantWithFrame('matrix-a', 1);
    b = await tenantWithFrame('matrix-b', 2);
    const scoped = async (role: 'ADMIN' | 'DEVICE' | 'SEARCH') =>
      (await server.gql(CreateApiKeyDocument, { input: { name: `scoped-${role}`, role, galleryIds: [a.galleryId] } }, a.admin)).data!.createApiKey.secret;
    Object.assign(credentials, {
      none: undefined,
      operator: OPERATOR_TOKEN,
      admin: a.admin,
      adminScoped: await scoped('ADMIN'),
      device: a.device,
      deviceScoped: await scoped('DEVICE'),
      search: a.search,
      searchScoped: await scoped('SEARCH'),
    });
  });
  afterAll(() => server?.close());

  it('has an expected outcome for every Query and Mutation field of the schema, and every other field with arguments', () => {
    const missing = schemaFields.filter((field) => !(field in EXPECTED) || !(field in CALLS));
    expect(missing, `add these fields to EXPECTED and CALLS in ${path.basename(import.meta.url)}`).toEqual([]);
  });

  it('gives every field × credential × tenant its expected outcome, and never another tenant’s data', async () => {
    const mismatches: string[] = [];
    const bIds = [b.tenantId, b.galleryId, b.imageId, b.detectionId];
    for (const field of schemaFields.filter((name) => name in EXPECTED && name in CALLS)) {
      const expectation = EXPECTED[field]!;
      const targets: Target[] = Array.isArray(expectation) ? ['own'] : ['own', 'other'];
      for (const target of targets) {
        const row = Array.isArray(expectation) ? (expectation as Row) : (expectation as { own: Row; other: Row })[target];
        for (const [index, credential] of CREDENTIALS.entries()) {
          const body = await post(await CALLS[field]!(target === 'own' ? a : b), credentials[credential]);
          const outcome = body.errors ? (body.errors[0]!.extensions?.code ?? 'no code') : ok;
          if (outcome !== row[index]) mismatches.push(`${field} ${credential} ${target}: expected ${row[index]}, got ${outcome} (${body.errors?.[0]?.message ?? ''})`);
          const text = JSON.stringify(body);
          // Only answers about the caller's own tenant are checked: an error may echo an id the caller sent.
          const leaked = target === 'own' && bIds.find((id) => text.includes(id));
          if (leaked) mismatches.push(`${field} ${credential} ${target}: the answer holds tenant B's id ${leaked}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  }, 240_000);
});
