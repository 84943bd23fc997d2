// POST/GET /graphql on node:http through Apollo Server's transport-neutral
// executeHTTPGraphQLRequest: authentication and the rate limit run first, so
// Apollo only ever sees a known caller.
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { typeDefs } from '@person-search/schema';
import type { Principal } from '../auth/principal.js';
import { AppError, unauthenticated } from '../errors.js';
import { createErrorFormatter } from '../graphql/format-error.js';
import { createRequestContext, type RequestContext } from '../graphql/context.js';
import { queryLimitsRule } from '../graphql/query-limits.js';
import { requestLimitsPlugin } from '../graphql/request-limits-plugin.js';
import { resolvers } from '../graphql/resolvers/index.js';
import type { AppContext } from '../app.js';
import { readBody } from './http-io.js';
import { requestsIntrospection } from './introspection-policy.js';

/** Most searches/ingests (aliases included) one request may hold; each also takes a rate-limit token. */
const MAX_EXPENSIVE_FIELDS = 10;

export async function createGraphqlRoute(app: AppContext) {
  const apollo = new ApolloServer<RequestContext>({
    typeDefs,
    resolvers,
    formatError: createErrorFormatter(app.log),
    validationRules: [queryLimitsRule(app.config.limits.queryDepth, app.config.limits.queryComplexity, MAX_EXPENSIVE_FIELDS)],
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // No field sets cache hints (every answer is per tenant and per key), so Apollo's default cache-control
      // plugin would only add a willResolveField hook to every resolved field.
      ApolloServerPluginCacheControlDisabled(),
      requestLimitsPlugin({ maxDepth: app.config.limits.queryDepth, maxComplexity: app.config.limits.queryComplexity, maxExpensiveFields: MAX_EXPENSIVE_FIELDS, rateLimiter: app.rateLimiter }),
    ],
    includeStacktraceInErrorResponses: false,
    introspection: app.config.introspection !== 'off',
    // The process owns shutdown (main.ts closes HTTP, worker and database in order).
    stopOnTerminationSignals: false,
  });
  await apollo.start();

  function sendGraphqlError(response: ServerResponse, error: AppError): void {
    const body = JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code, ...(error.field ? { field: error.field } : {}) } }] });
    response.writeHead(error.httpStatus, { 'content-type': 'application/json; charset=utf-8' });
    response.end(body);
  }

  async function handle(request: IncomingMessage, response: ServerResponse, url: URL, actor: Principal, baseUrl: string): Promise<void> {
    let body: unknown;
    try {
      const raw = request.method === 'POST' ? await readBody(request, app.config.limits.bodyBytes) : Buffer.alloc(0);
      body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch (error) {
      if (error instanceof AppError) return sendGraphqlError(response, error);
      return sendGraphqlError(response, new AppError('BAD_USER_INPUT', 'the request body is not valid JSON', 'body'));
    }
    if (app.config.introspection === 'keys' && actor.kind === 'anonymous' && requestsIntrospection(body, url)) {
      return sendGraphqlError(response, unauthenticated('introspection needs an API key (Authorization: Bearer psk_…)'));
    }
    const headers = new HeaderMap();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
      context: async () => createRequestContext({ actor, services: app.services, models: app.models, config: app.config, db: app.db, signer: app.signer, baseUrl, clientAddress: request.socket.remoteAddress ?? 'unknown' }),
    });
    const responseHeaders: Record<string, string> = {};
    for (const [name, value] of result.headers) responseHeaders[name] = value;
    response.writeHead(result.status ?? 200, responseHeaders);
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  }

  return { handle, sendGraphqlError, stop: () => apollo.stop() };
}
