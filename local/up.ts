/**
 * Local mode in one call: the local Kubernetes API server (state on disk) with the CRDs,
 * the embedded S3 server with bucket `lake` and the `lake-credentials` Secret, the
 * functions app when it exists, the event router pointed at it, and the job executor.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createLogger, type Logger } from '../runner/log.ts';
import { startApiServer } from './apiserver/server.ts';
import { startEventRouter, type EventRouter } from './event-router/event-router.ts';
import { JobExecutor } from './job-executor/job-executor.ts';
import { VolumeBinder } from './job-executor/volume-binder.ts';
import { REPO_ROOT } from './job-executor/pod-process.ts';
import { startEmbeddedS3 } from './s3/embedded-s3.ts';

/** LOCAL_BUCKET and LOCAL_SECRET are the bucket and the Secret (namespace default) local mode provides. */
export const LOCAL_BUCKET = 'lake';
export const LOCAL_SECRET = 'lake-credentials';

/** FUNCTIONS_APP_PATH is where the functions app module is expected (export createFunctionsApp). */
export const FUNCTIONS_APP_PATH = path.join(REPO_ROOT, 'functions', 'handlers', 'app.ts');

/** LocalModeOptions configure `featherman up`. */
export interface LocalModeOptions {
  /** dataDir keeps the API server state, the bucket, the volumes and the kubeconfig. */
  dataDir: string;
  /** port of the API server (0 = any free one). */
  port?: number;
  /** s3Port of the embedded S3 server (0 = any free one). */
  s3Port?: number;
  /** functionsUrl points the event router at a functions app already running elsewhere. */
  functionsUrl?: string;
  /** startFunctions starts functions/handlers/app.ts in this process when it exists (default true). */
  startFunctions?: boolean;
  /** pingSchedule is the resync PingSource's cron (default every minute). */
  pingSchedule?: string;
  /** pingInitialDelayMs is when the PingSource's first, out-of-schedule tick fires (default 2 s; negative = none). */
  pingInitialDelayMs?: number;
  /** concurrency is how many Jobs run at once (default 2). */
  concurrency?: number;
  logger?: Logger;
}

/** LocalMode is running local mode. */
export interface LocalMode {
  kubeconfigPath: string;
  apiUrl: string;
  s3Endpoint: string;
  /** functionsUrl is where the functions app answers, or undefined when it is not running. */
  functionsUrl: string | undefined;
  /** notes are things a person should know (e.g. why the functions app is not running). */
  notes: string[];
  /** close stops everything in reverse order. */
  close(): Promise<void>;
}

/** LocalState is what `<dataDir>/local.json` records while local mode runs (for `featherman status` and `down`). */
export interface LocalState {
  pid: number;
  apiUrl: string;
  kubeconfigPath: string;
  s3Endpoint: string;
  functionsUrl: string | null;
  startedAt: string;
}

/** statePath is the state file of a data folder (pure). */
export function statePath(dataDir: string): string {
  return path.join(dataDir, 'local.json');
}

function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/**
 * ensureCrds creates or updates every CRD of the folder's YAML files and returns their
 * names (side effects: API writes). It sends each CRD as it is written, by server-side
 * apply over plain HTTP: client-node's typed CRD model renames `enum`, `default` and
 * `x-kubernetes-validations` on serialization, which would silently drop them.
 */
export async function ensureCrds(kubeConfig: KubeConfig, folder: string): Promise<string[]> {
  const server = kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no cluster server');
  const names: string[] = [];
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort()) {
    for (const document of parseAllDocuments(fs.readFileSync(path.join(folder, file), 'utf8'))) {
      const crd = document.toJSON() as { kind?: string; metadata?: { name?: string } } | null;
      if (crd?.kind !== 'CustomResourceDefinition') continue;
      const name = crd.metadata?.name ?? '';
      const url = `${server}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(name)}?fieldManager=featherman-local&force=true`;
      // The local API server is on loopback without authentication, so no credentials go along.
      const response = await fetch(url, {
        method: 'PATCH',
        headers: { 'content-type': 'application/apply-patch+yaml', accept: 'application/json' },
        body: JSON.stringify(crd),
      });
      if (!response.ok) throw new Error(`while installing CRD ${name} from ${file}: HTTP ${response.status} ${await response.text()}`);
      names.push(name);
    }
  }
  return names;
}

/** ensureSecret creates or replaces an Opaque Secret with these keys (side effects: an API write). */
export async function ensureSecret(kubeConfig: KubeConfig, namespace: string, name: string, values: Record<string, string>): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const data = Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Buffer.from(value).toString('base64')]));
  const body = { apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name, namespace }, data };
  try {
    await core.createNamespacedSecret({ namespace, body });
  } catch (error) {
    if (!isConflict(error)) throw new Error(`while creating Secret ${namespace}/${name}`, { cause: error });
    await core.replaceNamespacedSecret({ namespace, name, body });
  }
}

type FunctionsAppFactory = (options: Record<string, unknown>) => unknown;
interface Listenable { listen(port: number, host: string, callback: () => void): Server }

