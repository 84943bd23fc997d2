// Property-based fuzzing of GraphQL inputs (issue 8, T2) with fast-check, on
// PGlite and (with TEST_DATABASE_URL) Postgres: random strings (NUL, lone
// surrogates, huge, any Unicode), numbers (huge, negative, fractional, wrong
// types), ids (malformed, another tenant's) and cursors go into every query
// and mutation that takes input. Whatever comes in: never an internal error
// (HTTP 500 or INTERNAL_SERVER_ERROR), and a rejected call leaves the
// tenant's tables exactly as they were (checksummed before and after).
// Bounded: FUZZ_RUNS runs per property (default 40); the seed is printed and
// FUZZ_SEED replays a run.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oneDetectionFrame } from './support/frame-input.js';
import { b64, createTenantWithKeys, FIXTURE_DIMENSION, FIXTURE_STUDENT_ID, jpegImage, unitEmbedding, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { backends, OPERATOR_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const numRuns = Number(process.env.FUZZ_RUNS ?? 40);
console.log(`graphql fuzz: seed ${seed}, ${numRuns} runs per property (replay with FUZZ_SEED=${seed})`);

// ── arbitraries ──────────────────────────────────────────────────────────────
const nastyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }), // any UTF-16 code unit, lone surrogates included
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('', ' ', '\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\ud83d', '📷', 'café', "'; DROP TABLE galleries; --", '%00', '\\', '{"a":1}', 'a'.repeat(201), 'b'.repeat(70_000)),
);
const nastyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: false }), // NaN and ±Infinity travel as JSON null
  fc.constantFrom(0, -1, 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, 0.5, 36_500, 36_501, 200, 201),
);
/** Ids: well-formed uuids that name nothing, malformed text, and (filled in per tenant) real ids of both tenants. */
const uuidLike = fc.oneof(fc.uuid(), nastyText, fc.constantFrom('00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff'));
const cursorLike = fc.oneof(
  nastyText,
  fc.tuple(fc.oneof(fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'x' : date.toISOString())), nastyText), uuidLike).map((pair) =>
    Buffer.from(JSON.stringify(pair)).toString('base64url'),
  ),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value)).toString('base64url')),
);
/** Sometimes a value of the wrong type entirely. */
const anything = fc.oneof(nastyText, nastyNumber, fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }));

