import { createHash } from 'node:crypto';
import { copyFile, mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FeathermanError } from '../../errors.ts';
import { createFileCache, type FileCache } from '../../storage/file-cache.ts';
import type { ObjectStore } from '../../storage/object-store.ts';

/** FetchContext is what fetching needs from the operation: stores by bucket and the cache folder. */
export interface FetchContext {
  storeFor(bucket: string): ObjectStore;
  /** Folder holding every cached lake object; the sandbox may read only below it. */
  objectsDir: string;
}

/** FetchRequest is one lake file to bring local: its full path and the size the catalog records. */
export interface FetchRequest {
  path: string;
  sizeBytes: number;
}

/** FetchStats count what a fetch did. */
export interface FetchStats {
  hits: number;
  downloads: number;
}

const S3_PATH = /^s3:\/\/([^/]+)\/(.+)$/;

/**
 * Fetcher brings lake files into the local cache. S3 objects go through the shared file
 * cache keyed by (key, ETag): the catalog stores no ETag, so each surviving file costs
 * one HEAD (cheap next to a download) and a cached copy is reused only while the object
 * still has that ETag — a restore or manual rewrite under the same key is never served
 * stale — and its size must equal the catalog's file_size_bytes. Local absolute paths
 * (catalogs with a local DATA_PATH) are copied in, keyed by path and size.
 */
export class Fetcher {
  private readonly caches = new Map<string, FileCache>();
  private localCopies = 0;

  constructor(private readonly context: FetchContext) {}

  /** fetchAll returns the local path of each requested file (side effect: downloads), at most `parallel` at once. */
  async fetchAll(requests: readonly FetchRequest[], parallel = 8): Promise<Map<string, string>> {
    const result = new Map<string, string>();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < requests.length) {
        const request = requests[next];
        next += 1;
        if (request && !result.has(request.path)) result.set(request.path, await this.fetchOne(request));
      }
    };
    await Promise.all(Array.from({ length: Math.min(parallel, requests.length) }, worker));
    return result;
  }

  /** stats sums hits and downloads over every bucket's cache (pure read). */
  stats(): FetchStats {
    let hits = 0;
    let downloads = this.localCopies;
    for (const cache of this.caches.values()) {
      hits += cache.stats.hits;
      downloads += cache.stats.downloads;
    }
    return { hits, downloads };
  }

  private async fetchOne(request: FetchRequest): Promise<string> {
    const match = S3_PATH.exec(request.path);
    if (match?.[1] && match[2]) {
      const bucket = match[1];
      let cache = this.caches.get(bucket);
      if (!cache) {
        cache = createFileCache(join(this.context.objectsDir, bucket), this.context.storeFor(bucket));
        this.caches.set(bucket, cache);
      }
      return cache.fetch(match[2], undefined, request.sizeBytes);
    }
    if (request.path.startsWith('/')) return this.copyLocal(request);
    throw new FeathermanError('FM_ERR_QUERY_FAILED', `data file ${JSON.stringify(request.path)} is neither an s3:// URL nor an absolute local path.`);
  }

  private async copyLocal(request: FetchRequest): Promise<string> {
    const digest = createHash('sha256').update(request.path).digest('hex');
    const dir = join(this.context.objectsDir, 'local');
    const target = join(dir, `${digest}-${request.sizeBytes}.parquet`);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.size === request.sizeBytes) return target;
    await mkdir(dir, { recursive: true });
    const temp = `${target}.${process.pid}.copy`;
    await copyFile(request.path, temp);
    const copied = await stat(temp);
    if (copied.size !== request.sizeBytes) {
      throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `file ${request.path} has ${copied.size} bytes; the catalog records ${request.sizeBytes}.`);
    }
    await rename(temp, target);
    this.localCopies += 1;
    return target;
  }
}
