import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorCodeFrom } from './api-error.js';

describe('ApiError', () => {
  it('retries network, rate-limit and server failures only', () => {
    expect(new ApiError('NETWORK', 'x').transient).toBe(true);
    expect(new ApiError('RATE_LIMITED', 'x').transient).toBe(true);
    expect(new ApiError('INTERNAL_SERVER_ERROR', 'x').transient).toBe(true);
    expect(new ApiError('BAD_USER_INPUT', 'x').transient).toBe(false);
    expect(new ApiError('FORBIDDEN', 'x').transient).toBe(false);
  });

  it('prefers the server code, else maps the HTTP status', () => {
    expect(apiErrorCodeFrom('PAYLOAD_TOO_LARGE', 400)).toBe('PAYLOAD_TOO_LARGE');
    expect(apiErrorCodeFrom('SOMETHING_NEW', 503)).toBe('INTERNAL_SERVER_ERROR');
    expect(apiErrorCodeFrom(undefined, 401)).toBe('UNAUTHENTICATED');
    expect(apiErrorCodeFrom(undefined, 413)).toBe('PAYLOAD_TOO_LARGE');
    expect(apiErrorCodeFrom(undefined, 415)).toBe('BAD_USER_INPUT');
    expect(apiErrorCodeFrom(undefined, 429)).toBe('RATE_LIMITED');
  });
});
