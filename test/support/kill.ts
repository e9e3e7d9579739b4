import type { PlanInput } from '../../api/plan.ts';
import { spawnRunner, type RunnerRun } from './runner.ts';

/** KillAt is when to SIGKILL the runner: a log line matching the regex, after ms, or when the promise resolves. */
export type KillAt = RegExp | number | Promise<string>;

/**
 * runRunnerUntil spawns runner/main.ts with LOG_LEVEL=debug and SIGKILLs it as soon as a
 * stderr log line matches `killAt` (e.g. `/"phase":"commit"/`) or after `killAt` ms, then
 * returns what it left. `run.killedAt` is undefined when the runner finished first; check
 * it, or the test proves nothing (side effects: whatever the plan did before the kill).
 */
export async function runRunnerUntil(plan: PlanInput, env: Record<string, string | undefined>, options: { killAt: KillAt; timeoutMs?: number }): Promise<RunnerRun> {
  return spawnRunner(plan, { env: { LOG_LEVEL: 'debug', ...env }, killAt: options.killAt, ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}) });
}
