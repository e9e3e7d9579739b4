/**
 * startApiServer: the local Kubernetes API server on loopback, with its store (on disk or
 * in memory), watch history, garbage collector and kubeconfig.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createLogger, type Logger } from '../../runner/log.ts';
import { metaOf } from './admit.ts';
import { timestamp, type ServerContext } from './context.ts';
import { servedResourcesOfCrd } from './crd.ts';
import { GarbageCollector } from './gc.ts';
import { handleRequest } from './http-handler.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { Registry } from './registry.ts';
import { ResourceStore } from './store.ts';
import { WatchHub } from './watch.ts';
import { CRD_STORAGE_KEY } from './writes.ts';

/** ApiServerOptions configure one server. */
export interface ApiServerOptions {
  /** dataDir keeps the state (it survives a restart); without it the state is in memory. */
  dataDir?: string;
  /** port to listen on; 0 (default) picks a free one. */
  port?: number;
  host?: '127.0.0.1';
  /** kubeconfigPath is where the kubeconfig is written (default `<dataDir>/kubeconfig`, or a temp file). */
  kubeconfigPath?: string;
  /** watchHistory is how many changes a watch can resume across (default 10,000). */
  watchHistory?: number;
  /** bookmarkIntervalMs is how often watches with allowWatchBookmarks get a BOOKMARK (default 10 s). */
  bookmarkIntervalMs?: number;
  logger?: Logger;
}

/** ApiServer is a running server. */
export interface ApiServer {
  url: string;
  port: number;
  kubeconfigPath: string;
  store: ResourceStore;
  context: ServerContext;
  /** close stops listening, ends watches and closes the store. */
  close(): Promise<void>;
}

const DEFAULT_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function ensureNamespaces(store: ResourceStore, now: Date): void {
  for (const name of DEFAULT_NAMESPACES) {
    if (store.get('/namespaces', '', name)) continue;
    store.put('/namespaces', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, uid: crypto.randomUUID(), creationTimestamp: timestamp(now), labels: { 'kubernetes.io/metadata.name': name } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    }, 'ADDED');
  }
}

function registerStoredCrds(store: ResourceStore, registry: Registry): void {
  for (const crd of store.list(CRD_STORAGE_KEY)) {
    if (!metaOf(crd).deletionTimestamp) registry.setCrd(String(metaOf(crd).name), servedResourcesOfCrd(crd));
  }
}

/** startApiServer starts listening and writes the kubeconfig (side effects: a port, files). */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const logger = options.logger ?? createLogger({ component: 'apiserver' });
  const store = ResourceStore.open(options.dataDir);
  const registry = new Registry();
  const hub = new WatchHub(store, options.watchHistory ?? 10_000);
  ensureNamespaces(store, new Date());
  registerStoredCrds(store, registry);
  const context: ServerContext = {
    store, registry, hub, logger,
    now: () => new Date(),
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 10_000,
    serverAddress: '',
  };
  const collector = new GarbageCollector(context);
  collector.start();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request, response) => {
    void handleRequest(context, request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host}:${port}`;
  context.serverAddress = `${host}:${port}`;
  let temporaryDir: string | undefined;
  let kubeconfigPath = options.kubeconfigPath;
  if (!kubeconfigPath) {
    if (options.dataDir) kubeconfigPath = path.join(options.dataDir, 'kubeconfig');
    else {
      temporaryDir = fs.mkdtempSync(path.join(os.tmpdir(), 'featherman-apiserver-'));
      kubeconfigPath = path.join(temporaryDir, 'kubeconfig');
    }
  }
  writeKubeconfig(kubeconfigPath, url);
  logger.info({ url, kubeconfigPath, dataDir: options.dataDir ?? null }, 'local API server listening');
  return {
    url, port, kubeconfigPath, store, context,
    close: async () => {
      collector.stop();
      hub.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      store.close();
      if (temporaryDir) fs.rmSync(temporaryDir, { recursive: true, force: true });
    },
  };
}
