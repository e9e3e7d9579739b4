/**
 * A fresh local API server for one test file: its own temp folder, a free port, a quiet
 * logger, a loaded @kubernetes/client-node KubeConfig and helpers to post manifests
 * (side effects: a port, a temp folder removed by close()).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { parseAllDocuments } from 'yaml';
import { startApiServer, type ApiServer, type ApiServerOptions } from './server.ts';
import type { JsonObject } from './types.ts';

/** LooseJson is a decoded answer body that tests read freely (tests assert on its shape). */
export type LooseJson = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** TestApiServer is a running server plus what tests need around it. */
export interface TestApiServer {
  server: ApiServer;
  kubeConfig: KubeConfig;
  dir: string;
  /** request sends a raw HTTP request to the server and returns status, headers and parsed body. */
  request(method: string, urlPath: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: LooseJson }>;
  /** applyManifestFile creates every document of a YAML file (POST), failing on any error. */
  applyManifestFile(filePath: string, namespace?: string): Promise<JsonObject[]>;
  /** kubectl runs the real kubectl against the server (own cache dir) and returns its exit code and output. */
  kubectl(args: string[], input?: string): Promise<KubectlResult>;
  /** restart closes the server and starts a new one on the same folder. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** KubectlResult is what one kubectl run printed. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** hasKubectl tells whether a kubectl binary is on PATH. */
export function hasKubectl(): boolean {
  return spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;
}

function runKubectl(args: string[], input: string | undefined): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

function collectionPath(object: JsonObject, namespace: string): string {
  const apiVersion = String(object.apiVersion ?? '');
  const kind = String(object.kind ?? '');
  const plural = kind === 'CustomResourceDefinition' ? 'customresourcedefinitions' : `${kind.toLowerCase()}s`;
  const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const clusterScoped = ['CustomResourceDefinition', 'Namespace', 'ValidatingWebhookConfiguration'].includes(kind);
  return clusterScoped ? `${prefix}/${plural}` : `${prefix}/namespaces/${namespace}/${plural}`;
}

/** startTestApiServer starts a server in a new temp folder (persisted there). */
export async function startTestApiServer(options: Omit<ApiServerOptions, 'dataDir' | 'port' | 'logger'> = {}): Promise<TestApiServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-apiserver-test-'));
  const dataDir = path.join(dir, 'state');
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  let server = await startApiServer({ ...options, dataDir, port: 0, logger });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(server.kubeconfigPath);
  const harness: TestApiServer = {
    get server() {
      return server;
    },
    kubeConfig,
    dir,
    async request(method, urlPath, body, headers = {}) {
      const init: RequestInit = { method, headers: { 'Content-Type': 'application/json', ...headers } };
      if (body !== undefined) init.body = typeof body === 'string' || Buffer.isBuffer(body) ? body as string : JSON.stringify(body);
      const response = await fetch(`${server.url}${urlPath}`, init);
      const text = await response.text();
      let parsed: LooseJson = {};
      try {
        parsed = text ? JSON.parse(text) as LooseJson : {};
      } catch {
        parsed = { text };
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async applyManifestFile(filePath, namespace = 'default') {
      const created: JsonObject[] = [];
      for (const document of parseAllDocuments(fs.readFileSync(filePath, 'utf8'))) {
        const object = document.toJSON() as JsonObject | null;
        if (!object) continue;
        const result = await harness.request('POST', collectionPath(object, namespace), object);
        if (result.status >= 300) throw new Error(`creating ${String(object.kind)} from ${filePath} failed: ${JSON.stringify(result.body)}`);
        created.push(result.body);
      }
      return created;
    },
    kubectl(args, input) {
      return runKubectl(['--kubeconfig', server.kubeconfigPath, '--cache-dir', path.join(dir, 'kube-cache'), ...args], input);
    },
    async restart() {
      await server.close();
      server = await startApiServer({ ...options, dataDir, port: 0, logger });
      kubeConfig.loadFromFile(server.kubeconfigPath);
    },
    async close() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
