/**
 * ObservedJob is what a decision needs to know about one runner Job: which work it does,
 * how far it got, and what the runner reported. observeJob derives it from a batch/v1 Job
 * and its pod's termination message. Pure.
 */
import type { RunnerResult } from '../../api/result.ts';
import type { Job } from '../specs/k8s-types.ts';
import { LABELS, type JobOp } from './names.ts';
import { parseRunnerResult, runnerErrorMessage } from './runner-result.ts';

/** JobState is how far a Job got. */
export type JobState = 'Pending' | 'Running' | 'Succeeded' | 'Failed';

/** ObservedJob is one Featherman Job as a decision sees it. */
export interface ObservedJob {
  name: string;
  op: JobOp | string;
  state: JobState;
  /** result is the runner's result when its termination message held one. */
  result?: RunnerResult;
  /** message is one sentence on why a failed Job failed (runner error, deadline, eviction, garbage output). */
  message?: string;
  startTime?: string;
  completionTime?: string;
}

function conditionTrue(job: Job, type: string) {
  return job.status?.conditions?.find((condition) => condition.type === type && condition.status === 'True');
}

/**
 * observeJob summarises a Job (pure). A Job is Succeeded or Failed by its conditions
 * (Complete / Failed, or the counters when conditions are missing); a runner result that
 * says `ok: false` makes it Failed even when the pod exited 0. `terminationMessage` is the
 * last pod's `state.terminated.message`.
 */
export function observeJob(job: Job, terminationMessage?: string): ObservedJob {
  const status = job.status ?? {};
  const startTime = timeText(status.startTime);
  const completionTime = timeText(status.completionTime) ?? timeText(conditionTrue(job, 'Failed')?.lastTransitionTime);
  const parsed = parseRunnerResult(terminationMessage);
  const result = parsed.ok ? parsed.result : undefined;
  const failedCondition = conditionTrue(job, 'Failed');
  let state: JobState;
  if (conditionTrue(job, 'Complete') || (status.succeeded ?? 0) > 0) state = 'Succeeded';
  else if (failedCondition) state = 'Failed';
  else if ((status.active ?? 0) > 0 || status.startTime !== undefined) state = 'Running';
  else state = 'Pending';
  if (state === 'Succeeded' && result && !result.ok) state = 'Failed';
  const base: ObservedJob = {
    name: job.metadata.name,
    op: job.metadata.labels?.[LABELS.operation] ?? 'unknown',
    state,
    ...(result ? { result } : {}),
    ...(startTime ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
  };
  if (state !== 'Failed') return base;
  let message: string;
  if (result?.error) message = runnerErrorMessage(result);
  else if (failedCondition?.reason === 'DeadlineExceeded') message = `Job ${job.metadata.name} ran longer than its deadline of ${job.spec.activeDeadlineSeconds} seconds and was stopped.`;
  else if (!parsed.ok && terminationMessage !== undefined && terminationMessage.trim() !== '') message = `Job ${job.metadata.name} failed: ${parsed.reason}.`;
  else message = `Job ${job.metadata.name} failed${failedCondition?.reason ? ` (${failedCondition.reason})` : ''}: ${failedCondition?.message ?? (parsed.ok ? 'no error message' : parsed.reason)}.`;
  return { ...base, message: message.replace(/\.\.$/, '.') };
}

/**
 * timeText renders a Kubernetes time as RFC 3339 text (pure). @kubernetes/client-node
 * deserializes date-time fields into Date objects although the wire carries strings, so
 * both arrive here.
 */
function timeText(value: string | Date | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return value;
}

/** latestJob returns the Job that finished last, by completion time then name (pure). */
export function latestJob(jobs: readonly ObservedJob[]): ObservedJob | undefined {
  const finished = jobs.filter((job) => job.state === 'Succeeded' || job.state === 'Failed');
  const sorted = [...finished].sort((a, b) => (a.completionTime ?? '').localeCompare(b.completionTime ?? '') || a.name.localeCompare(b.name));
  return sorted[sorted.length - 1];
}

/** isActive reports whether a Job is still pending or running (pure). */
export function isActive(job: ObservedJob): boolean {
  return job.state === 'Pending' || job.state === 'Running';
}
