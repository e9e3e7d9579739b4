/**
 * A small real express app that records every POST it gets and parses CloudEvents with
 * the cloudevents SDK: the sink tests point the event router at (side effects: a port).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { HTTP, type CloudEvent } from 'cloudevents';

/** ReceivedRequest is one POST: path, lower-case headers, raw body, and the CloudEvent when it parsed as one. */
export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  event: CloudEvent<unknown> | undefined;
  /** parseError is why HTTP.toEvent refused it (plain JSON bodies such as MinIO's). */
  parseError: string | undefined;
  status: number;
}

/** TestReceiver is the running app. */
export interface TestReceiver {
  url: string;
  received: ReceivedRequest[];
  /** respondWith sets the status for a path: a fixed code, or one chosen per attempt (1-based). */
  respondWith(path: string, status: number | ((attempt: number) => number)): void;
  /** waitFor resolves with the requests once `until` holds, or rejects after timeoutMs. */
  waitFor(until: (received: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** startTestReceiver listens on 127.0.0.1 on a free port. */
export async function startTestReceiver(): Promise<TestReceiver> {
  const app = express();
  const received: ReceivedRequest[] = [];
  const statuses = new Map<string, number | ((attempt: number) => number)>();
  const attempts = new Map<string, number>();
  app.use(express.text({ type: () => true, limit: '10mb' }));
  app.post(/.*/, (request, response) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name.toLowerCase()] = value;
    }
    const body = typeof request.body === 'string' ? request.body : '';
    let event: CloudEvent<unknown> | undefined;
    let parseError: string | undefined;
    try {
      const parsed = HTTP.toEvent({ headers, body });
      event = (Array.isArray(parsed) ? parsed[0] : parsed) as CloudEvent<unknown> | undefined;
    } catch (error) {
      parseError = (error as Error).message;
    }
    const attempt = (attempts.get(request.path) ?? 0) + 1;
    attempts.set(request.path, attempt);
    const rule = statuses.get(request.path) ?? 202;
    const status = typeof rule === 'function' ? rule(attempt) : rule;
    received.push({ path: request.path, headers, body, event, parseError, status });
    response.status(status).end();
  });
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith(path, status) {
      statuses.set(path, status);
      attempts.delete(path);
    },
    waitFor(until, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const started = Date.now();
        const check = (): void => {
          if (until(received)) resolve(received);
          else if (Date.now() - started > timeoutMs) reject(new Error(`receiver: condition not met in ${timeoutMs} ms; got ${received.length} requests`));
          else setTimeout(check, 20);
        };
        check();
      });
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
