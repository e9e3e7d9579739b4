/**
 * The e2e harness: local mode in a temp folder, the real kubectl against it, the embedded
 * S3 through the AWS SDK, sweeps sent the way the PingSource sends them, and polling with
 * messages that say what was last observed. Used by test/e2e/lake-*.test.ts.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { KubeAdapter } from '../../functions/adapters/kube.ts';
import { createFunctionsApp } from '../../functions/handlers/app.ts';
import { startEventProxy, type EventProxy } from './lake-event-proxy.ts';
import { binaryMessage } from '../../local/event-router/delivery.ts';
import { buildPingEvent } from '../../local/event-router/ping-source.ts';
import { EMBEDDED_S3_CREDENTIALS } from '../../local/s3/embedded-s3.ts';
import { LOCAL_BUCKET, startLocalMode, type LocalMode } from '../../local/up.ts';

/** KUBECTL is the real kubectl; HAS_KUBECTL says whether the e2e tests can run. */
export const KUBECTL = '/usr/bin/kubectl';
export const HAS_KUBECTL = fs.existsSync(KUBECTL);

const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** EXAMPLES is the examples folder the demo applies. */
export const EXAMPLES = path.join(ROOT, 'examples');
/**
 * quietSchedule fires once a day, twelve hours from now, and the harness turns the tick after
 * start off, so no PingSource tick lands during a test (sweeps are sent by the tests: a tick
 * of its own would expire rows by TTL while a test counts them). A yearly schedule would overflow setTimeout
 * (more than 2^31 ms away fires at once) in local/event-router/ping-source.ts.
 */
function quietSchedule(): string {
  const now = new Date();
  return `${now.getMinutes()} ${(now.getHours() + 12) % 24} * * *`;
}

/** Condition is a status condition as kubectl returns it. */
export interface Condition { type: string; status: string; reason?: string; message?: string; observedGeneration?: number }
/** Resource is a custom resource as kubectl -o json returns it. */
export interface Resource {
  metadata: { name: string; generation?: number; uid?: string; deletionTimestamp?: string; labels?: Record<string, string>; ownerReferences?: { name: string; kind: string }[] };
  spec?: Record<string, unknown>;
  status?: { phase?: string; observedGeneration?: number; rowCount?: number; rows?: number; preview?: string; conditions?: Condition[] } & Record<string, unknown>;
}

/** condition finds one condition of a resource (pure). */
export function condition(resource: Resource | undefined, type: string): Condition | undefined {
  return resource?.status?.conditions?.find((item) => item.type === type);
}

