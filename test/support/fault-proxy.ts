import { createServer as createTlsServer } from 'node:https';
import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * FaultMode is what an injected fault does: an S3 500, a 503 SlowDown, a reset socket, a
 * delay, or a response cut short (status, headers and the first bytes of the body, then a
 * closed socket).
 */
export type FaultMode = '500' | '503' | 'reset' | 'delay' | 'truncate';

/** FaultProxyOptions: the real server's endpoint, the share of requests to fault, the seed and the mode. */
export interface FaultProxyOptions {
  target: string;
  failRate: number;
  seed: number;
  mode: FaultMode;
  /** delayMs is how long a 'delay' fault holds the request before forwarding it (default 300). */
  delayMs?: number;
  /** truncateBytes is how many body bytes a 'truncate' fault lets through (default 100). */
  truncateBytes?: number;
  /** tls makes the proxy an HTTPS server with this certificate and key (PEM); the target stays plain HTTP. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** eligible limits faults to the requests it accepts (default: all); the rest are forwarded. */
  eligible?: (method: string, url: string) => boolean;
}

/** ProxiedRequest is what the proxy saw of one request. */
export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  faulted: boolean;
  status?: number;
}

/** FaultProxy is a running proxy: its endpoint, counters, request log and close(). */
export interface FaultProxy {
  endpoint: string;
  counters: { requests: number; faults: number; forwarded: number };
  requests: ProxiedRequest[];
  /** setFailRate changes the share of faulted requests from now on. */
  setFailRate(rate: number): void;
  close(): Promise<void>;
}

/** seededRandom is mulberry32: a small deterministic PRNG returning [0, 1) (pure state machine). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function s3Error(res: ServerResponse, status: number, code: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>injected fault</Message><RequestId>fault</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}

/**
 * startFaultProxy starts an HTTP proxy on 127.0.0.1 that forwards to `target` and injects
 * `mode` faults into a `failRate` share of requests, chosen by a PRNG seeded with `seed`
 * (side effect: a listening socket). Headers pass through unchanged, so SigV4 signatures
 * made for the proxy's host still verify at the target.
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const random = seededRandom(options.seed);
  let failRate = options.failRate;
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const counters = { requests: 0, faults: 0, forwarded: 0 };
  const requests: ProxiedRequest[] = [];

  const forward = (req: IncomingMessage, res: ServerResponse, entry: ProxiedRequest, truncateAt?: number) => {
    counters.forwarded += 1;
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers, agent },
      (answer) => {
        entry.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        if (truncateAt === undefined) return answer.pipe(res);
        let left = truncateAt;
        answer.on('data', (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.subarray(0, left);
          left -= part.length;
          if (left > 0) return void res.write(part);
          answer.destroy();
          res.write(part, () => res.socket?.destroy());
        });
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counters.requests += 1;
    const faulted = (options.eligible?.(req.method ?? '', req.url ?? '') ?? true) && random() < failRate;
    const entry: ProxiedRequest = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, faulted };
    requests.push(entry);
    if (!faulted) return forward(req, res, entry);
    counters.faults += 1;
    if (options.mode === 'reset') {
      req.socket.destroy();
      return;
    }
    if (options.mode === 'truncate') return forward(req, res, entry, options.truncateBytes ?? 100);
    if (options.mode === 'delay') {
      setTimeout(() => forward(req, res, entry), options.delayMs ?? 300);
      return;
    }
    // Drain the body first so the client reads our answer rather than an EPIPE.
    req.resume();
    req.on('end', () => {
      entry.status = options.mode === '503' ? 503 : 500;
      s3Error(res, entry.status, options.mode === '503' ? 'SlowDown' : 'InternalError');
    });
  };
  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    counters,
    requests,
    setFailRate: (rate) => {
      failRate = rate;
    },
    close: async () => {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closing;
    },
  };
}
