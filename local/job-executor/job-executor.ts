/**
 * The local job executor: the Job controller and the kubelet of local mode. It watches
 * batch/v1 Jobs, runs each new one (at most `concurrency` at once) with runJob, kills the
 * process of a Job deleted while it runs, and deletes finished Jobs after
 * ttlSecondsAfterFinished (the garbage collector then deletes their Pods).
 */
import type { KubeConfig, KubernetesObject, V1Job } from '@kubernetes/client-node';
import type { Logger } from '../../runner/log.ts';
import { ResourceWatcher, type WatchEventType } from '../event-router/resource-watcher.ts';
import { jobFinished } from './job-status.ts';
import { JobExecutorKube } from './kube.ts';
import { runJob } from './job-run.ts';

/** JobExecutorOptions configure the executor. */
export interface JobExecutorOptions {
  kubeConfig: KubeConfig;
  /** dataDir holds `volumes/<namespace>/<claim>` for PersistentVolumeClaims. */
  dataDir: string;
  logger: Logger;
  /** concurrency is how many Jobs run at once (default 2). */
  concurrency?: number;
  /** labelSelector limits the Jobs run (default all). */
  labelSelector?: string;
  /** baseEnv is given to every container first (default PATH, HOME, TMPDIR, LOG_LEVEL of this process). */
  baseEnv?: Record<string, string>;
  /** retryDelayMs is the first pause before a retry Pod (default 1000; doubles up to 30 s). */
  retryDelayMs?: number;
  /** runnerEntry replaces runner/main.ts (tests). */
  runnerEntry?: string;
}

interface Tracked {
  job: V1Job;
  state: 'queued' | 'running' | 'finished';
  abort: AbortController;
  ttlTimer?: NodeJS.Timeout;
}

function defaultBaseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LOG_LEVEL', 'NODE_OPTIONS']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** JobExecutor runs Jobs until close(). */
export class JobExecutor {
  private readonly tracked = new Map<string, Tracked>();
  private readonly queue: string[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly kube: JobExecutorKube;
  private readonly watcher: ResourceWatcher;
  private readonly concurrency: number;
  private readonly closing = new AbortController();
  private active = 0;

  constructor(private readonly options: JobExecutorOptions) {
    this.kube = new JobExecutorKube(options.kubeConfig);
    this.concurrency = options.concurrency ?? 2;
    this.watcher = new ResourceWatcher(
      options.kubeConfig,
      { apiVersion: 'batch/v1', kind: 'Job', plural: 'jobs', labelSelector: options.labelSelector },
      { onEvent: (type, object) => this.observe(type, object), onList: (objects) => this.observeList(objects) },
      options.logger,
    );
  }

  /** start begins watching; the promise resolves once the first list has been seen (side effects: everything above). */
  async start(): Promise<void> {
    await this.watcher.start();
    this.options.logger.info({ concurrency: this.concurrency }, 'job executor watching Jobs');
  }

  /** close stops watching, kills running processes and waits for their runs to end. */
  async close(): Promise<void> {
    this.watcher.stop();
    this.closing.abort();
    for (const entry of this.tracked.values()) {
      entry.abort.abort();
      if (entry.ttlTimer) clearTimeout(entry.ttlTimer);
    }
    await Promise.allSettled([...this.running]);
  }

  private observeList(objects: KubernetesObject[]): void {
    for (const object of objects) this.observe('ADDED', object);
  }

  private observe(type: WatchEventType, object: KubernetesObject): void {
    const job = object as V1Job;
    const uid = job.metadata?.uid;
    if (!uid || this.closing.signal.aborted) return;
    const entry = this.tracked.get(uid);
    if (type === 'DELETED' || job.metadata?.deletionTimestamp) {
      if (!entry) return;
      if (entry.state !== 'finished') this.options.logger.info({ job: this.describe(job), state: entry.state }, 'Job deleted; stopping it');
      entry.abort.abort();
      if (entry.ttlTimer) clearTimeout(entry.ttlTimer);
      if (type === 'DELETED') this.tracked.delete(uid);
      return;
    }
    if (entry) {
      entry.job = job;
      if (entry.state === 'finished') this.scheduleTtl(entry);
      return;
    }
    const fresh: Tracked = { job, state: jobFinished(job) ? 'finished' : 'queued', abort: new AbortController() };
    this.tracked.set(uid, fresh);
    if (fresh.state === 'finished') {
      this.scheduleTtl(fresh);
    } else if (job.spec?.suspend) {
      fresh.state = 'finished';
      this.tracked.delete(uid);
    } else {
      this.queue.push(uid);
      this.pump();
    }
  }

  private describe(job: V1Job): string {
    return `${job.metadata?.namespace ?? ''}/${job.metadata?.name ?? ''}`;
  }

  private pump(): void {
    while (this.active < this.concurrency && this.queue.length > 0) {
      const uid = this.queue.shift() ?? '';
      const entry = this.tracked.get(uid);
      if (!entry || entry.state !== 'queued' || entry.abort.signal.aborted) continue;
      entry.state = 'running';
      this.active += 1;
      const run = this.runOne(entry).finally(() => {
        this.active -= 1;
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async runOne(entry: Tracked): Promise<void> {
    const { job } = entry;
    const logger = this.options.logger;
    try {
      const outcome = await runJob(job, {
        kube: this.kube, dataDir: this.options.dataDir, logger,
        signal: AbortSignal.any([entry.abort.signal, this.closing.signal]),
        baseEnv: this.options.baseEnv ?? defaultBaseEnv(),
        retryDelayMs: this.options.retryDelayMs ?? 1000,
        runnerEntry: this.options.runnerEntry,
      });
      if (outcome === 'aborted') return;
      entry.state = 'finished';
      this.scheduleTtl(entry);
    } catch (error) {
      logger.error({ job: this.describe(job), err: error }, 'running the Job failed; it will be retried when the executor restarts');
    }
  }

  private scheduleTtl(entry: Tracked): void {
    const ttl = entry.job.spec?.ttlSecondsAfterFinished;
    if (ttl === undefined || entry.ttlTimer || this.closing.signal.aborted) return;
    const finishedAt = this.finishTime(entry.job);
    const delay = Math.max(0, finishedAt + ttl * 1000 - Date.now());
    const namespace = entry.job.metadata?.namespace ?? 'default';
    const name = entry.job.metadata?.name ?? '';
    entry.ttlTimer = setTimeout(() => {
      this.options.logger.info({ job: `${namespace}/${name}`, ttlSecondsAfterFinished: ttl }, 'deleting the finished Job (ttlSecondsAfterFinished)');
      this.kube.deleteJob(namespace, name).catch((error: unknown) => {
        this.options.logger.warn({ job: `${namespace}/${name}`, err: error }, 'deleting the finished Job failed');
      });
    }, delay);
  }

  private finishTime(job: V1Job): number {
    const terminal = (job.status?.conditions ?? []).find((entry) => entry.status === 'True' && (entry.type === 'Complete' || entry.type === 'Failed'));
    const stamp = job.status?.completionTime ?? terminal?.lastTransitionTime;
    const parsed = stamp ? Date.parse(String(stamp)) : Number.NaN;
    return Number.isNaN(parsed) ? Date.now() : parsed;
  }
}
