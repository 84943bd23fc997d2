// The API starts on embedded PGlite with migrations applied and answers
// /healthz and a GraphQL health + viewer query.
import { HealthDocument, ViewerDocument, CreateTenantDocument } from '@person-search/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, OPERATOR_TOKEN, startTestServer, type TestServer } from './support/test-server.js';

describe('api smoke (PGlite)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it('answers /healthz and /readyz', async () => {
    expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ ok: true });
    const ready = await fetch(`${server.url}/readyz`);
    expect((await ready.json()).database).toBe(true);
  });

  it('answers the health query without credentials, on a migrated PGlite', async () => {
    const response = await server.gql(HealthDocument, {});
    expect(response.data?.health).toMatchObject({ ok: true, database: 'pglite' });
    const migrations = await server.app.db.asSystem((tx) => tx.$queryRaw<{ count: number }[]>`SELECT count(*)::int AS count FROM _prisma_migrations WHERE finished_at IS NOT NULL`);
    expect(migrations[0]!.count).toBeGreaterThan(0);
  });

  it('answers viewer for a key and UNAUTHENTICATED without one', async () => {
    const created = await server.gql(CreateTenantDocument, { input: { name: 'smoke' } }, OPERATOR_TOKEN);
    const secret = created.data!.createTenant.adminKey.secret;
    const viewer = await server.gql(ViewerDocument, {}, secret);
    expect(viewer.data?.viewer).toMatchObject({ role: 'ADMIN', tenant: { name: 'smoke' } });
    // Authentication records use (to the minute): a key that has been used shows when.
    const lastUsedAt = (await server.gql(ViewerDocument, {}, secret)).data?.viewer.key.lastUsedAt;
    expect(Date.now() - new Date(lastUsedAt as string).getTime()).toBeLessThan(60_000);
    expect(errorCodes(await server.gql(ViewerDocument, {}))).toEqual(['UNAUTHENTICATED']);
    expect(errorCodes(await server.gql(ViewerDocument, {}, `${secret.slice(0, -2)}xx`))).toEqual(['UNAUTHENTICATED']);
  });

  it('serves Prometheus metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toContain('person_search_http_request_duration_seconds_bucket');
    expect(text).toMatch(/person_search_teacher_queue_depth \d+/);
  });

  it('answers CORS preflights for the API routes (bearer auth, any origin)', async () => {
    const preflight = await fetch(`${server.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://shop.example', 'access-control-request-headers': 'authorization' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});
