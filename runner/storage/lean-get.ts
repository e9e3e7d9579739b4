/**
 * The lean GET of one listed object version (http-get-into.ts) as the object stores use it:
 * only for objects big enough to gain from it, only where the store can presign, and with
 * the SDK's GET as the fallback whenever the lean one gives up before a body byte went out.
 */
import type { Writable } from 'node:stream';
import { httpGetInto, HttpGetIntoError, type Expected } from './http-get-into.ts';
import type { ObjectStore } from './object-store.ts';

/**
 * LEAN_GET_MIN_BYTES is the smallest object that takes the lean GET: below it the per-byte
 * saving is small and the SDK's pooled keep-alive connections save a connect (and a TLS
 * handshake) per object.
 */
export const LEAN_GET_MIN_BYTES = 4 * 1024 * 1024;

/** ListedObject is an object version as listed: its key, size and unquoted ETag. */
export interface ListedObject extends Expected {
  key: string;
}

/** takesLeanGet says whether an object of `size` bytes goes through the lean GET of `store` (pure). */
export function takesLeanGet(store: ObjectStore, size: number): boolean {
  return store.presignGet !== undefined && size >= LEAN_GET_MIN_BYTES;
}

/**
 * leanGet writes the object's body into `sink` with httpGetInto over a presigned URL and
 * ends the sink; it says whether it did (side effects: a GET, writes). False, with the sink
 * untouched, when the store cannot presign, the object is small, or the lean GET gave up
 * before the body: the caller takes the SDK's GET, with its retries and its wording of the
 * error. A lean GET that broke mid-body throws: the sink already holds part of the object.
 */
export async function leanGet(store: ObjectStore, object: ListedObject, sink: Writable): Promise<boolean> {
  let url: URL;
  try {
    if (!store.presignGet || !takesLeanGet(store, object.size)) return false;
    url = await store.presignGet(object.key);
  } catch {
    return false;
  }
  try {
    await httpGetInto(url, sink, object);
    return true;
  } catch (error) {
    if (error instanceof HttpGetIntoError && error.beforeBody) return false;
    throw error;
  }
}
