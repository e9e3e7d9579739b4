/**
 * PatchError is thrown when a patch cannot be applied (bad operation, failed test, bad
 * directive, a patch type the kind does not support). Its message reads like
 * kube-apiserver's; `status` and `reason` are the metav1.Status code and reason to answer.
 */
export class PatchError extends Error {
  /** PatchError.status is the HTTP status the server should answer with (400, 413, 415 or 422). */
  readonly status: number;
  /** PatchError.reason is the metav1.Status reason matching `status`. */
  readonly reason: string;

  constructor(message: string, status = 422) {
    super(message);
    this.name = 'PatchError';
    this.status = status;
    this.reason = status === 415 ? 'UnsupportedMediaType' : status === 413 ? 'RequestEntityTooLarge' : status === 400 ? 'BadRequest' : 'Invalid';
  }
}
