// Gallery.images: an admin (or search key) lists a gallery's frames, newest
// capturedAt first, paged with the same opaque cursors, page bounds and
// complexity counting as `galleries` and `auditLog`, for exactly the callers
// `image(id:)` allows. Runs on PGlite and (with TEST_DATABASE_URL) Postgres.
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CreateApiKeyDocument, CreateGalleryDocument, GalleryImagesDocument, ImageDocument, IngestFrameDocument, type GalleryImagesQuery } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenantWithKeys, jpegImage, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { oneDetectionFrame } from './support/frame-input.js';
import { backends, cursorOf, errorCodes, startTestServer, type GraphqlResponse, type TestServer } from './support/test-server.js';

/** Capture times with a tie (two frames at 09:00), ingested out of order. */
const CAPTURED = ['2026-02-01T09:00:00.000Z', '2026-02-01T07:00:00.000Z', '2026-02-01T11:00:00.000Z', '2026-02-01T09:00:00.000Z', '2026-02-01T08:00:00.000Z', '2026-02-01T10:00:00.000Z', '2026-02-01T06:00:00.000Z'];

describe.each(backends())('Gallery.images (%s)', (backend) => {
  let server: TestServer;
  let a: TenantKeys;
  let b: TenantKeys;
  let g2: string;
  let g2ImageId: string;
  /** Tenant A's frames in its first gallery, in the order the field must list them. */
  let expected: { id: string; capturedAt: string }[];
  let counter = 0;

  async function ingest(tenant: TenantKeys, galleryId: string, capturedAt: string) {
    const blobId = (await server.putBlob(await jpegImage(64, 64, ++counter), 'image/jpeg', tenant.device)).body.blobId as string;
    const input = { ...oneDetectionFrame({ idempotencyKey: `frame-${counter}`, galleryId, blobId, seed: counter }), capturedAt };
    return (await server.gql(IngestFrameDocument, { input }, tenant.device)).data!.ingestFrame.image.id;
  }

  /** Every page of `galleryId`'s frames, `first` at a time. */
  async function allPages(key: string, galleryId: string, first: number, window: { capturedAfter?: string; capturedBefore?: string } = {}) {
    const seen: { id: string; capturedAt: string }[] = [];
    let after: string | null = null;
    for (let page = 0; page < 20; page++) {
      const response: GraphqlResponse<GalleryImagesQuery> = await server.gql(GalleryImagesDocument, { id: galleryId, first, after, ...window }, key);
      expect(response.errors).toBeUndefined();
      const images = response.data!.gallery.images;
      expect(images.edges.length).toBeLessThanOrEqual(first);
      seen.push(...images.edges.map((edge) => ({ id: edge.node.id, capturedAt: edge.node.capturedAt as string })));
      if (!images.pageInfo.hasNextPage) return seen;
      after = images.pageInfo.endCursor!;
    }
    throw new Error('more pages than frames');
  }

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ backend, env: { ...models.env, RATE_LIMIT_PER_MINUTE: '0' } });
    a = await createTenantWithKeys(server, 'images-a');
    b = await createTenantWithKeys(server, 'images-b');
    const ids = [];
    for (const capturedAt of CAPTURED) ids.push(await ingest(a, a.galleryId, capturedAt));
    expected = ids
      .map((id, i) => ({ id, capturedAt: CAPTURED[i]! }))
      .sort((x, y) => (x.capturedAt !== y.capturedAt ? (x.capturedAt < y.capturedAt ? 1 : -1) : x.id < y.id ? 1 : -1));
    g2 = (await server.gql(CreateGalleryDocument, { input: { name: 'g2' } }, a.admin)).data!.createGallery.id;
    g2ImageId = await ingest(a, g2, '2026-02-01T12:00:00.000Z');
    await ingest(b, b.galleryId, '2026-02-01T12:00:00.000Z');
  });
  afterAll(() => server?.close());

  it('pages through more frames than `first`, each exactly once, newest first with ties by id', async () => {
    for (const first of [1, 2, 3, 50]) expect(await allPages(a.admin, a.galleryId, first)).toEqual(expected);
    // The search role reads frames like image(id:) does.
    expect(await allPages(a.search, a.galleryId, 4)).toEqual(expected);
    const page = await server.post('query ($id: ID!) { gallery(id: $id) { images(first: 2) { edges { node { id url gallery { id } detections { id } } } } } }', { id: a.galleryId }, a.admin);
    expect(page.errors).toBeUndefined();
    for (const edge of page.data.gallery.images.edges) {
      expect(edge.node.gallery.id).toBe(a.galleryId);
      expect(edge.node.detections).toHaveLength(1);
      expect(edge.node.url).toMatch(/^http/);
    }
  });

  it('filters by an inclusive capture window, paged', async () => {
    const window = { capturedAfter: '2026-02-01T08:00:00.000Z', capturedBefore: '2026-02-01T10:00:00.000Z' };
    const inWindow = expected.filter((image) => image.capturedAt >= window.capturedAfter && image.capturedAt <= window.capturedBefore);
    expect(inWindow).toHaveLength(4);
    expect(await allPages(a.admin, a.galleryId, 1, window)).toEqual(inWindow);
    expect(await allPages(a.admin, a.galleryId, 50, { capturedAfter: '2026-02-01T10:30:00+00:00' })).toEqual(expected.slice(0, 1));
    expect(await allPages(a.admin, a.galleryId, 50, { capturedBefore: '2026-02-01T06:00:00Z' })).toEqual(expected.slice(-1));
    const reversed = await server.gql(GalleryImagesDocument, { id: a.galleryId, capturedAfter: window.capturedBefore, capturedBefore: window.capturedAfter }, a.admin);
    expect(reversed.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'capturedBefore' }]);
  });

  it('refuses cursors it did not issue as BAD_USER_INPUT on `after`, as `galleries` does', async () => {
    const bad = ['not a cursor', cursorOf('+275760-09-13T00:00:00.000Z'), cursorOf('-000001-01-01T00:00:00.000Z'), cursorOf('1969-12-31T23:59:59.000Z'), cursorOf('not a date'), cursorOf('2026-02-01T09:00:00.000Z', 'not-a-uuid')];
    for (const after of bad) {
      const images = await server.gql(GalleryImagesDocument, { id: a.galleryId, first: 5, after }, a.admin);
      expect({ after, errors: images.errors?.map((error) => error.extensions) }).toEqual({ after, errors: [{ code: 'BAD_USER_INPUT', field: 'after' }] });
      const galleries = await server.post('query ($after: String) { galleries(first: 5, after: $after) { edges { cursor } } }', { after }, a.admin);
      expect(galleries.errors?.map((error) => error.extensions)).toEqual([{ code: 'BAD_USER_INPUT', field: 'after' }]);
    }
  });

  it('bounds `first` and counts it in query complexity like the other connections, literal or variable', async () => {
    const images = 'query ($id: ID!, $n: Int) { gallery(id: $id) { images(first: $n) { edges { cursor } } } }';
    const galleries = 'query ($n: Int) { galleries(first: $n) { edges { cursor } } }';
    for (const n of [0, -1, 201]) {
      const imagesAnswer = await server.post(images, { id: a.galleryId, n }, a.admin);
      const galleriesAnswer = await server.post(galleries, { n }, a.admin);
      expect(imagesAnswer.errors?.map((error) => [error.extensions, error.message])).toEqual(galleriesAnswer.errors?.map((error) => [error.extensions, error.message]));
      expect(imagesAnswer.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    // A page size far above the bound is refused by complexity before it runs, as a variable and as a literal.
    for (const [query, variables] of [
      [images, { id: a.galleryId, n: 100_000 }],
      [`{ gallery(id: "${a.galleryId}") { images(first: 100000) { edges { cursor } } } }`, {}],
      [galleries, { n: 100_000 }],
    ] as const) {
      expect((await server.post(query, variables, a.admin)).errors?.map((error) => error.extensions?.code)).toEqual(['QUERY_TOO_COMPLEX']);
    }
  });

  it("gives another tenant's key NOT_FOUND for the gallery and none of its frames", async () => {
    for (const key of [b.admin, b.search]) {
      const response = await server.gql(GalleryImagesDocument, { id: a.galleryId }, key);
      expect(errorCodes(response)).toEqual(['NOT_FOUND']);
      expect(response.data ?? null).toBeNull();
    }
    const own = await allPages(b.admin, b.galleryId, 50);
    expect(own).toHaveLength(1);
    expect(own.some((image) => expected.some((theirs) => theirs.id === image.id))).toBe(false);
    // Through the list: B's galleries hold only B's frames.
    const listed = await server.post('{ galleries(first: 10) { edges { node { id images(first: 50) { edges { node { id } } } } } } }', {}, b.admin);
    expect(listed.errors).toBeUndefined();
    expect(JSON.stringify(listed.data)).not.toContain(a.galleryId);
    expect(expected.some((image) => JSON.stringify(listed.data).includes(image.id))).toBe(false);
  });

  it("keeps a gallery-scoped key to its galleries' frames", async () => {
    const scoped = async (role: 'ADMIN' | 'SEARCH') =>
      (await server.gql(CreateApiKeyDocument, { input: { name: `g1-${role}`, role, galleryIds: [a.galleryId] } }, a.admin)).data!.createApiKey.secret;
    for (const key of [await scoped('ADMIN'), await scoped('SEARCH')]) {
      const outOfScope = await server.gql(GalleryImagesDocument, { id: g2 }, key);
      // gallery(id:) refuses the out-of-scope gallery (FORBIDDEN) before its frames are reached.
      expect(errorCodes(outOfScope)).toEqual(['FORBIDDEN']);
      expect(outOfScope.data ?? null).toBeNull();
      expect(await allPages(key, a.galleryId, 3)).toEqual(expected);
      const listed = await server.post('{ galleries(first: 10) { edges { node { id images(first: 50) { edges { node { id } } } } } } }', {}, key);
      expect(listed.errors).toBeUndefined();
      expect(listed.data.galleries.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([a.galleryId]);
      expect(JSON.stringify(listed.data)).not.toContain(g2ImageId);
    }
  });

  it('allows exactly the callers image(id:) allows', async () => {
    const scoped = async (role: 'ADMIN' | 'DEVICE' | 'SEARCH') =>
      (await server.gql(CreateApiKeyDocument, { input: { name: `role-${role}`, role, galleryIds: [a.galleryId] } }, a.admin)).data!.createApiKey.secret;
    const imageId = expected[0]!.id;
    const callers = { admin: a.admin, device: a.device, search: a.search, deviceScoped: await scoped('DEVICE'), searchScoped: await scoped('SEARCH'), none: undefined };
    const outcomes: Record<string, [unknown, unknown]> = {};
    for (const [name, key] of Object.entries(callers)) {
      const listed = await server.gql(GalleryImagesDocument, { id: a.galleryId, first: 1 }, key);
      const single = await server.gql(ImageDocument, { id: imageId }, key);
      outcomes[name] = [errorCodes(listed)[0] ?? listed.data?.gallery.images.edges[0]?.node.id, errorCodes(single)[0] ?? single.data?.image.id];
    }
    expect(outcomes).toEqual({
      admin: [imageId, imageId],
      search: [imageId, imageId],
      searchScoped: [imageId, imageId],
      device: ['FORBIDDEN', 'FORBIDDEN'],
      deviceScoped: ['FORBIDDEN', 'FORBIDDEN'],
      none: ['UNAUTHENTICATED', 'UNAUTHENTICATED'],
    });
  });
});
