/**
 * The only place that branches on @kubernetes/client-node's ApiException codes: 404
 * becomes "missing", 409 "conflict" or "already exists"; everything else is unexpected
 * and is wrapped with what was being done (a handler answers 5xx, Knative redelivers).
 */
import { ApiException } from '@kubernetes/client-node';

/** statusCodeOf returns the HTTP status of a client-node error, if it has one (pure). */
export function statusCodeOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

/** isNotFound reports a 404 (pure). */
export function isNotFound(error: unknown): boolean {
  return statusCodeOf(error) === 404;
}

/** isConflict reports a 409: AlreadyExists on create, a resourceVersion conflict on update (pure). */
export function isConflict(error: unknown): boolean {
  return statusCodeOf(error) === 409;
}

/** KubeUnavailableError is an unexpected API failure; handlers map it to 503 so the event is redelivered. */
export class KubeUnavailableError extends Error {
  constructor(doing: string, cause: unknown) {
    super(`while ${doing}`, { cause });
    this.name = 'KubeUnavailableError';
  }
}

/** wrapKubeError wraps an unexpected error with what was being done (pure). */
export function wrapKubeError(doing: string, error: unknown): KubeUnavailableError {
  return new KubeUnavailableError(doing, error);
}
