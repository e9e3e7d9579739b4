/**
 * One Job from start to its terminal condition: a Pod per attempt (a new one after each
 * failure, up to backoffLimit), the container run as a runner process, Pod and Job status
 * as the kubelet and the Job controller write them, and activeDeadlineSeconds enforced
 * with SIGKILL.
 */
import path from 'node:path';
import type { V1Container, V1Job, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../runner/log.ts';
import { ContainerConfigError, resolveContainerEnv } from './container-env.ts';
import { jobFailedConditions, jobSucceededConditions, podConfigErrorStatus, podRunningStatus, podTerminatedStatus, type JobFailureReason } from './job-status.ts';
import type { JobExecutorKube } from './kube.ts';
import { buildPod, podNameFor, rewritePaths, runnerArguments } from './pod-spec.ts';
import { runPodProcess } from './pod-process.ts';
import { prepareVolumes, type PreparedVolumes } from './volumes.ts';

/** JobRunOptions is what a run needs besides the Job. */
export interface JobRunOptions {
  kube: JobExecutorKube;
  dataDir: string;
  logger: Logger;
  /** signal aborts the run without writing status (the Job was deleted, or the executor closes). */
  signal: AbortSignal;
  /** baseEnv is what every container gets before its own variables (PATH, LOG_LEVEL…). */
  baseEnv: Record<string, string>;
  /** retryDelayMs is the first pause before a new Pod after a failure; it doubles up to 30 s. */
  retryDelayMs: number;
  runnerEntry?: string;
}

/** JobRunOutcome is how the Job ended, or `aborted`. */
export type JobRunOutcome = 'Complete' | 'Failed' | 'aborted';

const iso = (date: Date): string => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function markLeftoverPods(job: V1Job, options: JobRunOptions): Promise<number> {
  const namespace = job.metadata?.namespace ?? 'default';
  const pods = await options.kube.listPodsOfJob(namespace, job.metadata?.uid ?? '');
  let failed = 0;
  for (const pod of pods.filter((entry) => entry.status?.phase === 'Pending' || entry.status?.phase === 'Running')) {
    const message = 'the local job executor stopped while this Pod ran';
    await options.kube.patchPodStatus(namespace, pod.metadata?.name ?? '', { phase: 'Failed', reason: 'NodeLost', message });
    failed += 1;
  }
  return failed;
}

/** note records a Kubernetes Event for `kubectl describe`; a failure only logs at debug (side effect: an API write). */
function note(options: JobRunOptions, kind: 'Job' | 'Pod', target: V1Job | V1Pod, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void {
  const involved = {
    apiVersion: kind === 'Pod' ? 'v1' : 'batch/v1', kind,
    name: target.metadata?.name ?? '', namespace: target.metadata?.namespace ?? 'default', uid: target.metadata?.uid,
  };
  void options.kube.recordEvent(involved, type, reason, message, component).then((error) => {
    if (error) options.logger.debug({ err: error, reason }, 'recording an Event failed');
  });
}

function tmpdirOf(mounts: readonly { mountPath: string; localPath: string }[]): Record<string, string> {
  const tmp = mounts.find((mount) => mount.mountPath.replace(/\/+$/, '') === '/tmp');
  return tmp ? { TMPDIR: tmp.localPath } : {};
}

interface Attempt {
  exitCode: number | 'config-error';
  deadline: boolean;
}

async function runAttempt(job: V1Job, pod: V1Pod, container: V1Container, options: JobRunOptions, signal: AbortSignal, deadline: AbortSignal): Promise<Attempt> {
  const namespace = pod.metadata?.namespace ?? 'default';
  const podName = pod.metadata?.name ?? '';
  const log = options.logger.child({ pod: podName });
  const image = { name: container.name, image: container.image ?? '' };
  const initNames = (pod.spec?.initContainers ?? []).map((init) => init.name);
  for (const name of initNames) log.info({ initContainer: name }, 'init container treated as satisfied (the local volume is ready and the runner takes the lock itself)');
  let volumes: PreparedVolumes | undefined;
  let env: Record<string, string>;
  try {
    volumes = await prepareVolumes(pod, container, options.dataDir, options.kube);
    const resolved = await resolveContainerEnv(options.kube, pod, container);
    env = Object.fromEntries(Object.entries(resolved).map(([name, value]) => [name, rewritePaths(value, volumes?.mounts ?? [])]));
  } catch (error) {
    await volumes?.cleanup();
    if (!(error instanceof ContainerConfigError)) throw error;
    log.warn({ reason: error.reason, message: error.message }, 'container cannot be configured; the Pod fails');
    note(options, 'Pod', pod, 'Warning', 'Failed', `Error: ${error.message}`, 'kubelet');
    await options.kube.patchPodStatus(namespace, podName, podConfigErrorStatus(image, error.message, iso(new Date())));
    return { exitCode: 'config-error', deadline: false };
  }
  const prepared = volumes;
  try {
    const args = runnerArguments(container).map((arg) => rewritePaths(arg, prepared.mounts));
    const end = await runPodProcess({
      // A volume mounted at /tmp is the container's temp folder: point TMPDIR at its local folder.
      args, env: { ...options.baseEnv, ...tmpdirOf(prepared.mounts), HOSTNAME: podName, ...env },
      entry: options.runnerEntry, signal, logger: log,
      logFile: path.join(options.dataDir, 'logs', namespace, `${podName}.log`),
      fallbackToLogs: container.terminationMessagePolicy === 'FallbackToLogsOnError',
    }, async (pid, startedAt) => {
      await options.kube.patchPodStatus(namespace, podName, podRunningStatus(image, initNames, iso(startedAt), `featherman://${pid}`));
      note(options, 'Pod', pod, 'Normal', 'Started', `Started container ${container.name}`, 'kubelet');
    });
    if (options.signal.aborted) return { exitCode: end.exitCode, deadline: false };
    const killedByDeadline = deadline.aborted;
    if (killedByDeadline) note(options, 'Pod', pod, 'Normal', 'Killing', `Stopping container ${container.name}`, 'kubelet');
    await options.kube.patchPodStatus(namespace, podName, podTerminatedStatus(image, initNames, {
      exitCode: end.exitCode, message: end.message, startedAt: iso(end.startedAt), finishedAt: iso(end.finishedAt), containerId: `featherman://${end.pid}`,
      ...(killedByDeadline ? { podReason: 'DeadlineExceeded', podMessage: 'Pod was active on the node longer than the specified deadline' } : {}),
    }));
    log.info({ exitCode: end.exitCode, signal: end.signal, durationMs: end.finishedAt.getTime() - end.startedAt.getTime() }, 'container finished');
    return { exitCode: end.exitCode, deadline: killedByDeadline };
  } finally {
    await prepared.cleanup();
  }
}

/**
 * runJob runs a Job to Complete or Failed (side effects: Pods, status writes, child
 * processes, folders). It returns `aborted` when options.signal fires first.
 */
export async function runJob(job: V1Job, options: JobRunOptions): Promise<JobRunOutcome> {
  const namespace = job.metadata?.namespace ?? 'default';
  const name = job.metadata?.name ?? '';
  const log = options.logger.child({ job: `${namespace}/${name}` });
  const container = job.spec?.template.spec?.containers[0];
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  // The status keeps whole seconds; the deadline counts from the precise start when it is ours.
  const startedMs = job.status?.startTime ? new Date(job.status.startTime).getTime() : Date.now();
  const startTime = iso(new Date(startedMs));
  let failed = (job.status?.failed ?? 0) + ((job.status?.active ?? 0) > 0 ? await markLeftoverPods(job, options) : 0);
  const deadline = new AbortController();
  const deadlineSeconds = job.spec?.activeDeadlineSeconds;
  const deadlineTimer = deadlineSeconds !== undefined
    ? setTimeout(() => deadline.abort(), Math.max(0, startedMs + deadlineSeconds * 1000 - Date.now()))
    : undefined;
  const signal = AbortSignal.any([options.signal, deadline.signal]);
  const finish = async (outcome: 'Complete' | JobFailureReason): Promise<JobRunOutcome> => {
    const now = iso(new Date());
    const status = outcome === 'Complete'
      ? { active: 0, ready: 0, succeeded: 1, failed, completionTime: now, conditions: jobSucceededConditions(now) }
      : { active: 0, ready: 0, failed, conditions: jobFailedConditions(outcome, now) };
    await options.kube.patchJobStatus(namespace, name, status);
    if (outcome === 'Complete') note(options, 'Job', job, 'Normal', 'Completed', 'Job completed', 'job-controller');
    else note(options, 'Job', job, 'Warning', outcome, status.conditions[1]?.message as string, 'job-controller');
    log.info({ outcome, failed }, outcome === 'Complete' ? 'Job complete' : 'Job failed');
    return outcome === 'Complete' ? 'Complete' : 'Failed';
  };
  try {
    if (!container) return await finish('BackoffLimitExceeded');
    for (let attempt = 0; ; attempt += 1) {
      if (options.signal.aborted) return 'aborted';
      if (deadline.signal.aborted) return await finish('DeadlineExceeded');
      if (failed > backoffLimit) return await finish('BackoffLimitExceeded');
      const pod = await options.kube.createPod(buildPod(job, podNameFor(name)));
      await options.kube.patchJobStatus(namespace, name, { startTime, active: 1, ready: 0, failed, terminating: 0, uncountedTerminatedPods: {} });
      log.info({ pod: pod.metadata?.name, attempt }, 'Pod started');
      note(options, 'Job', job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata?.name ?? ''}`, 'job-controller');
      note(options, 'Pod', pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${pod.metadata?.name ?? ''} to featherman-local`, 'default-scheduler');
      const result = await runAttempt(job, pod, container, options, signal, deadline.signal);
      if (options.signal.aborted) return 'aborted';
      if (result.exitCode === 0) return await finish('Complete');
      failed += 1;
      if (result.deadline || deadline.signal.aborted) return await finish('DeadlineExceeded');
      if (failed > backoffLimit) return await finish('BackoffLimitExceeded');
      await options.kube.patchJobStatus(namespace, name, { active: 0, ready: 0, failed });
      await sleep(Math.min(options.retryDelayMs * 2 ** attempt, 30_000), signal);
    }
  } finally {
    if (deadlineTimer) clearTimeout(deadlineTimer);
  }
}
