// Errors from the API, classified for the upload queue: a transient failure is
// retried with backoff, a permanent one parks the frame and is shown to staff.

import { errorCodes, type ErrorCode } from '@person-search/schema';

/** The API's codes, plus `NETWORK`: the request never got an HTTP answer (offline, DNS, aborted). */
export type ApiErrorCode = 'NETWORK' | ErrorCode;

const TRANSIENT: ReadonlySet<ApiErrorCode> = new Set(['NETWORK', 'RATE_LIMITED', 'UNAVAILABLE', 'INTERNAL_SERVER_ERROR']);

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth retrying later: the same request may succeed once the network or server recovers. */
  get transient(): boolean {
    return TRANSIENT.has(this.code);
  }
}

const KNOWN_CODES: ReadonlySet<string> = new Set(errorCodes);

export function apiErrorCodeFrom(code: unknown, httpStatus: number): ApiErrorCode {
  if (typeof code === 'string' && KNOWN_CODES.has(code)) return code as ApiErrorCode;
  if (httpStatus === 401) return 'UNAUTHENTICATED';
  if (httpStatus === 403) return 'FORBIDDEN';
  if (httpStatus === 404) return 'NOT_FOUND';
  if (httpStatus === 413) return 'PAYLOAD_TOO_LARGE';
  if (httpStatus === 429) return 'RATE_LIMITED';
  if (httpStatus === 400 || httpStatus === 415 || httpStatus === 422) return 'BAD_USER_INPUT';
  return 'INTERNAL_SERVER_ERROR';
}
