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
