/**
 * Streaming landing files into DuckDB: each CSV/JSON landing object gets a named pipe
 * (FIFO) that DuckDB's reader opens like a file, and a GET streams the object into it, so
 * the download overlaps the COPY instead of running before it. DuckDB reads a pipe
 * sequentially, one reader thread per file, a few files at a time. DuckDB does not
 * decompress a pipe (a `.csv.gz` read through one is garbage), so compressed keys are
 * downloaded instead.
 *
 * Why the writer opens with O_NONBLOCK, polling until ENXIO stops: a blocking open would
 * hold a libuv pool thread until DuckDB reaches that file (a handful of files would starve
 * the pool), and opening read-write would let a small file's bytes sit in a pipe that
 * nobody has opened, lost when we close it. A non-blocking write open succeeds exactly
 * when DuckDB is opening the pipe for reading, and the GET starts only then, so no socket
 * idles while DuckDB works through earlier files.
 *
 * Objects of 4 MiB and more take a lean GET (storage/lean-get.ts: reused buffers, about
 * 0.65 s less CPU per 666 MB than the SDK's stream); smaller ones the SDK's. Each pipe is
 * widened to 1 MiB once opened, so reader and feed trade 1 MiB per wake-up.
 *
 * Nothing about a stream is trusted until it has ended: a feed that fails (ETag or size
 * differs, the body breaks) closes its pipe, DuckDB sees an early end of file and may
 * still finish, so the caller must check `end()` before it uses what the COPY wrote.
 */
