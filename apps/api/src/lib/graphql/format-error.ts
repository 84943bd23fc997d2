// Maps every error leaving GraphQL to the closed code set. AppErrors and
// graphql-js's own request errors (parse, validation, variable coercion) keep
// their message; anything else is logged with its cause and masked.
import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { databaseErrorToAppError, isAppError } from '../errors.js';
import type { Logger } from '../logger.js';

const passThroughCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** `Variable "$input" got invalid value … at "input.detections[0].box"; …` → `input.detections[0].box`. */
function fieldFromMessage(message: string): string | undefined {
  return /at "([^"]+)"/.exec(message)?.[1] ?? /Variable "\$([^"]+)"/.exec(message)?.[1];
}

export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const unwrapped = unwrapResolverError(error);
    // A database outage is UNAVAILABLE (retryable); a value Postgres refuses as data is BAD_USER_INPUT.
    const original = databaseErrorToAppError(unwrapped) ?? unwrapped;
    if (isAppError(original)) {
      if (original.cause !== undefined && original.code === 'UNAVAILABLE') log.warn({ err: original.cause, path: formatted.path }, original.message);
      return {
        message: original.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...(original.field ? { field: original.field } : {}) },
      };
    }
    // Apollo re-codes every validation-rule error as GRAPHQL_VALIDATION_FAILED; ours (query-limits.ts) are recognised by their wording.
    const code = /^query (depth \d+ exceeds|complexity \d+ exceeds|holds \d+ expensive fields)/.test(formatted.message) ? 'QUERY_TOO_COMPLEX' : formatted.extensions?.code;
    if (typeof code === 'string' && passThroughCodes.has(code) && !formatted.path) {
      const given = formatted.extensions?.field;
      const field = code === 'BAD_USER_INPUT' ? (typeof given === 'string' ? given : fieldFromMessage(formatted.message)) : undefined;
      return { message: formatted.message, extensions: { code, ...(field ? { field } : {}) } };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in GraphQL request');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
