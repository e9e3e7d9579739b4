/**
 * A GET body for the embedded S3 server that sends an object file through two reused
 * 1 MiB buffers. s3rver hands Koa an fs.ReadStream, which allocates a fresh 64 KiB buffer
 * per read: sending the 666 MB of bench:ingest's landing files cost the server 1.47 s of
 * CPU, much of it garbage collection, on the 2 cores the runner's COPY needs; this body
 * costs 0.48 s (bench/README.md).
 * Koa pipes a stream body into the response, so `pipe` is where the lean path lives; any
 * other consumer reads the file stream as before.
 */
import { fstat, read, type ReadStream } from 'node:fs';
import { promisify } from 'node:util';
import { Readable, type Writable } from 'node:stream';

/** LEAN_BODY_BUFFER_BYTES is the size of each of the two send buffers. */
export const LEAN_BODY_BUFFER_BYTES = 1024 * 1024;

const fstatAsync = promisify(fstat);

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
    const sink = destination as unknown as Writable;
    void this.send(sink).catch((error: unknown) => {
      // Koa leaves a response whose headers went out open; a client must see the cut at once.
      sink.destroy();
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    return destination;
  }

  private async send(destination: Writable): Promise<void> {
    const fd = this.file.fd;
    if (typeof fd !== 'number') throw new Error('the object file is not open');
    const start = this.file.start ?? 0;
    // The stream's range is inclusive, and s3rver gives an empty object the range 0-0.
    const size = (await fstatAsync(fd)).size;
    const end = this.file.end === undefined || this.file.end === Infinity ? size : Math.min(size, this.file.end + 1);
    const buffers = [Buffer.allocUnsafe(LEAN_BODY_BUFFER_BYTES), Buffer.allocUnsafe(LEAN_BODY_BUFFER_BYTES)];
    // inFlight[i] settles once destination has consumed buffers[i].
    const inFlight: (Promise<void> | undefined)[] = [undefined, undefined];
    let position = start;
    for (let turn = 0; !this.destroyed && position < end; turn += 1) {
      const slot = turn % 2;
      const buffer = buffers[slot];
      if (!buffer) break;
      await inFlight[slot];
      if (this.destroyed || destination.destroyed) return;
      const bytes = await readAt(fd, buffer, Math.min(buffer.length, end - position), position);
      // s3rver rewrites an object's file in place: a PUT during the GET cuts it short, and
      // the client must not wait for bytes that will never come.
      if (bytes === 0) throw new Error(`the object file ended at byte ${position} of ${end}`);
      position += bytes;
      // A failed write is the destination's to report (the client went away): it only
      // stops the loop, which finds the destination destroyed.
      inFlight[slot] = new Promise<void>((resolve) => {
        destination.write(buffer.subarray(0, bytes), () => resolve());
      });
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
