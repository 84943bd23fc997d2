// The HTTP server: one node:http listener routing to GraphQL, blobs, model
// files, the kiosk, health and metrics. Each request is timed for /metrics;
// errors leave as JSON with a code from the closed set, internals masked.
// Every step of a request, from parsing its target on, runs inside one error
// boundary: no request, however malformed, may take the process down.
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { AppContext } from '../app.js';
import { AppError, databaseErrorToAppError, isAppError } from '../errors.js';
import type { Principal } from '../auth/principal.js';
import { pendingTeacherCount } from '../repositories/teacher-queue-repository.js';
import { getStoredImage, putBlob } from './blob-routes.js';
import { createGraphqlRoute } from './graphql-route.js';
import { bearer, sendError, sendJson } from './http-io.js';
import { createPublicUrlPolicy, parseRequestTarget } from './request-target.js';
import { serveKiosk, serveModelFile } from './static-routes.js';

export interface RunningServer {
  server: Server;
  url: string;
  close(): Promise<void>;
}

function routeName(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/v1/blobs' || pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname;
  for (const prefix of ['/v1/images/', '/v1/crops/', '/models/', '/kiosk']) if (pathname.startsWith(prefix)) return `${prefix}*`;
  return 'other';
}

export async function startHttpServer(app: AppContext, options: { port: number; host: string }): Promise<RunningServer> {
  let listeningUrl = '';
  // Checked before anything starts: a misconfigured public listener must not start.
  const publicUrls = createPublicUrlPolicy({ publicUrl: app.config.publicUrl, allowedHosts: app.config.allowedHosts, listenHost: options.host, listeningUrl: () => listeningUrl });
  const graphql = await createGraphqlRoute(app);
  function baseUrlOf(request: IncomingMessage): string {
    return publicUrls.baseUrlFor(request.headers.host);
  }

  async function authenticate(request: IncomingMessage): Promise<Principal> {
    const actor = await app.services.auth.authenticate(bearer(request));
    if (actor.kind === 'key' && !app.rateLimiter.take(actor.keyId)) {
      throw new AppError('RATE_LIMITED', `more than ${app.config.limits.requestsPerMinute} requests per minute for this key`);
    }
    return actor;
  }

  async function route(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { pathname } = url;
    const method = request.method ?? 'GET';
    if (pathname === '/graphql' || pathname === '/healthz' || pathname.startsWith('/v1/') || pathname.startsWith('/models/') || pathname.startsWith('/kiosk/')) {
      // Callers authenticate with a bearer header, never cookies, so any origin
      // may call (the embeddable kiosk element runs on customers' pages, and
      // loads its module script and WASM runtime from /kiosk/ in CORS mode;
      // its upload queue probes /healthz before retrying after an outage).
      response.setHeader('access-control-allow-origin', '*');
      response.setHeader('access-control-allow-headers', 'authorization, content-type, accept');
      response.setHeader('access-control-allow-methods', 'GET, POST, PUT, OPTIONS');
      response.setHeader('access-control-max-age', '600');
      response.setHeader('cross-origin-resource-policy', 'cross-origin');
      if (method === 'OPTIONS') {
        response.writeHead(204).end();
        return;
      }
    }
    if (pathname === '/graphql' && (method === 'POST' || method === 'GET')) {
      let actor: Principal;
      try {
        actor = await authenticate(request);
      } catch (error) {
        if (isAppError(error)) return graphql.sendGraphqlError(response, error);
        throw error;
      }
      return graphql.handle(request, response, url, actor, baseUrlOf(request));
    }
    if (pathname === '/v1/blobs' && method === 'PUT') return putBlob(app, request, response, await authenticate(request));
    const stored = /^\/v1\/(images|crops)\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (stored && method === 'GET') {
      const actor = request.headers.authorization ? await authenticate(request) : ({ kind: 'anonymous' } as const);
      return getStoredImage(app, stored[1] === 'images' ? 'image' : 'crop', stored[2]!, stored[3]!, url, actor, response);
    }
    const modelFile = /^\/models\/([a-z0-9-]+)\/([\w.-]+)$/.exec(pathname);
    if (modelFile && method === 'GET') return serveModelFile(app, modelFile[1]!, modelFile[2]!, response);
    // HEAD too (uptime checks, link checkers): Node sends the headers and drops the body.
    if ((pathname === '/kiosk' || pathname.startsWith('/kiosk/')) && (method === 'GET' || method === 'HEAD')) {
      if (pathname === '/kiosk') {
        response.writeHead(308, { location: '/kiosk/' }).end();
        return;
      }
      return serveKiosk(pathname, response);
    }
    if (pathname === '/healthz') return sendJson(response, 200, { ok: true });
    if (pathname === '/readyz') {
      const database = await app.db.asSystem((tx) => tx.$queryRaw`SELECT 1`).then(() => true, () => false);
      const ready = database && app.models.student !== null;
      return sendJson(response, ready ? 200 : 503, { ok: ready, database, student: app.models.student?.manifest.id ?? null, teacher: app.models.teacher?.manifest.id ?? null });
    }
    if (pathname === '/metrics') {
      const queueDepth = await app.db.asSystem((tx) => pendingTeacherCount(tx)).catch(() => -1);
      const body = app.metrics.render({ person_search_teacher_queue_depth: { help: 'Detections waiting for a teacher embedding.', value: queueDepth } });
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(body);
      return;
    }
    if (pathname === '/' && method === 'GET') {
      return sendJson(response, 200, { graphql: '/graphql', kiosk: '/kiosk/', blobs: 'PUT /v1/blobs', health: '/healthz', ready: '/readyz', metrics: '/metrics' });
    }
    throw new AppError('NOT_FOUND', `no route for ${method} ${pathname}`);
  }

  function fail(response: ServerResponse, error: unknown, pathname: string): void {
    try {
      if (response.headersSent) {
        app.log.error({ err: error, path: pathname }, 'error after response started');
        response.destroy();
        return;
      }
      if (isAppError(error)) return sendError(response, error);
      // A database outage is UNAVAILABLE (503, retryable) on the REST routes too.
      const fromDatabase = databaseErrorToAppError(error);
      if (fromDatabase) {
        app.log.warn({ err: error, path: pathname }, 'database error in HTTP request');
        return sendError(response, fromDatabase);
      }
      app.log.error({ err: error, path: pathname }, 'unexpected error in HTTP request');
      sendError(response, new AppError('INTERNAL_SERVER_ERROR', 'Internal server error'));
    } catch (sendFailure) {
      app.log.error({ err: sendFailure }, 'could not send an error response');
      response.destroy();
    }
  }

  async function handle(request: IncomingMessage, response: ServerResponse, label: { route: string }): Promise<void> {
    let pathname = '(unparsed)';
    try {
      const url = parseRequestTarget(request.url);
      pathname = url.pathname;
      label.route = routeName(pathname);
      await route(request, response, url);
    } catch (error) {
      fail(response, error, pathname);
    }
  }

  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = app.config.http;
  const server = createServer(
    {
      // Slow or stalled clients (slowloris) are cut off: the whole header block
      // must arrive within headersTimeout, the whole request within requestTimeout,
      // checked every connectionsCheckingInterval.
      headersTimeout: headersTimeoutMs,
      requestTimeout: Math.max(requestTimeoutMs, headersTimeoutMs),
      keepAliveTimeout: keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(headersTimeoutMs / 2)),
    },
    (request, response) => {
      const started = performance.now();
      const label = { route: 'invalid' };
      response.on('finish', () => {
        app.metrics.httpRequestSeconds.observe({ route: label.route, status: String(response.statusCode) }, (performance.now() - started) / 1000);
      });
      handle(request, response, label).catch((error: unknown) => app.log.error({ err: error }, 'HTTP error boundary failed'));
    },
  );
  server.maxRequestsPerSocket = 1000;
  // Requests Node's parser rejects (bad request line, oversized or malformed
  // headers, timeouts) get a bare status and the connection is closed.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`, () => socket.destroy());
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  listeningUrl = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;

  return {
    server,
    url: listeningUrl,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await graphql.stop();
    },
  };
}
