import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { extname, join } from 'node:path';
import { FeathermanError } from '../errors.ts';
import { leanGet, takesLeanGet, type ListedObject } from './lean-get.ts';
import type { ObjectStore } from './object-store.ts';

/** FileCache keeps local copies of objects keyed by (key, ETag). */
export interface FileCache {
  readonly dir: string;
  /** stats counts hits and downloads since the cache was created. */
  readonly stats: { hits: number; downloads: number };
  /**
   * fetch returns the local path of the object's bytes for that ETag, downloading it once
   * (side effect). Without an ETag it HEADs the object first; a given ETag or size that the
   * store disagrees with is FM_ERR_OBJECT_MISMATCH. The path never holds a partial file.
   */
  fetch(key: string, etag?: string, size?: number): Promise<string>;
}

/** cacheFileName is the cache's file name for (key, etag): hashed key, etag, key extension (pure). */
export function cacheFileName(key: string, etag: string): string {
  const digest = createHash('sha256').update(key).digest('hex');
  const extension = extname(key);
  const suffix = /^\.[A-Za-z0-9]{1,12}$/.test(extension) ? extension : '';
  return join(digest.slice(0, 2), `${digest}-${etag.replace(/[^A-Za-z0-9-]/g, '_')}${suffix}`);
}

async function sizeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/**
 * leanDownload writes a listed object version to `path` through the lean GET and says
 * whether it did (side effect: the file). False when the lean GET does not apply or gave
 * up, before or during the body: the SDK's download then writes the file anew, with its
 * retries and its wording of any error.
 */
async function leanDownload(store: ObjectStore, object: ListedObject, path: string): Promise<boolean> {
  // Most data files are small: no file is opened for a GET the lean path would refuse.
  if (!takesLeanGet(store, object.size)) return false;
  const file = createWriteStream(path);
  const closed = once(file, 'close').catch(() => undefined);
  let done = false;
  try {
    done = await leanGet(store, object, file);
  } catch {
    done = false;
  }
  if (!done) file.destroy();
  await closed;
  return done;
}

/**
 * createFileCache builds a cache in `dir` over `store` (no I/O until fetch). Files are
 * written under a temp name and renamed into place, so other processes sharing the folder
 * see whole files or none; fetches of the same object in this process share one download.
 */
export function createFileCache(dir: string, store: ObjectStore): FileCache {
  const inFlight = new Map<string, Promise<string>>();
  const stats = { hits: 0, downloads: 0 };
  const where = (key: string) => `s3://${store.bucket}/${key}`;

  async function load(key: string, expectedEtag: string | undefined, expectedSize: number | undefined): Promise<string> {
    let etag = expectedEtag;
    let size = expectedSize;
    if (etag === undefined) {
      const info = await store.head(key);
      if (!info) throw new FeathermanError('FM_ERR_OBJECT_STORE', `object ${where(key)} does not exist`);
      etag = info.etag;
      size ??= info.size;
    }
    const path = join(dir, cacheFileName(key, etag));
    const existing = await sizeOf(path);
    if (existing !== undefined && (size === undefined || existing === size)) {
      stats.hits += 1;
      return path;
    }
    await mkdir(join(path, '..'), { recursive: true });
    const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.download`;
    try {
      const lean = size !== undefined && (await leanDownload(store, { key, etag, size }, temp));
      const info = lean ? { key, etag, size } : await store.getToFile(key, temp);
      stats.downloads += 1;
      if (info.etag !== etag) {
        throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `object ${where(key)} has ETag ${info.etag}; expected ${etag}`);
      }
      if (size !== undefined && info.size !== size) {
        throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `object ${where(key)} has ${info.size} bytes; expected ${size}`);
      }
      await rename(temp, path);
      return path;
    } finally {
      await rm(temp, { force: true });
    }
  }

  return {
    dir,
    stats,
    fetch(key, etag, size) {
      const id = `${key}\u0000${etag ?? ''}`;
      let pending = inFlight.get(id);
      if (!pending) {
        pending = load(key, etag, size).finally(() => inFlight.delete(id));
        inFlight.set(id, pending);
      }
      return pending;
    },
  };
}