import { execFile } from 'node:child_process';
import { constants, openSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { fcntlSync } from 'fs-ext';
import { FeathermanError, isFeathermanError } from '../../errors.ts';
import { leanGet } from '../../storage/lean-get.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import type { LandingObject } from './landing.ts';

/** MAX_STREAMED_FILES caps how many landing files one COPY reads through pipes (each polls its pipe until opened). */
export const MAX_STREAMED_FILES = 64;

/** OPEN_POLL_MS is how often a feed tries to open its pipe for writing while DuckDB has not reached it. */
export const OPEN_POLL_MS = 4;

/** LandingStreams are the pipes of one COPY and the feeds that fill them. */
export interface LandingStreams {
  /** paths are the FIFO paths, in the order of the objects. */
  readonly paths: readonly string[];
  /**
   * end is called once the COPY has returned: it stops the feeds that are not done (side
   * effect: closes their pipes), waits for all of them and says how they ended. After a
   * COPY that succeeded every feed is done: DuckDB saw each end of file, which only comes
   * once a feed has streamed everything and closed its pipe.
   */
  end(): Promise<StreamsEnd>;
}

/**
 * StreamsEnd is how the feeds ended: `mismatch` is the first expected error (an ETag or
 * size that differs from the listing, a vanished object, a store failure after retries),
 * the same error a download would give. `broken` says whether any feed failed at all (a
 * broken body, a pipe never opened or closed early), so that what the COPY read cannot
 * be trusted.
 */
export interface StreamsEnd {
  mismatch?: FeathermanError;
  broken: boolean;
  /** failure is the first failure, for the log. */
  failure?: unknown;
}

const execFileAsync = promisify(execFile);

/** fifoName is the pipe's file name for the object at `index` (pure). No extension, so DuckDB never guesses a compression from it. */
export function fifoName(index: number): string {
  return `landing-${index}`;
}

/** COMPRESSED_SUFFIX matches keys DuckDB would read as compressed; it decompresses files, not pipes. */
const COMPRESSED_SUFFIX = /\.(gz|gzip|zst|zstd|bz2|xz|lz4|zip|br|snappy)$/i;

/** isStreamableKey says whether a landing key can be read through a pipe: not compressed (pure). */
export function isStreamableKey(key: string): boolean {
  return !COMPRESSED_SUFFIX.test(key);
}

/** F_SETPIPE_SZ is Linux's fcntl command that sets a pipe's capacity. */
const F_SETPIPE_SZ = 1031;

/** PIPE_BYTES is the capacity asked for each landing pipe: Linux's default ceiling for an unprivileged process (/proc/sys/fs/pipe-max-size). */
export const PIPE_BYTES = 1024 * 1024;

/**
 * widenPipe raises the pipe's capacity from 64 KiB to PIPE_BYTES (side effect: fcntl), so
 * DuckDB's reader and the feed trade 1 MiB per wake-up instead of 64 KiB. Where the system
 * refuses (another OS, a lower pipe-max-size) the pipe keeps its size and works as before.
 */
function widenPipe(fd: number): void {
  try {
    fcntlSync(fd, F_SETPIPE_SZ, PIPE_BYTES);
  } catch {
    // The default capacity only costs more wake-ups.
  }
}

async function openWhenRead(path: string, stopped: () => boolean): Promise<number | undefined> {
  for (;;) {
    if (stopped()) return undefined;
    try {
      return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENXIO') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, OPEN_POLL_MS));
  }
}

/**
 * openLandingStreams makes one FIFO per object under `dir` and starts its feed (side
 * effects: pipes, GETs once DuckDB opens a pipe). Undefined when this system cannot make
 * FIFOs, so the caller downloads instead.
 */
export async function openLandingStreams(store: ObjectStore, objects: readonly LandingObject[], dir: string): Promise<LandingStreams | undefined> {
  await mkdir(dir, { recursive: true });
  const paths = objects.map((_object, index) => join(dir, fifoName(index)));
  try {
    if (paths.length > 0) await execFileAsync('mkfifo', ['-m', '600', '--', ...paths]);
  } catch {
    return undefined;
  }
  let stopped = false;
  const sockets = new Set<Socket>();
  const where = (key: string) => `s3://${store.bucket}/${key}`;

  async function feed(object: LandingObject, path: string): Promise<void> {
    const fd = await openWhenRead(path, () => stopped);
    if (fd === undefined) throw new Error(`the read of ${where(object.key)} was stopped before DuckDB opened it`);
    widenPipe(fd);
    const pipe = new Socket({ fd, readable: false, writable: true });
    sockets.add(pipe);
    try {
      if (await leanGet(store, object, pipe)) return;
      const { info, body } = await store.getStream(object.key);
      if (info.etag !== object.etag) {
        body.destroy();
        throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `object ${where(object.key)} has ETag ${info.etag}; expected ${object.etag}`);
      }
      // The socket counts what it wrote; no counting stream in between (one hop less per chunk).
      await pipeline(body, pipe);
      if (pipe.bytesWritten !== object.size) {
        throw new FeathermanError('FM_ERR_OBJECT_MISMATCH', `object ${where(object.key)} streamed ${pipe.bytesWritten} bytes; expected ${object.size}`);
      }
    } finally {
      // The bytes are gone once streamed: a reader that opened the pipe again would wait
      // for a writer forever, so the name goes (DuckDB's open descriptor keeps working).
      await rm(path, { force: true });
      pipe.destroy();
      sockets.delete(pipe);
    }
  }

  const feeds = objects.map((object, index) => feed(object, paths[index] ?? ''));
  // A failed feed is reported by end(); until then keep it from being an unhandled rejection.
  for (const each of feeds) each.catch(() => undefined);
  return {
    paths,
    async end() {
      stopped = true;
      for (const socket of sockets) socket.destroy();
      const ends = await Promise.allSettled(feeds);
      const failures = ends.flatMap((end) => (end.status === 'rejected' ? [end.reason as unknown] : []));
      const mismatch = failures.find((reason): reason is FeathermanError => isFeathermanError(reason));
      return { ...(mismatch ? { mismatch } : {}), broken: failures.length > 0, ...(failures.length > 0 ? { failure: failures[0] } : {}) };
    },
  };
}
