import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';

/** TAIL_CHUNK_BYTES is how much one read of a growing file takes at most. */
export const TAIL_CHUNK_BYTES = 4 * 1024 * 1024;

/** TailOptions say when the writer is done and how often to look for new bytes until then. */
export interface TailOptions {
  /** finished says whether the writer has closed the file: after it does, end of file is the end. */
  finished(): boolean;
  pollMs?: number;
}

/**
 * tailFile streams a file that another writer is still appending to, like `tail -f`, and
 * ends once `finished()` is true and every byte is read (side effect: holds the file open
 * until the stream ends or is destroyed). Only for writers that append and never rewrite
 * earlier bytes, as DuckDB's Parquet writer does (footer last).
 */
export function tailFile(path: string, options: TailOptions): Readable {
  const pollMs = options.pollMs ?? 100;
  let handle: FileHandle | undefined;
  let position = 0;
  const wait = () => new Promise((resolve) => setTimeout(resolve, pollMs));
  return new Readable({
    highWaterMark: TAIL_CHUNK_BYTES,
    async read() {
      try {
        handle ??= await open(path, 'r');
        for (;;) {
          // Read finished() before the size: a writer done before an unchanged size has no bytes left.
          const done = options.finished();
          const { size } = await handle.stat();
          if (size > position) {
            // One read of what is there now (capped), so a slow writer does not cost many small reads.
            const buffer = Buffer.allocUnsafe(Math.min(size - position, TAIL_CHUNK_BYTES));
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
            position += bytesRead;
            this.push(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
            return;
          }
          if (done) {
            this.push(null);
            return;
          }
          if (this.destroyed) return;
          await wait();
        }
      } catch (error) {
        this.destroy(error as Error);
      }
    },
    destroy(error, callback) {
      const closing = handle?.close();
      handle = undefined;
      if (!closing) return callback(error);
      closing.then(() => callback(error), (closeError: unknown) => callback((error ?? closeError) as Error | null));
    },
  });
}
