/**
 * A lean GET of one object straight into a writable socket (a named pipe that DuckDB
 * reads): one plain-HTTP connection per object, a presigned URL, and a single receive
 * buffer that is reused for every read (`net.connect`'s `onread`). Node's HTTP client
 * allocates a fresh buffer per 64 KiB read and runs each through two streams; on 666 MB of
 * landing CSV that costs the runner about 1 s of CPU (GC included) against about 0.4 s
 * here, on the 2 cores the COPY needs (bench/README.md, "landing streams").
 *
 * Only the easy case is handled: `http:`, status 200, a Content-Length body with the
 * expected size and ETag. Anything else before the first body byte is `beforeBody` and
 * the caller takes the SDK's GET instead, which retries and words the error. A failure
 * after body bytes went into the sink cannot be undone there: the caller treats the pipe
 * as broken.
 */
import { connect, type Socket } from 'node:net';

/** HttpGetIntoOptions: the idle timeout while waiting on the network and the receive buffer size. */
export interface HttpGetIntoOptions {
  timeoutMs?: number;
  bufferBytes?: number;
}

/** Expected is the object as listed: its size and unquoted ETag. */
export interface Expected {
  size: number;
  etag: string;
}

/** HttpGetIntoError says why the lean GET gave up and whether any body byte reached the sink. */
export class HttpGetIntoError extends Error {
  constructor(message: string, readonly beforeBody: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HttpGetIntoError';
  }
}

const MAX_HEAD_BYTES = 64 * 1024;

/** ResponseHead is a parsed status line and headers (names lower-cased). */
export interface ResponseHead {
  status: number;
  headers: Map<string, string>;
}

/** parseResponseHead parses `HTTP/1.1 200 OK\r\nName: value…` without the blank line (pure); undefined when malformed. */
export function parseResponseHead(text: string): ResponseHead | undefined {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status: Number(status[1]), headers };
}

/** refusal says why a response head does not fit the expected object, or undefined when it fits (pure). */
export function refusal(head: ResponseHead, expected: Expected): string | undefined {
  if (head.status !== 200) return `HTTP ${head.status}`;
  if (head.headers.has('transfer-encoding')) return `transfer-encoding ${head.headers.get('transfer-encoding') ?? ''}`;
  const length = head.headers.get('content-length');
  if (length === undefined || Number(length) !== expected.size) return `content-length ${length ?? 'missing'}; expected ${expected.size}`;
  const etag = (head.headers.get('etag') ?? '').replace(/^"+|"+$/g, '');
  if (etag !== expected.etag) return `ETag ${etag}; expected ${expected.etag}`;
  return undefined;
}

/**
 * httpGetInto sends `GET url` and writes the body into `sink`, ending it after the last
 * byte (side effects: a TCP connection, writes to sink). It reads the next chunk only once
 * the sink took the last one, so a reader that is slow holds the connection back, and the
 * idle timeout counts only time spent waiting on the network.
 */
export function httpGetInto(url: URL, sink: Socket, expected: Expected, options: HttpGetIntoOptions = {}): Promise<void> {
  if (url.protocol !== 'http:') return Promise.reject(new HttpGetIntoError(`${url.protocol} is not handled`, true));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const buffer = Buffer.allocUnsafe(options.bufferBytes ?? 256 * 1024);
  return new Promise<void>((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0);
    let remaining = expected.size;
    let settled = false;
    let wrote = false;
    const socket: Socket = connect({
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port: Number(url.port || 80),
      onread: { buffer, callback: (bytes: number, into: Uint8Array) => onData(into.subarray(0, bytes)) },
    });
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new HttpGetIntoError(`GET ${url.host}${url.pathname}: ${message}`, !wrote, { cause }));
    };
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      sink.end(() => resolve());
    };
    // The body chunk sits in the shared buffer: the socket stays paused until the sink took it.
    const forward = (chunk: Uint8Array): boolean => {
      if (chunk.length > remaining) {
        fail(`the body is longer than ${expected.size} bytes`);
        return false;
      }
      remaining -= chunk.length;
      if (chunk.length === 0) {
        if (remaining === 0) done();
        return remaining > 0;
      }
      wrote = true;
      socket.setTimeout(0);
      sink.write(chunk, (error) => {
        if (error) return fail('the reader closed the pipe', error);
        if (remaining === 0) return done();
        socket.setTimeout(timeoutMs);
        socket.resume();
      });
      return false;
    };
    const onData = (chunk: Uint8Array): boolean => {
      if (settled) return false;
      if (head === undefined) return forward(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD_BYTES) fail('the response head is too long');
        return !settled;
      }
      const parsed = parseResponseHead(head.subarray(0, end).toString('latin1'));
      const why = parsed ? refusal(parsed, expected) : 'malformed response head';
      if (why) {
        fail(why);
        return false;
      }
      // Bytes after the head were copied by concat: they do not live in the shared buffer.
      const rest = head.subarray(end + 4);
      head = undefined;
      return forward(rest);
    };
    socket.setTimeout(timeoutMs, () => fail(`no data for ${timeoutMs} ms`));
    socket.on('error', (error) => fail(error.message, error));
    socket.on('close', () => {
      if (remaining > 0 || head !== undefined) fail(`the connection closed with ${remaining} of ${expected.size} bytes unread`);
    });
    sink.on('error', (error) => fail('the reader closed the pipe', error));
    socket.on('connect', () => {
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`);
    });
  });
}
