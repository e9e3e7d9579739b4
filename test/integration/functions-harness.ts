/**
 * Shared set-up of the functions integration tests: a local API server with the CRDs, the
 * functions app listening on a free loopback port (its clock settable), client-node APIs,
 * and helpers to send real CloudEvents (binary or structured, built with the cloudevents
 * SDK), to create resources and to finish a Job the way a kubelet would (a Pod with a
 * termination message, Job status Complete or Failed). Side effects: ports, temp folders.
 */
import fs from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { CloudEvent, HTTP } from 'cloudevents';
import { pino } from 'pino';
import { KubeAdapter, PLURALS, type FeathermanKind } from '../../functions/adapters/kube.ts';
import { createFunctionsApp, type FunctionsApp, type FunctionsAppOptions } from '../../functions/handlers/app.ts';
import type { Job } from '../../functions/specs/k8s-types.ts';
import { startTestApiServer, type LooseJson, type TestApiServer } from '../../local/apiserver/test-harness.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../../local/s3/embedded-s3.ts';

/** GROUP_VERSION of the Featherman kinds. */
export const GROUP_VERSION = 'ducklake.featherman.dev/v1alpha1';

/** FunctionsWorld is what one test file shares. */
export interface FunctionsWorld {
  harness: TestApiServer;
  app: FunctionsApp;
  url: string;
  core: CoreV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  /** clock is the functions' time; tests move it. */
  clock: { now: Date };
  close(): Promise<void>;
}

/** startFunctionsWorld starts the API server (CRDs applied) and the functions app. */
export async function startFunctionsWorld(options: Partial<FunctionsAppOptions> = {}): Promise<FunctionsWorld> {
  const harness = await startTestApiServer();
  for (const file of ['ducklakecatalogs.yaml', 'ducklaketables.yaml', 'ducklakequeries.yaml']) {
    await harness.applyManifestFile(path.join(import.meta.dirname, '..', '..', 'crds', file));
  }
  const clock = { now: new Date('2026-11-25T12:00:10Z') };
  const app = createFunctionsApp({
    kube: new KubeAdapter(harness.kubeConfig),
    runnerImage: 'featherman:test',
    now: () => clock.now,
    log: pino({ level: process.env.LOG_LEVEL ?? 'silent' }),
    handler: '',
    ...options,
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    harness, app, url, clock,
    core: harness.kubeConfig.makeApiClient(CoreV1Api),
    batch: harness.kubeConfig.makeApiClient(BatchV1Api),
    custom: harness.kubeConfig.makeApiClient(CustomObjectsApi),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.closeFunctions();
      await harness.close();
    },
  };
}

/** Posted is an HTTP answer of the functions app. */
export interface Posted {
  status: number;
  body: LooseJson;
}

/** post sends a raw request to the functions app. */
export async function post(world: FunctionsWorld, urlPath: string, body: string, headers: Record<string, string>): Promise<Posted> {
  const response = await fetch(`${world.url}${urlPath}`, { method: 'POST', headers, body });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as LooseJson };
}

/** sendEvent sends a CloudEvent in binary (default) or structured mode. */
export function sendEvent(world: FunctionsWorld, urlPath: string, event: CloudEvent<unknown>, mode: 'binary' | 'structured' = 'binary'): Promise<Posted> {
  const message = mode === 'binary' ? HTTP.binary(event) : HTTP.structured(event);
  return post(world, urlPath, String(message.body ?? ''), message.headers as Record<string, string>);
}

/** apiServerEvent builds the CloudEvent an ApiServerSource sends about an object (Reference or Resource mode). */
export function apiServerEvent(object: LooseJson, action: 'add' | 'update' | 'delete', mode: 'Reference' | 'Resource' = 'Reference'): CloudEvent<unknown> {
  const { apiVersion, kind } = object as { apiVersion: string; kind: string };
  const { name, namespace } = object.metadata as { name: string; namespace: string };
  const plural = kind in PLURALS ? PLURALS[kind as FeathermanKind] : `${kind.toLowerCase()}s`;
  return new CloudEvent<unknown>({
    type: `dev.knative.apiserver.${mode === 'Reference' ? 'ref' : 'resource'}.${action}`,
    source: 'https://10.96.0.1:443',
    subject: `/apis/${apiVersion}/namespaces/${namespace}/${plural}/${name}`,
    datacontenttype: 'application/json',
    kind, apiversion: apiVersion, name, namespace,
    data: mode === 'Reference' ? { apiVersion, kind, name, namespace } : object,
  });
}

/** createResource creates a Featherman resource and returns it as stored. */
export async function createResource(world: FunctionsWorld, kind: FeathermanKind, name: string, spec: LooseJson, namespace = 'default'): Promise<LooseJson> {
  return (await world.custom.createNamespacedCustomObject({
    group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace, plural: PLURALS[kind],
    body: { apiVersion: GROUP_VERSION, kind, metadata: { name, namespace }, spec },
  })) as LooseJson;
}

/** readResource reads a Featherman resource. */
export async function readResource(world: FunctionsWorld, kind: FeathermanKind, name: string, namespace = 'default'): Promise<LooseJson> {
  return (await world.custom.getNamespacedCustomObject({ group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace, plural: PLURALS[kind], name })) as LooseJson;
}

/** condition returns a condition of a resource's status. */
export function condition(resource: LooseJson, type: string): LooseJson | undefined {
  return (resource.status?.conditions as LooseJson[] | undefined)?.find((item) => item.type === type);
}