async function startFunctionsApp(options: Record<string, unknown>, logger: Logger, notes: string[]): Promise<{ url: string; server: Server; closeFunctions(): Promise<void> } | undefined> {
  if (!fs.existsSync(FUNCTIONS_APP_PATH)) {
    notes.push('functions/handlers/app.ts does not exist yet: running without the functions app and the event router');
    return undefined;
  }
  const module = await import(FUNCTIONS_APP_PATH) as { createFunctionsApp?: FunctionsAppFactory };
  if (typeof module.createFunctionsApp !== 'function') {
    notes.push('functions/handlers/app.ts exports no createFunctionsApp: running without the functions app');
    return undefined;
  }
  const created = await module.createFunctionsApp(options);
  const app = (created && typeof created === 'object' && 'app' in created ? (created as { app: unknown }).app : created) as Listenable | undefined;
  if (!app || typeof app.listen !== 'function') {
    notes.push('createFunctionsApp returned no express app: running without the functions app');
    return undefined;
  }
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  logger.info({ url }, 'functions app listening');
  // The app may hold resources of its own (DuckDB for SQL checks) to release on close.
  const closeFunctions = async (): Promise<void> => {
    await (app as Listenable & { closeFunctions?: () => Promise<void> }).closeFunctions?.();
  };
  return { url, server, closeFunctions };
}

/**
 * startLocalMode starts everything and writes `<dataDir>/local.json` (side effects: ports,
 * files under dataDir, child processes for Jobs). On a failure part-way, what started is stopped.
 */
export async function startLocalMode(options: LocalModeOptions): Promise<LocalMode> {
  const logger = options.logger ?? createLogger({ service: 'featherman-local' });
  const dataDir = path.resolve(options.dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  const notes: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => logger.warn({ err: error }, 'stopping a part failed'));
    stops.length = 0;
    fs.rmSync(statePath(dataDir), { force: true });
  };
  try {
    const api = await startApiServer({ dataDir: path.join(dataDir, 'apiserver'), port: options.port ?? 0, kubeconfigPath: path.join(dataDir, 'kubeconfig'), logger: logger.child({ component: 'apiserver' }) });
    stops.push(() => api.close());
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(api.kubeconfigPath);
    const crds = await ensureCrds(kubeConfig, path.join(REPO_ROOT, 'crds'));
    logger.info({ crds }, 'CRDs installed');

    const s3 = await startEmbeddedS3({ dir: path.join(dataDir, 's3'), port: options.s3Port ?? 0, buckets: [LOCAL_BUCKET] });
    stops.push(() => s3.close());
    await ensureSecret(kubeConfig, 'default', LOCAL_SECRET, { 'access-key': s3.accessKeyId, 'secret-key': s3.secretAccessKey });

    let functionsUrl = options.functionsUrl;
    if (!functionsUrl && options.startFunctions !== false) {
      const functions = await startFunctionsApp({
        kubeConfig, kubeconfigPath: api.kubeconfigPath, logger: logger.child({ component: 'functions' }),
        s3: { endpoint: s3.endpoint, bucket: LOCAL_BUCKET, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, forcePathStyle: true },
      }, logger, notes);
      if (functions) {
        functionsUrl = functions.url;
        stops.push(async () => {
          await new Promise<void>((resolve) => {
            functions.server.closeAllConnections();
            functions.server.close(() => resolve());
          });
          await functions.closeFunctions();
        });
      }
    }
    if (functionsUrl) {
      const router: EventRouter = await startEventRouter({
        kubeConfig, functionsUrl, logger: logger.child({ component: 'event-router' }),
        s3: { events: s3.events, endpoint: s3.endpoint, buckets: [LOCAL_BUCKET] },
        ping: { schedule: options.pingSchedule, ...(options.pingInitialDelayMs !== undefined ? { initialDelayMs: options.pingInitialDelayMs } : {}) },
      });
      stops.push(() => router.close());
    }

    const binder = new VolumeBinder(kubeConfig, dataDir, logger.child({ component: 'volume-binder' }));
    await binder.start();
    stops.push(async () => binder.stop());
    const executor = new JobExecutor({ kubeConfig, dataDir, logger: logger.child({ component: 'job-executor' }), concurrency: options.concurrency });
    await executor.start();
    stops.push(() => executor.close());

    const state: LocalState = {
      pid: process.pid, apiUrl: api.url, kubeconfigPath: api.kubeconfigPath, s3Endpoint: s3.endpoint,
      functionsUrl: functionsUrl ?? null, startedAt: new Date().toISOString(),
    };
    fs.writeFileSync(statePath(dataDir), `${JSON.stringify(state, null, 2)}\n`);
    for (const note of notes) logger.warn(note);
    return { kubeconfigPath: api.kubeconfigPath, apiUrl: api.url, s3Endpoint: s3.endpoint, functionsUrl, notes, close: closeAll };
  } catch (error) {
    await closeAll();
    throw new Error('while starting local mode', { cause: error });
  }
}
