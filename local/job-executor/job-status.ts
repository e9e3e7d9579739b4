/**
 * Pure builders of the status the job executor writes: the Pod's phase and container
 * state, and the Job's counters and terminal conditions as Kubernetes 1.31+ sets them.
 */
import type { V1Job } from '@kubernetes/client-node';

/** KUBELET_MESSAGE_LIMIT is the most of a termination message the kubelet keeps (4 KiB). */
export const KUBELET_MESSAGE_LIMIT = 4096;

/** JobFailureReason is why a Job failed. */
export type JobFailureReason = 'BackoffLimitExceeded' | 'DeadlineExceeded';

const FAILURE_MESSAGES: Record<JobFailureReason, string> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
};

type Json = Record<string, unknown>;

function condition(type: string, reason: string, message: string, at: string): Json {
  return { type, status: 'True', reason, message, lastProbeTime: at, lastTransitionTime: at };
}

/** jobSucceededConditions are SuccessCriteriaMet then Complete, reason CompletionsReached (pure). */
export function jobSucceededConditions(at: string): Json[] {
  const message = 'Reached expected number of succeeded pods';
  return [condition('SuccessCriteriaMet', 'CompletionsReached', message, at), condition('Complete', 'CompletionsReached', message, at)];
}

/** jobFailedConditions are FailureTarget then Failed with the reason's standard message (pure). */
export function jobFailedConditions(reason: JobFailureReason, at: string): Json[] {
  return [condition('FailureTarget', reason, FAILURE_MESSAGES[reason], at), condition('Failed', reason, FAILURE_MESSAGES[reason], at)];
}

/** jobFinished tells whether a Job has a Complete or Failed condition that is True (pure). */
export function jobFinished(job: V1Job): 'Complete' | 'Failed' | undefined {
  for (const entry of job.status?.conditions ?? []) {
    if (entry.status === 'True' && (entry.type === 'Complete' || entry.type === 'Failed')) return entry.type;
  }
  return undefined;
}

/** ContainerEnd is how the container process ended. */
export interface ContainerEnd {
  exitCode: number;
  message: string;
  startedAt: string;
  finishedAt: string;
  containerId: string;
  /** podReason/podMessage set status.reason/message (e.g. DeadlineExceeded). */
  podReason?: string;
  podMessage?: string;
}

/** truncateMessage keeps at most the kubelet's 4 KiB of a termination message (pure). */
export function truncateMessage(message: string): string {
  const buffer = Buffer.from(message, 'utf8');
  return buffer.length <= KUBELET_MESSAGE_LIMIT ? message : buffer.subarray(0, KUBELET_MESSAGE_LIMIT).toString('utf8').replace(/\uFFFD$/, '');
}

function podConditions(ready: boolean, at: string): Json[] {
  const status = ready ? 'True' : 'False';
  const reason = ready ? {} : { reason: 'PodCompleted' };
  return [
    { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
    { type: 'Initialized', status: 'True', lastTransitionTime: at },
    { type: 'ContainersReady', status, lastTransitionTime: at, ...reason },
    { type: 'Ready', status, lastTransitionTime: at, ...reason },
  ];
}

function initStatuses(initNames: readonly string[], at: string): Json[] {
  return initNames.map((name) => ({
    name, ready: true, restartCount: 0, image: '', imageID: '',
    state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: at, finishedAt: at } },
  }));
}

/** podRunningStatus is the status of a Pod whose container has started (pure). */
export function podRunningStatus(container: { name: string; image: string }, initNames: readonly string[], startedAt: string, containerId: string): Json {
  return {
    phase: 'Running', hostIP: '127.0.0.1', podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }], startTime: startedAt,
    conditions: podConditions(true, startedAt),
    initContainerStatuses: initStatuses(initNames, startedAt),
    containerStatuses: [{
      name: container.name, image: container.image, imageID: '', containerID: containerId,
      ready: true, started: true, restartCount: 0, state: { running: { startedAt } },
    }],
  };
}

/**
 * podTerminatedStatus is the final status: phase Succeeded on exit code 0 else Failed, the
 * container terminated with exitCode, reason Completed/Error, the termination message and times (pure).
 */
export function podTerminatedStatus(container: { name: string; image: string }, initNames: readonly string[], end: ContainerEnd): Json {
  const succeeded = end.exitCode === 0;
  const terminated: Json = {
    exitCode: end.exitCode, reason: succeeded ? 'Completed' : 'Error',
    startedAt: end.startedAt, finishedAt: end.finishedAt, containerID: end.containerId,
  };
  if (end.message) terminated.message = truncateMessage(end.message);
  return {
    phase: succeeded ? 'Succeeded' : 'Failed',
    ...(end.podReason ? { reason: end.podReason, message: end.podMessage ?? end.podReason } : {}),
    hostIP: '127.0.0.1', podIP: '127.0.0.1', startTime: end.startedAt,
    conditions: podConditions(false, end.finishedAt),
    initContainerStatuses: initStatuses(initNames, end.startedAt),
    containerStatuses: [{
      name: container.name, image: container.image, imageID: '', containerID: end.containerId,
      ready: false, started: false, restartCount: 0, state: { terminated },
    }],
  };
}

/**
 * podConfigErrorStatus is the status of a Pod whose container could not be configured
 * (a missing Secret, ConfigMap or key): the container waits with reason
 * CreateContainerConfigError and the kubelet's message; locally the Pod then fails (pure).
 */
export function podConfigErrorStatus(container: { name: string; image: string }, message: string, at: string): Json {
  return {
    phase: 'Failed', reason: 'CreateContainerConfigError', message, hostIP: '127.0.0.1', startTime: at,
    conditions: podConditions(false, at),
    containerStatuses: [{
      name: container.name, image: container.image, imageID: '', ready: false, started: false, restartCount: 0,
      state: { waiting: { reason: 'CreateContainerConfigError', message } },
    }],
  };
}