/** featherJobs lists the Featherman Jobs in a namespace. */
export async function featherJobs(world: FunctionsWorld, namespace = 'default'): Promise<Job[]> {
  return (await world.batch.listNamespacedJob({ namespace, labelSelector: 'app.kubernetes.io/managed-by=featherman' })).items as unknown as Job[];
}

/**
 * finishJob plays kubelet and Job controller: a Pod labelled with the Job's name whose runner
 * container terminated with `message`, then the Job's status Complete (or Failed).
 */
export async function finishJob(world: FunctionsWorld, job: Job, message: string, succeeded = true): Promise<void> {
  const namespace = job.metadata.namespace ?? 'default';
  const pod = await world.core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: `${job.metadata.name}-pod`, labels: { 'job-name': job.metadata.name, 'controller-uid': job.metadata.uid ?? '' } },
      spec: { restartPolicy: 'Never', containers: [{ name: 'runner', image: 'featherman:test' }] },
    },
  });
  const terminated = { exitCode: succeeded ? 0 : 1, reason: succeeded ? 'Completed' : 'Error', message, finishedAt: new Date() };
  await world.core.replaceNamespacedPodStatus({
    namespace, name: pod.metadata?.name ?? '',
    body: { ...pod, status: { phase: succeeded ? 'Succeeded' : 'Failed', containerStatuses: [{ name: 'runner', image: 'featherman:test', imageID: '', ready: false, restartCount: 0, state: { terminated } }] } },
  });
  const fresh = await world.batch.readNamespacedJob({ namespace, name: job.metadata.name });
  const time = new Date();
  await world.batch.replaceNamespacedJobStatus({
    namespace, name: job.metadata.name,
    body: {
      ...fresh,
      status: {
        startTime: time, completionTime: succeeded ? time : undefined,
        succeeded: succeeded ? 1 : 0, failed: succeeded ? 0 : 1,
        conditions: [{ type: succeeded ? 'Complete' : 'Failed', status: 'True', lastTransitionTime: time, ...(succeeded ? {} : { reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }) }],
      },
    },
  });
}

/** runnerResult is a runner result JSON as the termination message carries it. */
export function runnerResult(fields: LooseJson): string {
  return JSON.stringify({ ok: true, durationMs: 1200, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, ...fields });
}

/** catalogSpec is a valid DuckLakeCatalog spec on bucket `lake`. */
export function catalogSpec(extra: LooseJson = {}): LooseJson {
  return { objectStore: { bucket: 'lake', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, prefix: 'data', credentialsSecret: { name: 'lake-credentials' } }, ...extra };
}

/** tableSpec is a valid DuckLakeTable spec with an ingest prefix. */
export function tableSpec(catalogRef: string, name: string, extra: LooseJson = {}): LooseJson {
  return {
    catalogRef, name,
    columns: [{ name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }],
    ingest: { prefix: `landing/${name}/`, format: 'csv' },
    ...extra,
  };
}

/** jobEvent is the ApiServerSource event about a Job (Reference mode). */
export function jobEvent(job: Job): CloudEvent<unknown> {
  return apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata }, 'update');
}

/** unfinished returns a Featherman Job of `op` (of `table`, when given) that has no conditions yet; fails the test when there is none. */
export async function unfinished(world: FunctionsWorld, op: string, table?: string): Promise<Job> {
  const job = (await featherJobs(world)).find((item) => item.metadata.labels?.['featherman.dev/operation'] === op && item.status?.conditions === undefined && (table === undefined || item.metadata.labels['featherman.dev/table'] === table));
  assert.ok(job, `an unfinished ${op} Job`);
  return job;
}

/** finishAndTell finishes a Job with a runner result and sends job-finished the event about it; the answer must be 200. */
export async function finishAndTell(world: FunctionsWorld, job: Job, result: LooseJson): Promise<Posted> {
  await finishJob(world, job, runnerResult(result));
  const answer = await sendEvent(world, '/job-finished', jobEvent(job));
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer;
}

/** createReadyLake creates the credentials Secret and catalog `lake` on the embedded S3 server, and finishes its init Job. */
export async function createReadyLake(world: FunctionsWorld, s3: EmbeddedS3): Promise<void> {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  await world.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'lake-credentials' }, data: { 'access-key': b64(s3.accessKeyId), 'secret-key': b64(s3.secretAccessKey) } } });
  const spec = catalogSpec();
  const catalog = await createResource(world, 'DuckLakeCatalog', 'lake', { ...spec, objectStore: { ...spec.objectStore, endpoint: s3.endpoint } });
  await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'add'));
  await finishAndTell(world, await unfinished(world, 'init-catalog'), { op: 'init-catalog', snapshotId: 1 });
}

/** LakeWorld is a functions world with an embedded S3 server and the catalog `lake` Ready on it. */
export interface LakeWorld {
  world: FunctionsWorld;
  s3: EmbeddedS3;
  /** close stops both servers and removes the S3 folder; side effects. */
  close(): Promise<void>;
}

/** startLakeWorld starts a functions world and an S3 server and makes `lake` Ready (side effects: servers, a temp folder). */
export async function startLakeWorld(label: string): Promise<LakeWorld> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fm-functions-${label}-`));
  const s3 = await startEmbeddedS3({ dir, buckets: ['lake'] });
  const world = await startFunctionsWorld();
  await createReadyLake(world, s3);
  return {
    world, s3,
    close: async () => {
      await world.close();
      await s3.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
