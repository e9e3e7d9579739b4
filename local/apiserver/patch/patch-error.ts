/**
 * PatchError is thrown when a patch cannot be applied (bad operation, failed test, bad
 * directive). The server answers it with 422 (json-patch test failures, SSA conflicts are
 * separate) or 400; its message reads like kube-apiserver's.
 */
export class PatchError extends Error {
  /** PatchError.status is the HTTP status the server should answer with. */
  readonly status: number;

  constructor(message: string, status = 422) {
    super(message);
    this.name = 'PatchError';
    this.status = status;
  }
}
