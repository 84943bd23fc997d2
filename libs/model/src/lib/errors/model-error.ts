/**
 * The one error type libs/model throws. `code` is a closed set so callers
 * (API, edge client) can map failures without parsing messages; unknown
 * failures are wrapped with their cause kept.
 */
export const MODEL_ERROR_CODES = [
  'INVALID_IMAGE',
  'IMAGE_TOO_LARGE',
  'INVALID_MANIFEST',
  'MANIFEST_MISMATCH',
  'CHECKSUM_MISMATCH',
  'MODEL_NOT_FOUND',
  'INFERENCE_FAILED',
] as const;

export type ModelErrorCode = (typeof MODEL_ERROR_CODES)[number];

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;

  constructor(code: ModelErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

export function isModelError(error: unknown, code?: ModelErrorCode): error is ModelError {
  return error instanceof ModelError && (code === undefined || error.code === code);
}

/** Keeps ModelErrors as they are; wraps anything else under `code`, cause kept. */
export function asModelError(error: unknown, code: ModelErrorCode, context: string): ModelError {
  if (error instanceof ModelError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ModelError(code, `${context}: ${reason}`, { cause: error });
}
