/**
 * Uploading Parquet files while DuckDB still writes them: a folder the COPY writes into is
 * watched, and each new `.parquet` file is streamed to its object key as it grows (whole
 * parts go up during the COPY; the last part and the footer once the COPY has returned).
 * DuckDB's Parquet writer only appends, so the bytes read while it writes are the bytes
 * of the finished file. The caller still HEAD-checks every object before the commit, and
 * an object whose upload failed or whose size differs from DuckDB's figure is uploaded
 * again from the finished file. Objects of files the COPY did not keep are deleted.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ObjectStore, PutResult } from '../../storage/object-store.ts';
import { tailFile } from '../../storage/tail-file.ts';
import { PARQUET_CONTENT_TYPE } from './upload.ts';

/** UploadTarget is where a file goes. */
export interface UploadTarget {
  store: ObjectStore;
  key: string;
}

/** EarlyUploads streams the files of watched folders to S3 while they are written. */
export interface EarlyUploads {
  /** watch starts looking for new `.parquet` files under `dir`, which need not exist yet (side effect). */
  watch(dir: string): void;
  /**
   * finish says the COPY statements have returned: every upload reads its file to the end
   * and completes. Returns the put result of each kept file (by local path) that went up
   * whole; deletes the objects of files not in `keep` (side effects).
   */
  finish(keep: ReadonlyMap<string, number>): Promise<Map<string, PutResult>>;
  /** abort stops watching, cancels unfinished uploads and deletes the finished ones (side effects). */
  abort(): Promise<void>;
}

/** EarlyUploadOptions: where a file name goes, how often to look, and the logger. */
export interface EarlyUploadOptions {
  /** target maps a Parquet file name written by DuckDB to its object. */
  target(fileName: string): UploadTarget;
  log: Logger;
  pollMs?: number;
}

interface Tail {
  path: string;
  target: UploadTarget;
  result: Promise<PutResult | undefined>;
  stop(): void;
}

/** createEarlyUploads returns an idle EarlyUploads (no I/O until watch). */
export function createEarlyUploads(options: EarlyUploadOptions): EarlyUploads {
  const pollMs = options.pollMs ?? 100;
  const tails = new Map<string, Tail>();
  const watching: string[] = [];
  let finished = false;
  let aborted = false;
  let timer: NodeJS.Timeout | undefined;

  function start(path: string, name: string): void {
    const target = options.target(name);
    const body = tailFile(path, { finished: () => finished });
    const result = target.store.putStream(target.key, body, PARQUET_CONTENT_TYPE).then((put) => {
      options.log.debug({ phase: 'upload', key: target.key, bytes: put.size }, 'uploaded while written');
      return put;
    }, (error: unknown) => {
      if (aborted) return undefined;
      options.log.warn({ phase: 'upload', key: target.key, err: String(error) }, 'early upload failed; the file goes up again once written');
      return undefined;
    });
    tails.set(path, { path, target, result, stop: () => body.destroy(new Error('early upload cancelled')) });
  }

  async function scan(): Promise<void> {
    for (const dir of watching) {
      const names = await readdir(dir).catch(() => [] as string[]);
      for (const name of names) {
        const path = join(dir, name);
        // After finish() a file seen late goes up from the finished file instead.
        if (name.endsWith('.parquet') && !tails.has(path) && !finished) start(path, name);
      }
    }
  }

  function schedule(): void {
    timer = setTimeout(() => {
      scan().then(() => { if (!finished) schedule(); }, () => { if (!finished) schedule(); });
    }, pollMs);
  }

  async function remove(list: readonly Tail[]): Promise<void> {
    const byStore = new Map<ObjectStore, string[]>();
    for (const tail of list) byStore.set(tail.target.store, [...(byStore.get(tail.target.store) ?? []), tail.target.key]);
    for (const [store, keys] of byStore) await store.deleteMany(keys);
  }

  return {
    watch(dir) {
      watching.push(dir);
      if (!timer) schedule();
    },
    async finish(keep) {
      // Pick up files created since the last look before the tails are told to end.
      clearTimeout(timer);
      await scan();
      finished = true;
      const out = new Map<string, PutResult>();
      const dropped: Tail[] = [];
      for (const tail of tails.values()) {
        const put = await tail.result;
        const size = keep.get(tail.path);
        if (size === undefined) {
          if (put) dropped.push(tail);
        } else if (put && put.size === size) {
          out.set(tail.path, put);
        } else if (put) {
          options.log.warn({ phase: 'upload', key: tail.target.key, streamed: put.size, size }, 'early upload has another size than the written file; uploading it again');
        }
      }
      await remove(dropped);
      return out;
    },
    async abort() {
      clearTimeout(timer);
      aborted = true;
      finished = true;
      const list = [...tails.values()];
      for (const tail of list) tail.stop();
      const ended = await Promise.all(list.map(async (tail) => ((await tail.result) ? [tail] : [])));
      await remove(ended.flat());
    },
  };
}
