// The HTTP layer against hostile clients, over raw TCP: a corpus of malformed
// request lines, headers and paths plus fast-check generated ones must never
// take the server down or answer 500 with internals; slowloris connections are
// closed; returned URLs never follow an unvetted Host header; anonymous
// introspection follows GRAPHQL_INTROSPECTION.
import { mkdtemp } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { ModelsDocument } from '@person-search/schema';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/lib/config.js';
import { startHttpServer } from '../src/lib/http/server.js';
import { createPublicUrlPolicy } from '../src/lib/http/request-target.js';
import { createTenantWithKeys, writeManifestOnlyModels, type TenantKeys } from './support/fixtures.js';
import { rawRequest, type RawResponse } from './support/raw-http.js';
import { startTestServer, type TestServer } from './support/test-server.js';

const HEADERS_TIMEOUT_MS = 1500;

describe('HTTP robustness (PGlite)', () => {
  let server: TestServer;
  let port: number;
  let tenant: TenantKeys;

  beforeAll(async () => {
    const models = await writeManifestOnlyModels(await mkdtemp(path.join(os.tmpdir(), 'api-models-')));
    server = await startTestServer({ env: { ...models.env, HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS), RATE_LIMIT_PER_MINUTE: '0' } });
    port = Number(new URL(server.url).port);
    tenant = await createTenantWithKeys(server, 'robust');
  });
  afterAll(() => server?.close());

  async function expectHealthy(): Promise<void> {
    const response = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
  }

  /** No 500, and nothing that looks like a stack trace or a file path in what came back. */
  function expectNoInternals(response: RawResponse): void {
    expect(response.status).not.toBe(500);
    expect(response.text).not.toMatch(/\n\s+at |node_modules|\.ts:\d+|INTERNAL_SERVER_ERROR/);
  }

  const line = (requestLine: string, headers = 'Host: x\r\n') => `${requestLine}\r\n${headers}Connection: close\r\n\r\n`;
  const corpus: [string, string | Buffer, number | null][] = [
    ['absolute-form with a broken IPv6 host (crashed the process)', line('GET http://[/ HTTP/1.1'), 400],
    ['absolute-form with an out-of-range port (crashed the process)', line('GET http://a:99999/healthz HTTP/1.1'), 400],
    ['absolute-form that is fine', line('GET http://example.org/healthz HTTP/1.1'), 200],
    ['absolute-form of another scheme', line('GET ftp://example.org/healthz HTTP/1.1'), 400],
    ['kiosk path with broken percent-encoding (was 500)', line('GET /kiosk/%E0%A4%A HTTP/1.1'), 400],
    ['kiosk path with a lone %', line('GET /kiosk/% HTTP/1.1'), 400],
    ['kiosk path with an encoded NUL', line('GET /kiosk/a%00.js HTTP/1.1'), 400],
    ['kiosk path climbing out', line('GET /kiosk/..%2f..%2f..%2fetc%2fpasswd HTTP/1.1'), 404],
    ['model path climbing out', line('GET /models/..%2f..%2fetc/passwd HTTP/1.1'), 404],
    ['image path that is not ids', line('GET /v1/images/%ZZ/%E0 HTTP/1.1'), 404],
    ['crop path with a huge signature', line(`GET /v1/crops/${'0'.repeat(36)}/x?expires=99999999999999999999&signature=${'A'.repeat(3000)} HTTP/1.1`), 404],
    ['protocol-relative path', line('GET //evil.example/healthz HTTP/1.1'), 404],
    ['asterisk-form', line('OPTIONS * HTTP/1.1'), 400],
    ['unknown method', line('BREW /graphql HTTP/1.1'), null],
    ['HTTP/9.9', line('GET /healthz HTTP/9.9'), null],
    ['no version', 'GET /healthz\r\n\r\n', null],
    ['garbage request line', 'GARBAGE\r\n\r\n', 400],
    ['binary noise', Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]), 400],
    ['header without a colon', line('GET /healthz HTTP/1.1', 'Host: x\r\nnocolon\r\n'), 400],
    ['NUL in a header value', line('GET /healthz HTTP/1.1', 'Host: x\r\nX-A: a\0b\r\n'), 400],
    ['oversized header block', line('GET /healthz HTTP/1.1', `Host: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n`), 431],
    ['two different Content-Lengths', line('POST /graphql HTTP/1.1', 'Host: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n'), 400],
    ['non-numeric Content-Length', line('POST /graphql HTTP/1.1', 'Host: x\r\nContent-Length: abc\r\n'), 400],
    ['Content-Length and chunked together', line('POST /graphql HTTP/1.1', 'Host: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n'), 400],
    ['bad chunk size', 'POST /graphql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n', 400],
    ['GraphQL body that is not JSON', 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{{{{{', 400],
    ['GraphQL JSON that is not an object', 'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnull', 400],
    ['malformed Authorization', line('POST /graphql HTTP/1.1', 'Host: x\r\nAuthorization: Bearer\r\n'), 401],
    ['Authorization that is not a key', line('PUT /v1/blobs HTTP/1.1', 'Host: x\r\nAuthorization: Bearer psk_\u00ff\r\n'), 401],
    ['upload without a content type', line('PUT /v1/blobs HTTP/1.1', `Host: x\r\nAuthorization: Bearer ${'psk_x_y'}\r\nContent-Length: 0\r\n`), 401],
    ['Host header that is an injection', line('GET /healthz HTTP/1.1', 'Host: evil.example/"><script>\r\n'), 200],
    ['WebSocket upgrade', line('GET /graphql HTTP/1.1', 'Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n'), null],
    ['CONNECT', line('CONNECT example.org:443 HTTP/1.1'), null],
  ];

  it.each(corpus)('survives %s', async (_name, request, expected) => {
    const response = await rawRequest(port, [request]);
    expectNoInternals(response);
    if (expected !== null) expect(response.status).toBe(expected);
    await expectHealthy();
  });

  it('survives fast-check generated request lines, paths and headers (no 500, always healthy)', async () => {
    const pathPiece = fc.oneof(
      fc.constantFrom('/', '/kiosk/', '/v1/images/', '/v1/crops/', '/models/', '/graphql', '/v1/blobs', 'http://', '//', '*', '%', '%E0%A4', '%00', '..', '?', '#', '[', ']', ':', '@', '\\', ';'),
      fc.string({ maxLength: 12 }),
      fc.fullUnicodeString({ maxLength: 4 }).map((text) => Buffer.from(text).toString('latin1')),
    );
    const target = fc.array(pathPiece, { minLength: 1, maxLength: 6 }).map((pieces) => pieces.join(''));
    const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'OPTIONS', 'DELETE', 'PATCH'), fc.stringMatching(/^[A-Z]{1,7}$/));
    const headerName = fc.oneof(fc.constantFrom('Host', 'Authorization', 'Content-Type', 'Expect', 'Transfer-Encoding', 'Range', 'Accept'), fc.stringMatching(/^[A-Za-z-]{1,12}$/));
    const headerValue = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('Bearer psk_a_b', 'image/png', 'application/json', '100-continue', 'chunked', 'bytes=0-'));
    const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 5 });
    const body = fc.oneof(fc.constant(''), fc.constant('{"query":"{ health { ok } }"}'), fc.string({ maxLength: 30 }));
    await fc.assert(
      fc.asyncProperty(method, target, headers, body, async (verb, requestTarget, headerList, payload) => {
        const head = headerList.map(([name, value]) => `${name}: ${value}\r\n`).join('');
        const request = Buffer.from(`${verb} ${requestTarget} HTTP/1.1\r\nHost: x\r\n${head}Content-Length: ${Buffer.byteLength(payload)}\r\nConnection: close\r\n\r\n${payload}`, 'latin1');
        const response = await rawRequest(port, [request], { waitMs: 2000 });
        expectNoInternals(response);
        await expectHealthy();
      }),
      { numRuns: 150 },
    );
  });

  it('closes a slowloris connection (headers trickling in) after HTTP_HEADERS_TIMEOUT_MS', async () => {
    const trickle = ['GET /healthz HTTP/1.1\r\nHost: x\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: ${i}\r\n`)];
    const response = await rawRequest(port, trickle, { gapMs: 200, waitMs: 8000 });
    expect(response.closedByServer).toBe(true);
    expect(response.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
    expect([408, null]).toContain(response.status);
  });

  it('closes a connection that never sends a byte', async () => {
    const response = await rawRequest(port, [], { waitMs: 8000 });
    expect(response.closedByServer).toBe(true);
    expect(response.elapsedMs).toBeLessThan(HEADERS_TIMEOUT_MS + 3000);
  });

  /** models.student.manifestUrl as returned to a request with this Host header (fetch cannot set Host; node:http can). */
  function manifestUrlWithHost(baseUrl: string, host: string): Promise<string> {
    const body = JSON.stringify({ query: print(ModelsDocument) });
    return new Promise((resolve, reject) => {
      const request = httpRequest(`${baseUrl}/graphql`, { method: 'POST', headers: { host, authorization: `Bearer ${tenant.admin}`, 'content-type': 'application/json' } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { models: { student: { manifestUrl: string } } } };
          resolve(json.data.models.student.manifestUrl);
        });
      });
      request.on('error', reject);
      request.end(body);
    });
  }

  it('never builds returned URLs from a foreign Host header on a loopback listener', async () => {
    expect(await manifestUrlWithHost(server.url, 'evil.example:666')).toMatch(new RegExp(`^${server.url}/models/`));
    expect(await manifestUrlWithHost(server.url, `localhost:${port}`)).toMatch(new RegExp(`^http://localhost:${port}/models/`));
  });

  it('refuses to listen beyond loopback without PUBLIC_URL or ALLOWED_HOSTS, and honours the allow-list', async () => {
    const app = { ...server.app, config: { ...server.app.config, publicUrl: undefined, allowedHosts: [] } };
    await expect(startHttpServer(app, { port: 0, host: '0.0.0.0' })).rejects.toBeInstanceOf(ConfigError);
    const allowListed = await startHttpServer({ ...app, config: { ...app.config, allowedHosts: ['kiosk.lan'] } }, { port: 0, host: '0.0.0.0' });
    try {
      const listenPort = new URL(allowListed.url).port;
      expect(await manifestUrlWithHost(allowListed.url, `kiosk.lan:${listenPort}`)).toMatch(new RegExp(`^http://kiosk.lan:${listenPort}/models/`));
      expect(await manifestUrlWithHost(allowListed.url, 'evil.example')).toMatch(new RegExp(`^${allowListed.url}/models/`));
    } finally {
      await allowListed.close();
    }
  });

  it('public URL policy: PUBLIC_URL wins; malformed Host values fall back to the listening URL', () => {
    const fixed = createPublicUrlPolicy({ publicUrl: 'https://api.example', allowedHosts: [], listenHost: '0.0.0.0', listeningUrl: () => 'http://localhost:1' });
    expect(fixed.baseUrlFor('evil.example')).toBe('https://api.example');
    const loopback = createPublicUrlPolicy({ publicUrl: undefined, allowedHosts: [], listenHost: '127.0.0.1', listeningUrl: () => 'http://127.0.0.1:1' });
    for (const host of ['evil.example', 'localhost@evil.example', 'localhost:1/x', '127.0.0.1:99999', '', undefined]) expect(loopback.baseUrlFor(host)).toBe('http://127.0.0.1:1');
    expect(loopback.baseUrlFor('[::1]:8080')).toBe('http://[::1]:8080');
  });

  it('introspection: anonymous callers are refused under GRAPHQL_INTROSPECTION=keys (the production default), keys may', async () => {
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe('keys');
    expect(loadConfig({}).introspection).toBe('public');
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_INTROSPECTION: 'public' }).introspection).toBe('public');
    const introspect = (url: string, credential?: string) =>
      fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(credential ? { authorization: `Bearer ${credential}` } : {}) },
        body: JSON.stringify({ query: '{ ...F } fragment F on Query { __schema { queryType { name } } }' }),
      }).then(async (response) => ({ status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions: { code: string } }[] } }));

    expect((await introspect(server.url)).body.errors).toBeUndefined(); // development default: public
    for (const [policy, anonymous, withKey] of [['keys', 'UNAUTHENTICATED', undefined], ['off', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_VALIDATION_FAILED']] as const) {
      const restricted = await startHttpServer({ ...server.app, config: { ...server.app.config, introspection: policy } }, { port: 0, host: '127.0.0.1' });
      try {
        const refused = await introspect(restricted.url);
        expect(refused.body.errors?.[0]?.extensions.code).toBe(anonymous);
        expect((await introspect(restricted.url, tenant.search)).body.errors?.[0]?.extensions.code).toBe(withKey);
      } finally {
        await restricted.close();
      }
    }
  });
});
