/**
 * HandlerDeps: what every handler gets: the adapters, the control plane's own settings,
 * the clock and the logger. Time is injected, so tests and the bench choose it.
 */
import type { Logger } from 'pino';
import type { JobSettings } from '../specs/job.ts';
import type { KubeAdapter } from '../adapters/kube.ts';
import type { S3Adapter } from '../adapters/s3.ts';
import type { SqlChecker } from '../adapters/sql-check.ts';

/** HandlerDeps are the handlers' collaborators. */
export interface HandlerDeps {
  kube: KubeAdapter;
  /** s3 is optional: without it, removals are not confirmed by HEAD and deletionPolicy Delete cannot delete. */
  s3?: S3Adapter | undefined;
  sql: SqlChecker;
  runnerImage: string;
  jobSettings?: Partial<JobSettings> | undefined;
  now: () => Date;
  log: Logger;
  /** webhookToken, when set, is the Bearer token plain (non-CloudEvent) S3 webhook posts must carry. */
  webhookToken?: string | undefined;
}

/** Answer is what a handler tells the HTTP layer: a status code and a JSON body. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** IncomingRequest is the part of an HTTP request a handler reads. */
export interface IncomingRequest {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** ok builds a 200 answer (pure). */
export function ok(body: Record<string, unknown>): Answer {
  return { status: 200, body };
}

/** badRequest builds a 400 answer: the request can never succeed, so Knative must not retry it (pure). */
export function badRequest(message: string): Answer {
  return { status: 400, body: { error: message } };
}
