/**
 * ErrorCode lists the expected failures of the runner; each has a stable code that the
 * control plane maps to a condition reason.
 */
export type ErrorCode =
  | 'FM_ERR_INVALID_PLAN'
  | 'FM_ERR_INVALID_SPEC'
  | 'FM_ERR_LOCK_TIMEOUT'
  | 'FM_ERR_CATALOG_MISSING'
  | 'FM_ERR_CATALOG_VERSION'
  | 'FM_ERR_TABLE_MISSING'
  | 'FM_ERR_DATA_LOSS_REFUSED'
  | 'FM_ERR_LANDING_FILE'
  | 'FM_ERR_OBJECT_MISMATCH'
  | 'FM_ERR_OBJECT_STORE'
  | 'FM_ERR_QUERY_REFUSED'
  | 'FM_ERR_QUERY_FAILED'
  | 'FM_ERR_CONFLICT';

/** FeathermanError is an expected failure with a stable code and a one-sentence message. */
export class FeathermanError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FeathermanError';
    this.code = code;
  }
}

/** isFeathermanError narrows an unknown error to a FeathermanError (pure). */
export function isFeathermanError(error: unknown): error is FeathermanError {
  return error instanceof FeathermanError;
}
