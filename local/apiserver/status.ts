/**
 * metav1.Status builders: every failure the server answers is one of these, worded like
 * kube-apiserver's so that kubectl and client libraries print the familiar messages.
 */
import type { JsonObject, StatusCause } from './types.ts';

/** StatusDetails is the `details` member of a metav1.Status. */
export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** ApiError is a request failure carrying the metav1.Status the server answers with. */
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** toStatus renders the metav1.Status body of this error (pure). */
  toStatus(): JsonObject {
    return buildStatus(this.code, this.reason, this.message, this.details);
  }
}

/** buildStatus returns a metav1.Status object (pure). */
export function buildStatus(code: number, reason: string, message: string, details?: StatusDetails): JsonObject {
  const status: JsonObject = {
    kind: 'Status', apiVersion: 'v1', metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
  };
  if (message) status.message = message;
  if (reason) status.reason = reason;
  if (details) status.details = details;
  status.code = code;
  return status;
}

/** groupResource renders `plural.group` (or `plural` for the core group) as the server names resources. */
export function groupResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

/** notFound builds the 404 for a missing object (pure). */
export function notFound(group: string, plural: string, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${groupResource(group, plural)} "${name}" not found`, { name, group, kind: plural });
}

/** alreadyExists builds the 409 for a create of an existing name (pure). */
export function alreadyExists(group: string, plural: string, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${groupResource(group, plural)} "${name}" already exists`, { name, group, kind: plural });
}

/** conflict builds the 409 for a write with a stale resourceVersion (pure). */
export function conflict(group: string, plural: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${groupResource(group, plural)} "${name}": ${why}`, { name, group, kind: plural });
}

/** badRequest builds a 400 BadRequest (pure). */
export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

/** gone builds the 410 Expired a watch gets for a compacted resourceVersion (pure). */
export function gone(requested: number, oldest: number): ApiError {
  return new ApiError(410, 'Expired', `too old resource version: ${requested} (${oldest})`);
}

/** methodNotAllowed builds the 405 for a verb the resource does not serve (pure). */
export function methodNotAllowed(message = 'the server does not allow this method on the requested resource'): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

/** formatCause renders one field error as the server prints it: `field: message`. */
export function formatCause(cause: StatusCause): string {
  return cause.field ? `${cause.field}: ${cause.message}` : cause.message;
}

/**
 * invalid builds the 422 Invalid for field errors, with the message kube-apiserver prints:
 * `<Kind>.<group> "<name>" is invalid: <error>` or `... is invalid: [<e1>, <e2>]` (pure).
 */
export function invalid(group: string, kind: string, name: string, causes: StatusCause[]): ApiError {
  const qualifiedKind = group ? `${kind}.${group}` : kind;
  const parts = causes.map(formatCause);
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${list}`, { name, group, kind, causes });
}

/** internalError builds a 500 InternalError (pure). */
export function internalError(message: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: ${message}`);
}