/** LakeHarness is local mode plus the tools the tests use. */
export interface LakeHarness {
  local: LocalMode;
  /** proxy stands between the event router and the functions app (duplicate, drop, hold events). */
  proxy: EventProxy;
  dir: string;
  s3: S3Client;
  kubectl(args: string[], input?: string): Promise<string>;
  /** kubectlFails runs kubectl expecting a failure and returns its stderr. */
  kubectlFails(args: string[], input?: string): Promise<string>;
  /** apply applies YAML text, with the manifests' S3 endpoint replaced by this run's. */
  apply(yaml: string): Promise<string>;
  /** examples returns the text of examples/<name>. */
  examples(name: string): string;
  get(resource: string): Promise<Resource | undefined>;
  list(kind: string): Promise<Resource[]>;
  put(key: string, body: string): Promise<void>;
  keys(prefix: string): Promise<string[]>;
  remove(key: string): Promise<void>;
  /** sweep sends one PingSource tick (task resync, or resync-only: no maintenance Jobs), redelivered on 5xx like the PingSource's. */
  sweep(task?: 'resync' | 'resync-only'): Promise<{ status: number; body: Record<string, unknown> }>;
  /** waitFor polls until check returns a value; the timeout error shows observe(). */
  waitFor<T>(what: string, check: () => Promise<T | undefined>, observe: () => Promise<unknown>, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

/**
 * startLake starts local mode in a fresh temp folder with the functions app behind an event
 * proxy (side effects: ports, files, child processes).
 */
export async function startLake(): Promise<LakeHarness> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-lake-e2e-'));
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' }, pino.destination(2));
  const proxy = await startEventProxy();
  const local = await startLocalMode({ dataDir: path.join(dir, 'local'), s3Port: 0, pingSchedule: quietSchedule(), pingInitialDelayMs: -1, functionsUrl: proxy.url, logger });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(local.kubeconfigPath);
  const app = createFunctionsApp({ kube: new KubeAdapter(kubeConfig), logger: logger.child({ component: 'functions' }) });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const functionsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.setTarget(functionsUrl);
  const endpoint = local.s3Endpoint.replace('localhost', '127.0.0.1');
  const s3 = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMBEDDED_S3_CREDENTIALS });
  const kubectl = (args: string[], input?: string): Promise<string> => new Promise((resolve, reject) => {
    const child = execFile(KUBECTL, ['--kubeconfig', local.kubeconfigPath, ...args], { timeout: 90_000 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || error.message}`), { stderr }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
  const get = async (resource: string): Promise<Resource | undefined> => {
    try {
      return JSON.parse(await kubectl(['get', resource, '-o', 'json'])) as Resource;
    } catch (error) {
      if (/NotFound|not found/.test((error as Error).message)) return undefined;
      throw error;
    }
  };
  const harness: LakeHarness = {
    local, proxy, dir, s3, kubectl, get,
    kubectlFails: async (args, input) => {
      const outcome = await kubectl(args, input).then((stdout) => ({ ok: true as const, stdout }), (error: Error & { stderr?: string }) => ({ ok: false as const, stderr: error.stderr ?? error.message }));
      if (outcome.ok) throw new Error(`kubectl ${args.join(' ')} succeeded but was expected to fail: ${outcome.stdout}`);
      return outcome.stderr;
    },
    apply: (yaml) => kubectl(['apply', '-f', '-'], yaml.replaceAll('http://127.0.0.1:9000', endpoint)),
    examples: (name) => fs.readFileSync(path.join(EXAMPLES, name), 'utf8'),
    list: async (kind) => (JSON.parse(await kubectl(['get', kind, '-o', 'json'])) as { items: Resource[] }).items,
    put: async (key, body) => {
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: key, Body: body }));
    },
    keys: async (prefix) => {
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: LOCAL_BUCKET, Prefix: prefix }));
      return (listed.Contents ?? []).map((item) => item.Key ?? '').sort();
    },
    remove: async (key) => {
      await s3.send(new DeleteObjectCommand({ Bucket: LOCAL_BUCKET, Key: key }));
    },
    sweep: async (task = 'resync') => {
      // Like the PingSource's delivery: a 5xx (a resource the sweep could not reconcile,
      // e.g. a write conflict) is redelivered; the Jobs of every attempt are collected.
      const maintenanceJobs: string[] = [];
      let answer = { status: 0, body: {} as Record<string, unknown> };
      for (let attempt = 0; attempt < 5; attempt++) {
        const message = binaryMessage(buildPingEvent({ data: { task }, extensions: { feathermantask: task } }));
        const response = await fetch(`${functionsUrl}/sweep`, { method: 'POST', headers: message.headers, body: message.body });
        answer = { status: response.status, body: await response.json() as Record<string, unknown> };
        maintenanceJobs.push(...(answer.body.maintenanceJobs as string[] | undefined ?? []));
        if (response.status < 500) break;
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
      return { status: answer.status, body: { ...answer.body, maintenanceJobs } };
    },
    waitFor: async (what, check, observe, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await check();
        if (found !== undefined) return found;
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; observed: ${JSON.stringify(await observe().catch((error: unknown) => (error as Error).message))}`);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    },
    close: async () => {
      s3.destroy();
      await local.close();
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      await app.closeFunctions();
      await proxy.close();
      if (!process.env.FM_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/** waitReady waits until a resource is Ready for its current generation. */
export async function waitReady(lake: LakeHarness, resource: string, timeoutMs = 60_000): Promise<Resource> {
  return lake.waitFor(`${resource} Ready`, async () => {
    const found = await lake.get(resource);
    const ready = condition(found, 'Ready');
    return ready?.status === 'True' && found?.status?.observedGeneration === found?.metadata.generation ? found : undefined;
  }, async () => (await lake.get(resource))?.status, timeoutMs);
}

/** runQuery creates a DuckLakeQuery, waits for its terminal phase and returns it. */
export async function runQuery(lake: LakeHarness, name: string, sql: string, catalog = 'shop'): Promise<Resource> {
  const body = JSON.stringify({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeQuery', metadata: { name, namespace: 'default' }, spec: { catalogRef: catalog, sql } });
  await lake.kubectl(['create', '-f', '-'], body);
  return lake.waitFor(`DuckLakeQuery ${name} to finish`, async () => {
    const query = await lake.get(`dlq/${name}`);
    return query?.status?.phase === 'Succeeded' || query?.status?.phase === 'Failed' ? query : undefined;
  }, async () => (await lake.get(`dlq/${name}`))?.status);
}

/** previewRows parses a query's status.preview (JSON lines) (pure). */
export function previewRows(query: Resource): Record<string, unknown>[] {
  return (query.status?.preview ?? '').split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** jobsOf lists the Jobs whose name starts with a prefix. */
export async function jobsOf(lake: LakeHarness, prefix: string): Promise<Resource[]> {
  return (await lake.list('jobs')).filter((job) => job.metadata.name.startsWith(prefix));
}
