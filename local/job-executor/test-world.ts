/**
 * Shared set-up of the job executor tests: a local API server, an embedded S3 server with
 * bucket `lake`, the `lake-credentials` Secret, a running JobExecutor, a builder of runner
 * Jobs shaped like Featherman's (plan in env, S3 keys by secretKeyRef, catalog PVC, cache
 * emptyDir, a wait-for-volume init container) and waiters (side effects: ports, temp folders).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BatchV1Api, CoreV1Api, type V1EnvVar, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { pino } from 'pino';
import type { PlanInput } from '../../api/plan.ts';
import { startTestApiServer, type TestApiServer } from '../apiserver/test-harness.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../s3/embedded-s3.ts';
import { JobExecutor, type JobExecutorOptions } from './job-executor.ts';
import { jobFinished } from './job-status.ts';

/** CATALOG_MOUNT and CACHE_MOUNT are the container paths of the catalog volume and the scratch volume. */
export const CATALOG_MOUNT = '/var/lib/featherman/catalog';
export const CACHE_MOUNT = '/var/cache/featherman';
/** CLAIM is the catalog PVC name. */
export const CLAIM = 'catalog-lake';

/** ExecutorWorld is what one test file shares. */
export interface ExecutorWorld {
  harness: TestApiServer;
  s3: EmbeddedS3;
  executor: JobExecutor;
  dataDir: string;
  core: CoreV1Api;
  batch: BatchV1Api;
  /** commonPlan is the catalog and object store part of a plan, with container paths. */
  commonPlan: { catalog: { name: string; path: string }; objectStore: { bucket: string; endpoint: string; forcePathStyle: boolean }; cacheDir: string };
  /** localCatalogPath is where the catalog file lands on this machine. */
  localCatalogPath: string;
  close(): Promise<void>;
}

/** startExecutorWorld starts everything (retry pauses of 100 ms). */
export async function startExecutorWorld(options: Partial<Pick<JobExecutorOptions, 'concurrency' | 'retryDelayMs'>> = {}): Promise<ExecutorWorld> {
  const harness = await startTestApiServer();
  const dataDir = path.join(harness.dir, 'local');
  const s3 = await startEmbeddedS3({ dir: path.join(harness.dir, 's3'), buckets: ['lake'] });
  const core = harness.kubeConfig.makeApiClient(CoreV1Api);
  const batch = harness.kubeConfig.makeApiClient(BatchV1Api);
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  await core.createNamespacedSecret({
    namespace: 'default',
    body: { metadata: { name: 'lake-credentials' }, data: { 'access-key': b64(s3.accessKeyId), 'secret-key': b64(s3.secretAccessKey) } },
  });
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
  const executor = new JobExecutor({
    kubeConfig: harness.kubeConfig, dataDir, logger, labelSelector: 'app.kubernetes.io/managed-by=featherman',
    concurrency: options.concurrency ?? 2, retryDelayMs: options.retryDelayMs ?? 100,
    baseEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'warn' },
  });
  await executor.start();
  return {
    harness, s3, executor, dataDir, core, batch,
    commonPlan: {
      catalog: { name: 'lake', path: `${CATALOG_MOUNT}/lake.ducklake` },
      objectStore: { bucket: 'lake', endpoint: s3.endpoint, forcePathStyle: true },
      cacheDir: `${CACHE_MOUNT}/work`,
    },
    localCatalogPath: path.join(dataDir, 'volumes', 'default', CLAIM, 'lake.ducklake'),
    close: async () => {
      await executor.close();
      await s3.close();
      await harness.close();
      fs.rmSync(harness.dir, { recursive: true, force: true });
    },
  };
}

/** RunnerJobOptions shape one test Job. */
export interface RunnerJobOptions {
  plan: PlanInput | string;
  secretName?: string;
  extraEnv?: V1EnvVar[];
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
}

/** buildRunnerJob builds a Job like the functions' Job builder would (pure). */
export function buildRunnerJob(name: string, options: RunnerJobOptions): V1Job {
  const secret = options.secretName ?? 'lake-credentials';
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'featherman', 'featherman.dev/operation': 'test' } },
    spec: {
      backoffLimit: options.backoffLimit ?? 0,
      activeDeadlineSeconds: options.activeDeadlineSeconds,
      ttlSecondsAfterFinished: options.ttlSecondsAfterFinished,
      template: {
        metadata: { labels: { 'app.kubernetes.io/managed-by': 'featherman' } },
        spec: {
          restartPolicy: 'Never',
          initContainers: [{ name: 'wait-for-catalog', image: 'busybox:1.36', command: ['sh', '-c', `until [ -d ${CATALOG_MOUNT} ]; do sleep 1; done`], volumeMounts: [{ name: 'catalog', mountPath: CATALOG_MOUNT }] }],
          containers: [{
            name: 'runner', image: 'ghcr.io/featherman/runner:0.1.0',
            command: ['node', '/app/dist/runner.mjs'],
            env: [
              { name: 'FEATHERMAN_PLAN', value: typeof options.plan === 'string' ? options.plan : JSON.stringify(options.plan) },
              { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: secret, key: 'access-key' } } },
              { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: secret, key: 'secret-key' } } },
              ...(options.extraEnv ?? []),
            ],
            volumeMounts: [{ name: 'catalog', mountPath: CATALOG_MOUNT }, { name: 'cache', mountPath: CACHE_MOUNT }],
          }],
          volumes: [{ name: 'catalog', persistentVolumeClaim: { claimName: CLAIM } }, { name: 'cache', emptyDir: {} }],
        },
      },
    },
  };
}

/** waitUntil polls `probe` every 50 ms until it returns a value, or throws after timeoutMs. */
export async function waitUntil<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** waitForJobEnd waits for a Complete or Failed condition and returns the Job. */
export function waitForJobEnd(world: ExecutorWorld, name: string, timeoutMs = 90_000): Promise<V1Job> {
  return waitUntil(`Job ${name} to finish`, async () => {
    const job = await world.batch.readNamespacedJob({ namespace: 'default', name });
    return jobFinished(job) ? job : undefined;
  }, timeoutMs);
}

/** podsOfJob lists a Job's Pods, oldest first. */
export async function podsOfJob(world: ExecutorWorld, name: string): Promise<V1Pod[]> {
  const list = await world.core.listNamespacedPod({ namespace: 'default', labelSelector: `job-name=${name}` });
  const time = (pod: V1Pod): number => new Date(pod.metadata?.creationTimestamp ?? 0).getTime();
  return [...list.items].sort((a, b) => time(a) - time(b));
}
