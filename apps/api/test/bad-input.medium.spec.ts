// Bad input and bad luck never become INTERNAL_SERVER_ERROR (issue 8, items
// 6-8): text Postgres cannot store (NUL, lone surrogates) and cursors with
// impossible dates are BAD_USER_INPUT naming the field; aliased searches pay
// per alias in complexity and rate limit, and page sizes given as variables
// count like literals; an idempotency key reused in another gallery does not
// reveal it; a database outage answers a GraphQL UNAVAILABLE, and the API
// recovers when the database comes back.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateApiKeyDocument, CreateGalleryDocument, CreateTenantDocument, GalleriesDocument, IngestFrameDocument, SearchPersonDocument, UpdateGalleryDocument, ViewerDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, jpegImage, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { oneDetectionFrame } from './support/frame-input.js';
import { startRelay, type PostgresRelay } from './support/postgres-relay.js';
import { backends, createPostgresDatabase, cursorOf, errorCodes, OPERATOR_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

describe.each(backends())('bad input (%s)', (backend) => {
  let server: TestServer;
  let tenant: TenantKeys;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: models.env });
    tenant = await createTenantWithKeys(server, 'bad-input');
  });
  afterAll(() => server?.close());

  const galleryCount = () => server.app.db.withTenant(tenant.tenantId, (tx) => tx.gallery.count());

  it('refuses NUL and lone surrogates in any string as BAD_USER_INPUT naming the field, storing nothing', async () => {
    const before = await galleryCount();
    const cases = [
      { name: 'NUL in a variable', response: await server.gql(CreateGalleryDocument, { input: { name: 'a\u0000b' } }, tenant.admin), field: 'input.name' },
      { name: 'lone high surrogate', response: await server.gql(CreateGalleryDocument, { input: { name: 'a\ud800' } }, tenant.admin), field: 'input.name' },
      { name: 'lone low surrogate', response: await server.gql(UpdateGalleryDocument, { input: { id: tenant.galleryId, name: '\udc00x' } }, tenant.admin), field: 'input.name' },
      { name: 'NUL in a tenant name', response: await server.gql(CreateTenantDocument, { input: { name: '\u0000' } }, OPERATOR_TOKEN), field: 'input.name' },
    ];
    for (const { name, response, field } of cases) {
      expect({ name, errors: response.errors?.map((error) => error.extensions) }).toEqual({ name, errors: [{ code: 'BAD_USER_INPUT', field }] });
    }
    const literal = await server.post('mutation { createGallery(input: { name: "x\\u0000y" }) { id } }', {}, tenant.admin);
    expect(literal.status).toBe(400);
    expect(literal.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.name' });
    expect(await galleryCount()).toBe(before);
    // Well-formed pairs (emoji) are text like any other.
    expect((await server.gql(CreateGalleryDocument, { input: { name: 'café 📷' } }, tenant.admin)).data?.createGallery.name).toBe('café 📷');
  });

  it('answers UNAVAILABLE naming the model when the student cannot be loaded (its ONNX file missing), and keeps serving', async () => {
    // Found by graphql-fuzz (seed 988485945): a photo search with a real blob reached the missing
    // model file and answered INTERNAL_SERVER_ERROR.
    const blobId = (await server.putBlob(await jpegImage(64, 64, 7), 'image/jpeg', tenant.device)).body.blobId as string;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await server.gql(SearchPersonDocument, { input: { query: { photo: { blobId } }, rerank: false } }, tenant.admin);
      expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['UNAVAILABLE']);
      expect(response.errors?.[0]?.message).toMatch(/student model "fixture-student" cannot be loaded on this server \(MODEL_NOT_FOUND\)/);
      expect(response.errors?.[0]?.message).not.toMatch(/api-models-|\/tmp\//);
    }
    expect((await server.gql(ViewerDocument, {}, tenant.admin)).data?.viewer).toBeTruthy();
  });

  it('refuses cursors with impossible dates as BAD_USER_INPUT on `after`', async () => {
    for (const createdAt of ['+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00.000Z', '1969-12-31T23:59:59.000Z', 'not a date']) {
      const response = await server.gql(GalleriesDocument, { first: 5, after: cursorOf(createdAt) }, tenant.admin);
      expect({ createdAt, errors: response.errors?.map((error) => error.extensions) }).toEqual({ createdAt, errors: [{ code: 'BAD_USER_INPUT', field: 'after' }] });
    }
  });

  it('refuses an idempotency key first used in another gallery without naming that gallery', async () => {
    const other = (await server.gql(CreateGalleryDocument, { input: { name: 'second' } }, tenant.admin)).data!.createGallery.id;
    const blobId = (await server.putBlob(await jpegImage(64, 64, 5), 'image/jpeg', tenant.device)).body.blobId as string;
    const frame = (galleryId: string) => oneDetectionFrame({ idempotencyKey: 'shared-key', galleryId, blobId, seed: 5 });
    expect((await server.gql(IngestFrameDocument, { input: frame(tenant.galleryId) }, tenant.device)).errors).toBeUndefined();
    const reused = await server.gql(IngestFrameDocument, { input: frame(other) }, tenant.device);
    expect(reused.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'input.idempotencyKey' }]);
    expect(reused.errors![0]!.message).not.toContain(tenant.galleryId);
    // A retry into the same gallery still answers with the first frame.
    expect((await server.gql(IngestFrameDocument, { input: frame(tenant.galleryId) }, tenant.device)).data?.ingestFrame.duplicate).toBe(true);
  });
});

