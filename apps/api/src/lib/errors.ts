// Errors with a code from the contract's closed set (libs/schema) that clients handle (`extensions.code` in GraphQL,
// `error.code` in JSON from the REST routes). Services throw AppError; anything
// else reaching the edge of the API is an internal error: logged with its
// cause, shown to the client only as INTERNAL_SERVER_ERROR.

import type { ErrorCode } from '@person-search/schema';

const httpStatusByCode: Record<ErrorCode, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
  NOT_FOUND: 404,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  QUERY_TOO_COMPLEX: 400,
  UNAVAILABLE: 503,
  INTERNAL_SERVER_ERROR: 500,
};

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, as a path (`input.detections[2].box`). */
    readonly field?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get httpStatus(): number {
    return httpStatusByCode[this.code];
  }
}

export const badInput = (field: string, message: string) => new AppError('BAD_USER_INPUT', `${field}: ${message}`, field);
export const tooLarge = (field: string, message: string) => new AppError('PAYLOAD_TOO_LARGE', `${field}: ${message}`, field);
/** Absent and belonging to another tenant look the same, so ids cannot be probed. */
export const notFound = (what: string, field?: string) => new AppError('NOT_FOUND', `${field ? `${field}: ` : ''}${what} not found`, field);
export const forbidden = (message: string) => new AppError('FORBIDDEN', message);
export const unauthenticated = (message = 'a valid API key is required (Authorization: Bearer psk_…)') =>
  new AppError('UNAUTHENTICATED', message);
export const unavailable = (message: string) => new AppError('UNAVAILABLE', message);

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/** Postgres SQLSTATE classes and driver failures that mean "the database is not reachable right now". */
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const UNAVAILABLE_DRIVER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGES = /ECONNREFUSED|ECONNRESET|Connection terminated|Can't reach database server|connection (is )?closed|timed out fetching a new connection|no database connection free within/i;

/** The driver's error behind Prisma's wrappers (`meta.driverAdapterError.cause`), if any. */
function driverCause(error: unknown): { code?: string; kind?: string } | undefined {
  const candidate = error as { meta?: { driverAdapterError?: { cause?: { code?: string; kind?: string } } }; cause?: { code?: string; kind?: string } };
  return candidate?.meta?.driverAdapterError?.cause ?? candidate?.cause;
}

/**
 * Translates a database failure into the closed code set: the database being
 * down or restarting is UNAVAILABLE (retryable); a value Postgres rejects as
 * data (SQLSTATE class 22: bad encoding, out-of-range date or number) that
 * escaped validation is BAD_USER_INPUT. Anything else: null (an internal error).
 */
export function databaseErrorToAppError(error: unknown): AppError | null {
  if (error === null || typeof error !== 'object' || isAppError(error)) return null;
  const { code: prismaCode, message = '' } = error as { code?: unknown; message?: string };
  const cause = driverCause(error);
  const sqlState = typeof cause?.code === 'string' ? cause.code : typeof prismaCode === 'string' && /^[0-9A-Z]{5}$/.test(prismaCode) ? prismaCode : undefined;
  if (
    (sqlState && UNAVAILABLE_SQLSTATES.test(sqlState)) ||
    (typeof prismaCode === 'string' && UNAVAILABLE_PRISMA_CODES.has(prismaCode)) ||
    (cause?.kind && UNAVAILABLE_DRIVER_KINDS.has(cause.kind)) ||
    UNAVAILABLE_MESSAGES.test(message)
  ) {
    return new AppError('UNAVAILABLE', 'the database is unavailable; retry shortly', undefined, { cause: error });
  }
  if (sqlState === '40P01' || sqlState === '40001') {
    // A deadlock or serialization failure: the transaction was rolled back whole, so a retry is safe (ingest is idempotent).
    return new AppError('UNAVAILABLE', 'the request collided with concurrent work on the database and was rolled back; retry', undefined, { cause: error });
  }
  if (sqlState?.startsWith('22')) {
    return new AppError('BAD_USER_INPUT', 'a value in the request is not valid (malformed text, or a number or date out of range)', undefined, { cause: error });
  }
  return null;
}
