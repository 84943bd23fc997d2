// Per-request checks that need the request's variables, run once the
// operation is known and before anything executes:
//   1. every string in the variables and literals is storable text (input-text.ts);
//   2. depth, complexity and expensive root fields with sizes given as
//      variables (query-limits.ts; the validation rule saw only defaults);
//   3. the rate limit: the HTTP layer took one token for the request, each
//      further expensive field (an aliased search or ingest) takes one more.
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { RequestRateLimit } from '../auth/rate-limiter.js';
import type { RequestContext } from './context.js';
import { findBadTextInDocument, findBadTextInValue } from './input-text.js';
import { limitError, measureOperation, type QueryLimits } from './query-limits.js';

export function requestLimitsPlugin(limits: QueryLimits & { rateLimiter: RequestRateLimit }): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request, contextValue, schema }) {
          const badText = findBadTextInValue(request.variables ?? {}, '') ?? findBadTextInDocument(document);
          if (badText) {
            throw new GraphQLError(`${badText.field}: ${badText.problem}`, { extensions: { code: 'BAD_USER_INPUT', field: badText.field, http: { status: 400 } } });
          }
          if (!operation) return; // Apollo answers an unknown operationName itself
          const cost = measureOperation(schema, document, operation, request.variables);
          const tooComplex = limitError(cost, limits);
          if (tooComplex) throw tooComplex;
          const { actor } = contextValue;
          if (actor.kind === 'key' && cost.tokens > 1 && !limits.rateLimiter.take(actor.keyId, cost.tokens - 1)) {
            throw new GraphQLError(`this request counts as ${cost.tokens} requests (its expensive fields, or the frames of a batch); the key has fewer left this minute`, {
              extensions: { code: 'RATE_LIMITED', http: { status: 429 } },
            });
          }
        },
      };
    },
  };
}