describe('amplification: per-alias cost and sizes given as variables (pglite)', () => {
  let server: TestServer;
  let tenant: TenantKeys;
  const searches = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `s${i}: searchPerson(input: { query: { detectionId: "00000000-0000-4000-8000-00000000000${i % 10}" } }) { stats { totalMs } }`).join(' ')} }`;

  beforeAll(async () => {
    server = await startTestServer({ env: { RATE_LIMIT_PER_MINUTE: '6', MAX_QUERY_COMPLEXITY: '1000' } });
    tenant = await createTenantWithKeys(server, 'amplify'); // the admin key spends 4 of its 6 tokens here
  });
  afterAll(() => server?.close());

  it('refuses more than 10 aliased searches per request, whatever the complexity limit', async () => {
    const response = await server.post(searches(400), {}, tenant.admin);
    expect(response.status).toBe(400);
    expect(response.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(response.errors?.[0]?.message).toMatch(/400 expensive fields/);
  });

  it('charges one rate-limit token per aliased search', async () => {
    // 6 tokens a minute: three searches (3 tokens), then three more (3), then nothing is left.
    const first = await server.post(searches(3), {}, tenant.search);
    expect(first.errors?.map((error) => error.extensions?.code)).not.toContain('RATE_LIMITED');
    const second = await server.post(searches(3), {}, tenant.search);
    expect(second.errors?.map((error) => error.extensions?.code)).not.toContain('RATE_LIMITED');
    const third = await server.post(searches(2), {}, tenant.search);
    expect(third.status).toBe(429);
    expect(third.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('counts `first: $n` like the literal it stands for', async () => {
    const query = 'query ($n: Int) { galleries(first: $n) { edges { node { id name retentionDays createdAt } } } }';
    // 1 + 1 + n × 5: 200 → 1002 > 1000, refused as the literal would be; 100 → 502 passes.
    const large = await server.post(query, { n: 200 }, tenant.device);
    expect(large.errors?.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    const literal = await server.post('{ galleries(first: 200) { edges { node { id name retentionDays createdAt } } } }', {}, tenant.device);
    expect(literal.errors?.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    expect((await server.post(query, { n: 100 }, tenant.device)).errors).toBeUndefined();
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('database outage (postgres behind a relay)', () => {
  let server: TestServer;
  let relay: PostgresRelay;
  let database: Awaited<ReturnType<typeof createPostgresDatabase>>;

  beforeAll(async () => {
    database = await createPostgresDatabase('person_search_outage');
    relay = await startRelay(new URL(database.url));
    const relayed = new URL(database.url);
    relayed.port = String(relay.port);
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ env: { ...models.env, DATABASE_URL: relayed.toString() } });
  });
  afterAll(async () => {
    await server?.close();
    await relay?.cut();
    await database?.drop();
  });

  it('answers a GraphQL UNAVAILABLE while the database is down, and recovers', async () => {
    const tenant = await createTenantWithKeys(server, 'outage');
    expect((await server.gql(ViewerDocument, {}, tenant.admin)).data?.viewer.role).toBe('ADMIN');
    const photo = await jpegImage(64, 64, 9);
    const blobId = (await server.putBlob(photo, 'image/jpeg', tenant.device)).body.blobId as string;
    const frame = await server.gql(IngestFrameDocument, { input: oneDetectionFrame({ idempotencyKey: 'before-outage', galleryId: tenant.galleryId, blobId }) }, tenant.device);
    const signedImageUrl = frame.data!.ingestFrame.image.url;

    // A key not used yet: its row is not in the key cache (API_KEY_CACHE_SECONDS), so authenticating it needs the database.
    const unused = (await server.gql(CreateApiKeyDocument, { input: { name: 'first used in the outage', role: 'SEARCH' } }, tenant.admin)).data!.createApiKey.secret;

    await relay.cut();
    // Authentication needs the database: the answer is still GraphQL-shaped, 503, retryable.
    const byKey = await server.post('{ viewer { role } }', {}, unused);
    expect(byKey.status).toBe(503);
    expect(byKey.errors?.map((error) => error.extensions?.code)).toEqual(['UNAVAILABLE']);
    // The operator needs no database to authenticate: the resolver's failure is UNAVAILABLE too.
    const byOperator = await server.gql(CreateTenantDocument, { input: { name: 'during outage' } }, OPERATOR_TOKEN);
    expect(errorCodes(byOperator)).toEqual(['UNAVAILABLE']);
    // REST routes answer their own shape, with the same code: an upload (authentication) and a signed frame URL (no key).
    expect(await server.putBlob(photo, 'image/jpeg', unused)).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });
    // A cached key authenticates without the database; what it asks of the database is UNAVAILABLE.
    expect(errorCodes(await server.gql(GalleriesDocument, {}, tenant.admin))).toEqual(['UNAVAILABLE']);
    const image = await fetch(signedImageUrl);
    expect({ status: image.status, body: await image.json() }).toMatchObject({ status: 503, body: { error: { code: 'UNAVAILABLE' } } });

    await relay.restore();
    let recovered = await server.gql(ViewerDocument, {}, tenant.admin);
    for (let attempt = 0; attempt < 20 && recovered.errors; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      recovered = await server.gql(ViewerDocument, {}, tenant.admin);
    }
    expect(recovered.data?.viewer.role).toBe('ADMIN');
  });
});
