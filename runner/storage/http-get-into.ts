/**
 * A lean GET of one object straight into a writable (a named pipe that DuckDB reads, or a
 * file): one connection per object (plain HTTP or TLS), a presigned URL, one 1 MiB
 * receive buffer reused for every read (`onread`), and staging buffers that collect reads
 * into large writes. Node's HTTP client allocates a fresh buffer per read and runs each
 * through two streams; on 666 MB of landing CSV that costs the runner about 1 s of CPU
 * (GC included) against about 0.4 s here, on the 2 cores the COPY needs (bench/README.md).
 *
 * Only the easy case is handled: status 200, a Content-Length body with the expected size
 * and ETag. Anything else before the first body byte is `beforeBody` and the caller takes
 * the SDK's GET instead, which retries and words the error. A failure after body bytes
 * went into the sink cannot be undone there: the caller treats the pipe as broken.
 * TLS verifies the server as Node's default agent does (system CAs and
 * NODE_EXTRA_CA_CERTS), with SNI for host names.
 */
import { isIP, connect as connectTcp, type Socket } from 'node:net';
import type { Writable } from 'node:stream';
import { connect as connectTls, type ConnectionOptions } from 'node:tls';

/** HttpGetIntoOptions: the idle timeout while waiting on the network and the buffer sizes. */
export interface HttpGetIntoOptions {
  timeoutMs?: number;
  receiveBytes?: number;
  stagingBytes?: number;
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

/**
 * RECEIVE_BUFFER_BYTES is the receive buffer: one read takes up to this much. Against
 * 64 KiB, 1 MiB reads cut the runner's CPU for 666 MB over loopback from about 0.6 s to
 * about 0.35 s (fewer reads, each with its TCP window update; bench/README.md).
 */
export const RECEIVE_BUFFER_BYTES = 1024 * 1024;

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

function open(url: URL, onread: { buffer: Buffer; callback: (bytes: number, buffer: Uint8Array) => boolean }): Socket {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'https:') {
    // TLS sockets honour onread as plain ones do (test/integration/ingest-stream-lean.test.ts
    // runs it over https); @types/node leaves it out of ConnectionOptions.
    return connectTls({ host, port: Number(url.port || 443), ...(isIP(host) ? {} : { servername: host }), onread } as ConnectionOptions);
  }
  return connectTcp({ host, port: Number(url.port || 80), onread });
}

/**
 * httpGetInto sends `GET url` and writes the body into `sink`, ending it after the last
 * byte (side effects: a connection, writes to sink). Every read is copied out of the
 * receive buffer at once (a TLS socket may read again before a pause takes hold) into
 * staging buffers that go to the sink one at a time. While any wait, the connection is
 * paused, so a slow reader holds the transfer back; the idle timeout counts only time
 * spent waiting on the network.
 */
export function httpGetInto(url: URL, sink: Writable, expected: Expected, options: HttpGetIntoOptions = {}): Promise<void> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new HttpGetIntoError(`${url.protocol} is not handled`, true));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const receive = Buffer.allocUnsafe(options.receiveBytes ?? RECEIVE_BUFFER_BYTES);
  const stagingBytes = Math.max(receive.length, options.stagingBytes ?? 1024 * 1024);
  return new Promise<void>((resolve, reject) => {
    let head: Buffer | undefined = Buffer.alloc(0);
    let remaining = expected.size;
    let current: Buffer = Buffer.allocUnsafe(stagingBytes);
    let filled = 0;
    const full: Buffer[] = [];
    const spare: Buffer[] = [];
    let writing = false;
    let settled = false;
    let wrote = false;
    const socket = open(url, { buffer: receive, callback: (bytes, into) => onData(into.subarray(0, bytes)) });
    const fail = (message: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new HttpGetIntoError(`GET ${url.host}${url.pathname}: ${message}`, !wrote, { cause }));
    };
    const finish = () => {
      settled = true;
      socket.destroy();
      sink.end(() => resolve());
    };
    // Hands the staged buffers to the sink one at a time; resumes reading once all went.
    const pump = () => {
      if (settled || writing) return;
      const next = full.shift();
      if (!next) {
        if (remaining === 0) finish();
        else {
          socket.setTimeout(timeoutMs);
          socket.resume();
        }
        return;
      }
      writing = true;
      wrote = true;
      socket.setTimeout(0);
      sink.write(next, (error) => {
        writing = false;
        if (error) return fail('writing the body failed', error);
        if (next.length === stagingBytes) spare.push(next);
        pump();
      });
    };
    const take = (chunk: Uint8Array): boolean => {
      if (chunk.length > remaining) {
        fail(`the body is longer than ${expected.size} bytes`);
        return false;
      }
      remaining -= chunk.length;
      let at = 0;
      while (at < chunk.length) {
        const room = Math.min(stagingBytes - filled, chunk.length - at);
        current.set(chunk.subarray(at, at + room), filled);
        filled += room;
        at += room;
        if (filled === stagingBytes) {
          full.push(current);
          current = spare.pop() ?? Buffer.allocUnsafe(stagingBytes);
          filled = 0;
        }
      }
      if (remaining === 0 && filled > 0) {
        full.push(current.subarray(0, filled));
        filled = 0;
      }
      if (full.length === 0 && remaining > 0) return true;
      socket.pause();
      pump();
      return false;
    };
    const onData = (chunk: Uint8Array): boolean => {
      if (settled) return false;
      if (head === undefined) return take(chunk);
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
      const rest = head.subarray(end + 4);
      head = undefined;
      return take(rest);
    };
    socket.setTimeout(timeoutMs, () => fail(`no data for ${timeoutMs} ms`));
    socket.on('error', (error) => fail(error.message, error));
    socket.on('close', () => {
      if (remaining > 0 || head !== undefined) fail(`the connection closed with ${remaining} of ${expected.size} bytes unread`);
    });
    sink.on('error', (error) => fail('writing the body failed', error));
    socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAccept-Encoding: identity\r\nConnection: close\r\n\r\n`);
    });
  });
}
