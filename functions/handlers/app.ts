/**
 * createFunctionsApp: one express app with every Featherman function on its own path,
 * and, when FEATHERMAN_HANDLER names one, that function on `/` as well (one Knative
 * Service per function, one image). Bodies are read as text and parsed by each handler;
 * an unexpected failure answers 503 so Knative redelivers the event.
 */
import express, { type Request, type Response } from 'express';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { createLogger } from '../../runner/log.ts';
import { createFunctionsMetrics, metricsRoute, type FunctionsMetrics } from '../metrics.ts';
import type { JobSettings } from '../specs/job.ts';
import { KubeAdapter } from '../adapters/kube.ts';
import { S3Adapter } from '../adapters/s3.ts';
import { SqlChecker } from '../adapters/sql-check.ts';
import { admissionHandler } from './admission.ts';
import type { Answer, HandlerDeps, IncomingRequest } from './deps.ts';
import { jobFinishedHandler } from './job-finished.ts';
import { reconcileCatalogHandler } from './reconcile-catalog.ts';
import { reconcileQueryHandler } from './reconcile-query.ts';
import { reconcileTableHandler } from './reconcile-table.ts';
import { s3ObjectHandler } from './s3-object.ts';
import { sweepHandler } from './sweep.ts';

/** Handler is one function: a request in, an answer out. */
export type Handler = (deps: HandlerDeps, request: IncomingRequest) => Promise<Answer>;

/** HANDLERS maps each function name (its path without the slash) to its handler. */
export const HANDLERS: Readonly<Record<string, Handler>> = {
  'reconcile-catalog': reconcileCatalogHandler,
  'reconcile-table': reconcileTableHandler,
  'reconcile-query': reconcileQueryHandler,
  'job-finished': jobFinishedHandler,
  's3-object': s3ObjectHandler,
  sweep: sweepHandler,
  admission: admissionHandler,
};

/** DEFAULT_RUNNER_IMAGE is the runner image when neither the option nor FEATHERMAN_RUNNER_IMAGE names one. */
export const DEFAULT_RUNNER_IMAGE = 'ghcr.io/featherman/featherman:latest';

/** FunctionsAppOptions configure the app; `kube` or `kubeConfig`/`kubeconfigPath` say how to reach the API. */
export interface FunctionsAppOptions {
  kube?: KubeAdapter;
  kubeConfig?: KubeConfig;
  kubeconfigPath?: string;
  /** s3 is an S3Adapter; anything else (or nothing) makes one that reads credentials from the resources' Secrets. */
  s3?: unknown;
  runnerImage?: string;
  jobSettings?: Partial<JobSettings>;
  now?: () => Date;
  log?: Logger;
  logger?: Logger;
  webhookToken?: string;
  /** handler also mounts that one function on `/` (default env FEATHERMAN_HANDLER). */
  handler?: string;
  /** metrics is the Prometheus registry and families served on /metrics (default: a new one). */
  metrics?: FunctionsMetrics;
}

/** FunctionsApp is the express app plus closeFunctions, which releases what the handlers opened (DuckDB). */
export type FunctionsApp = express.Express & { closeFunctions(): Promise<void> };

function kubeOf(options: FunctionsAppOptions): KubeAdapter {
  if (options.kube) return options.kube;
  if (options.kubeConfig) return new KubeAdapter(options.kubeConfig);
  return KubeAdapter.fromKubeconfig(options.kubeconfigPath ?? process.env.KUBECONFIG);
}

function describe(error: unknown): string {
  const parts: string[] = [];
  for (let current: unknown = error; current instanceof Error && parts.length < 4; current = current.cause) parts.push(current.message);
  return parts.join(': ') || String(error);
}

/** createFunctionsApp builds the app (no side effects until it listens and handlers run). */
export function createFunctionsApp(options: FunctionsAppOptions = {}): FunctionsApp {
  const log = options.log ?? options.logger ?? createLogger({ component: 'functions' });
  const kube = kubeOf(options);
  const sql = new SqlChecker();
  const token = options.webhookToken ?? process.env.FEATHERMAN_S3_WEBHOOK_TOKEN;
  const deps: HandlerDeps = {
    kube,
    s3: options.s3 instanceof S3Adapter ? options.s3 : new S3Adapter(kube),
    sql,
    runnerImage: options.runnerImage ?? process.env.FEATHERMAN_RUNNER_IMAGE ?? DEFAULT_RUNNER_IMAGE,
    jobSettings: options.jobSettings,
    now: options.now ?? (() => new Date()),
    log,
    ...(token !== undefined && token !== '' ? { webhookToken: token } : {}),
  };
  const metrics = options.metrics ?? createFunctionsMetrics();
  kube.onJobCreated = (job) => metrics.jobsCreated.inc({ operation: job.metadata.labels?.['featherman.dev/operation'] ?? 'unknown' });
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', metricsRoute(metrics.registry));
  app.use(express.text({ type: () => true, limit: '4mb' }));
  app.get('/healthz', (_request, response) => {
    response.json({ ok: true });
  });
  const mount = (path: string, name: string, handler: Handler) => {
    app.post(path, async (request: Request, response: Response) => {
      const incoming: IncomingRequest = { headers: request.headers, body: typeof request.body === 'string' ? request.body : '' };
      const type = typeof request.headers['ce-type'] === 'string' ? request.headers['ce-type'] : 'other';
      const stopTimer = metrics.reconcileSeconds.startTimer({ kind: name });
      try {
        const answer = await handler(deps, incoming);
        if (answer.status >= 400) log.warn({ handler: name, status: answer.status, error: answer.body.error }, 'request refused');
        const outcome = answer.status >= 400 ? 'refused' : 'ok';
        metrics.events.inc({ handler: name, type, outcome });
        stopTimer({ outcome });
        response.status(answer.status).json(answer.body);
      } catch (error) {
        log.error({ handler: name, err: error }, 'handler failed; answering 503 so the event is redelivered');
        metrics.events.inc({ handler: name, type, outcome: 'failed' });
        stopTimer({ outcome: 'failed' });
        response.status(503).json({ error: describe(error) });
      }
    });
  };
  for (const [name, handler] of Object.entries(HANDLERS)) mount(`/${name}`, name, handler);
  const single = options.handler ?? process.env.FEATHERMAN_HANDLER;
  if (single !== undefined && single !== '') {
    const handler = HANDLERS[single];
    if (handler === undefined) throw new Error(`FEATHERMAN_HANDLER: must be one of ${Object.keys(HANDLERS).join(', ')}; got ${JSON.stringify(single)}`);
    mount('/', single, handler);
  }
  return Object.assign(app, { closeFunctions: () => sql.close() });
}
