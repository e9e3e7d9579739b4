/**
 * The e2e event proxy: sits between the event router and the functions app and does what
 * a lossy broker does on request: pass events on, deliver each twice, drop them (answering
 * 202 so nothing retries), or hold them to deliver later in reverse order.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** ProxyMode is what the proxy does with the next events. */
export type ProxyMode = 'pass' | 'duplicate' | 'drop' | 'hold';

/** ProxiedEvent is one event the proxy saw. */
export interface ProxiedEvent {
  path: string;
  type: string;
  name: string;
  mode: ProxyMode;
  headers: Record<string, string>;
  body: string;
}

/** EventProxy is a running proxy. */
export interface EventProxy {
  url: string;
  seen: ProxiedEvent[];
  setTarget(url: string): void;
  setMode(mode: ProxyMode): void;
  /** release delivers the held events in reverse order and returns how many. */
  release(): Promise<number>;
  close(): Promise<void>;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && !['host', 'content-length', 'connection'].includes(key)) headers[key] = value;
  }
  return headers;
}

/** startEventProxy listens on a free loopback port (side effects: a server, HTTP posts). */
export async function startEventProxy(): Promise<EventProxy> {
  let target: string | undefined;
  let mode: ProxyMode = 'pass';
  const seen: ProxiedEvent[] = [];
  const held: ProxiedEvent[] = [];
  const forward = async (event: ProxiedEvent): Promise<{ status: number; body: string }> => {
    const response = await fetch(`${target ?? ''}${event.path}`, { method: 'POST', headers: event.headers, body: event.body });
    return { status: response.status, body: await response.text() };
  };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = headersOf(request);
      const event: ProxiedEvent = { path: request.url ?? '/', type: headers['ce-type'] ?? '', name: headers['ce-name'] ?? '', mode, headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(event);
      const answer = (status: number, body: string): void => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(body);
      };
      if (target === undefined) return answer(503, '{"error":"the functions app is not up yet"}');
      if (mode === 'drop') return answer(202, '{"dropped":true}');
      if (mode === 'hold') {
        held.push(event);
        return answer(202, '{"held":true}');
      }
      const sends = mode === 'duplicate' ? [forward(event), forward(event)] : [forward(event)];
      Promise.all(sends).then(([first]) => answer(first?.status ?? 502, first?.body ?? ''), (error: unknown) => answer(502, JSON.stringify({ error: (error as Error).message })));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    setTarget: (url) => { target = url; },
    setMode: (next) => { mode = next; },
    release: async () => {
      const events = held.splice(0).reverse();
      for (const event of events) await forward(event);
      return events.length;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