describe.each(backends())('GraphQL input fuzzing (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys & { blobId: string; imageId: string; detectionId: string };
  let b: TenantKeys;

  async function post(query: string, variables: Record<string, unknown>, credential: string) {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ query, variables }),
    });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  }

  /** Everything of both tenants a call could change (lastUsedAt and the search audit, which records attempts by design, aside). */
  async function checksum(): Promise<string> {
    const rows = await server.app.db.asSystem((tx) => tx.$queryRaw<{ digest: string }[]>`
      SELECT md5(concat_ws('|',
        (SELECT string_agg(concat_ws(',', id, name, retention_days), ';' ORDER BY id) FROM galleries),
        (SELECT string_agg(concat_ws(',', id, gallery_id, idempotency_key, blob_sha256), ';' ORDER BY id) FROM images),
        (SELECT string_agg(concat_ws(',', id, image_id, x1, y1, x2, y2, score), ';' ORDER BY id) FROM detections),
        (SELECT string_agg(concat_ws(',', id, label, role, gallery_ids, revoked_at), ';' ORDER BY id) FROM api_keys),
        (SELECT string_agg(concat_ws(',', id, name), ';' ORDER BY id) FROM devices),
        (SELECT string_agg(concat_ws(',', id, name), ';' ORDER BY id) FROM tenants),
        (SELECT count(*)::text FROM audit_log))) AS digest`);
    return rows[0]!.digest;
  }

  /**
   * The property every fuzzed call must hold: no internal error, and no change
   * when the call is refused. A call that succeeds may change the data.
   */
  async function holds(query: string, variables: Record<string, unknown>, credential: string): Promise<void> {
    const before = await checksum();
    const { status, text, body } = await post(query, variables, credential);
    const codes = (body.errors ?? []).map((error) => error.extensions?.code);
    expect(status, text.slice(0, 500)).not.toBe(500);
    expect(codes, text.slice(0, 500)).not.toContain('INTERNAL_SERVER_ERROR');
    expect(codes.every((code) => typeof code === 'string'), text.slice(0, 500)).toBe(true);
    if (body.errors) expect(await checksum(), `a refused call changed the data: ${text.slice(0, 300)}`).toBe(before);
  }

  const ids = () => fc.oneof(uuidLike, fc.constantFrom(a.galleryId, a.imageId, a.detectionId, b.galleryId, b.tenantId));
  const check = <T>(property: fc.IAsyncProperty<T>) => fc.assert(property, { numRuns, seed, endOnFailure: true });

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, RATE_LIMIT_PER_MINUTE: '0' } });
    const keys = await createTenantWithKeys(server, 'fuzz-a');
    b = await createTenantWithKeys(server, 'fuzz-b');
    const blobId = (await server.putBlob(await jpegImage(64, 64, 1), 'image/jpeg', keys.device)).body.blobId as string;
    const frame = await post('mutation ($input: IngestFrameInput!) { ingestFrame(input: $input) { image { id } detections { id } } }', {
      input: oneDetectionFrame({ idempotencyKey: 'seed-frame', galleryId: keys.galleryId, blobId }),
    }, keys.device);
    const data = frame.body.data as { ingestFrame: { image: { id: string }; detections: { id: string }[] } };
    a = { ...keys, blobId, imageId: data.ingestFrame.image.id, detectionId: data.ingestFrame.detections[0]!.id };
  });
  afterAll(() => server?.close());

  it('gallery mutations', async () => {
    await check(fc.asyncProperty(nastyText, fc.option(nastyNumber), async (name, retentionDays) =>
      holds('mutation ($input: CreateGalleryInput!) { createGallery(input: $input) { id } }', { input: { name, retentionDays } }, a.admin)));
    await check(fc.asyncProperty(ids(), nastyText, async (id, name) =>
      holds('mutation ($input: UpdateGalleryInput!) { updateGallery(input: $input) { id } }', { input: { id, name } }, a.admin)));
    await check(fc.asyncProperty(ids(), anything, async (galleryId, days) =>
      holds('mutation ($input: SetGalleryRetentionInput!) { setGalleryRetention(input: $input) { id } }', { input: { galleryId, days } }, a.admin)));
    await check(fc.asyncProperty(nastyText, async (name) => holds('mutation ($input: RegisterDeviceInput!) { registerDevice(input: $input) { id } }', { input: { name } }, a.admin)));
  }, 300_000);

  it('destructive mutations with foreign and malformed ids', async () => {
    // Only ids that are not A's own real rows: a successful delete is not what this property is about.
    const foreign = fc.oneof(uuidLike, fc.constantFrom(b.galleryId, b.tenantId));
    await check(fc.asyncProperty(foreign, async (id) => holds('mutation ($id: ID!) { deleteGallery(id: $id) { deleted } }', { id }, a.admin)));
    await check(fc.asyncProperty(foreign, async (id) => holds('mutation ($id: ID!) { deleteImage(id: $id) { deleted } }', { id }, a.admin)));
    await check(fc.asyncProperty(foreign, async (id) => holds('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id }, a.admin)));
  }, 300_000);

  it('keys and tenants', async () => {
    await check(fc.asyncProperty(nastyText, fc.constantFrom('ADMIN', 'DEVICE', 'SEARCH', 'ROOT', ''), fc.option(fc.array(ids(), { maxLength: 3 })), async (name, role, galleryIds) =>
      holds('mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id } } }', { input: { name, role, galleryIds } }, a.admin)));
    await check(fc.asyncProperty(nastyText, async (name) => holds('mutation ($input: CreateTenantInput!) { createTenant(input: $input) { tenant { id } } }', { input: { name } }, OPERATOR_TOKEN)));
  }, 300_000);

  it('ingestFrame', async () => {
    const box = fc.record({ x1: nastyNumber, y1: nastyNumber, x2: nastyNumber, y2: nastyNumber });
    const detection = fc.record({
      box: fc.oneof(box, fc.constant({ x1: 1, y1: 1, x2: 30, y2: 60 })),
      score: fc.oneof(nastyNumber, fc.constant(0.5)),
      embedding: fc.oneof(nastyText, fc.constant(b64(unitEmbedding(FIXTURE_DIMENSION, 2))), fc.float32Array({ maxLength: 40 }).map((values) => b64(values))),
    });
    const input = fc.record({
      idempotencyKey: fc.oneof(nastyText, fc.uuid()),
      galleryId: fc.oneof(ids(), fc.constant(a.galleryId)),
      blobId: fc.oneof(nastyText, fc.constant(a.blobId), fc.hexaString({ minLength: 64, maxLength: 64 })),
      capturedAt: fc.oneof(nastyText, fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), fc.constant('2026-02-01T08:00:00Z')),
      modelId: fc.oneof(nastyText, fc.constant(FIXTURE_STUDENT_ID)),
      deviceId: fc.option(ids()),
      detections: fc.array(detection, { maxLength: 3 }),
    });
    await check(fc.asyncProperty(input, async (value) => holds('mutation ($input: IngestFrameInput!) { ingestFrame(input: $input) { duplicate } }', { input: value }, a.device)));
  }, 300_000);

  it('queries with ids, page sizes and cursors', async () => {
    await check(fc.asyncProperty(ids(), async (id) => holds('query ($id: ID!) { gallery(id: $id) { id } image(id: $id) { id } }', { id }, a.search)));
    await check(fc.asyncProperty(ids(), async (id) => holds('query ($id: ID!) { detection(id: $id) { id } }', { id }, a.admin)));
    for (const field of ['galleries', 'auditLog', 'searchAuditLog']) {
      await check(fc.asyncProperty(fc.oneof(nastyNumber, anything), fc.option(cursorLike), async (first, after) =>
        holds(`query ($first: Int, $after: String) { ${field}(first: $first, after: $after) { edges { cursor } } }`, { first, after }, a.admin)));
    }
    const window = fc.option(fc.oneof(nastyText, fc.date({ noInvalidDate: true }).map((date) => date.toISOString())));
    await check(fc.asyncProperty(fc.oneof(nastyNumber, anything), fc.option(cursorLike), window, window, async (first, after, capturedAfter, capturedBefore) =>
      holds('query ($id: ID!, $first: Int, $after: String, $from: DateTime, $to: DateTime) { gallery(id: $id) { images(first: $first, after: $after, capturedAfter: $from, capturedBefore: $to) { edges { cursor } } } }', { id: a.galleryId, first, after, from: capturedAfter, to: capturedBefore }, a.admin)));
  }, 300_000);

  it('searchPerson', async () => {
    const query = fc.oneof(
      fc.record({ detectionId: fc.oneof(ids(), fc.constant(a.detectionId)) }),
      fc.record({ photo: fc.record({ blobId: fc.oneof(nastyText, fc.constant(a.blobId)), box: fc.option(fc.record({ x1: nastyNumber, y1: nastyNumber, x2: nastyNumber, y2: nastyNumber })) }) }),
      fc.record({ embedding: fc.record({ modelId: fc.oneof(nastyText, fc.constant(FIXTURE_STUDENT_ID)), embedding: fc.oneof(nastyText, fc.float32Array({ maxLength: 20 }).map((values) => b64(values))) }) }),
      fc.record({ detectionId: ids(), photo: fc.constant({ blobId: 'x' }) }), // two members of a @oneOf
    );
    const input = fc.record({
      query,
      galleryIds: fc.option(fc.array(ids(), { maxLength: 3 })),
      capturedAfter: fc.option(fc.oneof(nastyText, fc.constant('2026-01-01T00:00:00Z'))),
      topK: fc.option(nastyNumber),
      candidatePool: fc.option(nastyNumber),
      rerank: fc.constant(false),
    });
    await check(fc.asyncProperty(input, async (value) => holds('query ($input: SearchPersonInput!) { searchPerson(input: $input) { hits { rank } } }', { input: value }, a.search)));
  }, 300_000);
});
