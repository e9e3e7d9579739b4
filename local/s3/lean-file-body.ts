/**
 * A GET body for the embedded S3 server that sends an object file through two reused
 * 1 MiB buffers. s3rver hands Koa an fs.ReadStream, which allocates a fresh 64 KiB buffer
 * per read: serving 666 MB of landing files cost the server about 2 s of CPU on the
 * 2 cores the runner's COPY needs, a third of it garbage collection (bench/README.md).
 * Koa pipes a stream body into the response, so `pipe` is where the lean path lives; any
 * other consumer reads the file stream as before.
 */
import { read, type ReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';

/** LEAN_BODY_BUFFER_BYTES is the size of each of the two send buffers. */
export const LEAN_BODY_BUFFER_BYTES = 1024 * 1024;

function readAt(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => {
    read(fd, buffer, 0, length, position, (error, bytes) => (error ? reject(error) : resolve(bytes)));
  });
}

// fs.ReadStream keeps its descriptor and byte range as properties its typings leave out.
type OpenedFileStream = ReadStream & { fd: number | null; start?: number; end?: number };

/**
 * LeanFileBody takes over an opened fs.ReadStream of an object file (its fd and byte range)
 * without reading through it. Destroying the body destroys the file stream, which closes
 * the file.
 */
export class LeanFileBody extends Readable {
  private fallback = false;
  private readonly file: OpenedFileStream;

  constructor(file: ReadStream) {
    super();
    this.file = file as OpenedFileStream;
    file.once('error', (error) => this.destroy(error));
  }

  /**
   * pipe writes the byte range into `destination` and ends it (side effects: file reads,
   * writes). A buffer is read into again only once the write of its previous contents has
   * called back, so at most two buffers are in flight and none is ever copied.
   */
  override pipe<T extends NodeJS.WritableStream>(destination: T): T {
    if (this.fallback) return super.pipe(destination);
    void this.send(destination as unknown as Writable).catch((error: unknown) => this.destroy(error instanceof Error ? error : new Error(String(error))));
    return destination;
  }

  private async send(destination: Writable): Promise<void> {
    const fd = this.file.fd;
    if (typeof fd !== 'number') throw new Error('the object file is not open');
    const start = this.file.start ?? 0;
    const end = this.file.end === undefined || this.file.end === Infinity ? Infinity : this.file.end + 1;
    const buffers = [Buffer.allocUnsafe(LEAN_BODY_BUFFER_BYTES), Buffer.allocUnsafe(LEAN_BODY_BUFFER_BYTES)];
    // inFlight[i] settles once destination has consumed buffers[i].
    const inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
    let position = start;
    for (let turn = 0; !this.destroyed; turn += 1) {
      const slot = turn % 2;
      const buffer = buffers[slot];
      if (!buffer) break;
      await inFlight[slot];
      if (this.destroyed || destination.destroyed) return;
      const bytes = await readAt(fd, buffer, Math.min(buffer.length, end - position), position);
      if (bytes === 0) break;
      position += bytes;
      // A failed write is the destination's to report (the client went away): it only
      // stops the loop, which finds the destination destroyed.
      inFlight[slot] = new Promise<void>((resolve) => {
        destination.write(buffer.subarray(0, bytes), () => resolve());
      });
      if (position >= end) break;
    }
    await Promise.all(inFlight);
    if (!this.destroyed && !destination.destroyed) destination.end();
    this.destroy();
  }

  override _read(): void {
    // A consumer that reads instead of piping gets the file stream's own chunks.
    if (!this.fallback) {
      this.fallback = true;
      this.file.on('data', (chunk) => {
        if (!this.push(chunk)) this.file.pause();
      });
      this.file.once('end', () => this.push(null));
    }
    this.file.resume();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.file.destroy();
    callback(error);
  }
}
