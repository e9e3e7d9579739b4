import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PlanInput } from '../../api/plan.ts';
import { runnerNodeArguments } from '../../local/runner-bundle.ts';
import { tempDir, removeDir } from './temp-dir.ts';

/** REPO_ROOT is the repository folder (where runner/main.ts lives). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** RUNNER_MAIN is the runner's source entry point; tests spawn the bundle built from it. */
export const RUNNER_MAIN = join(REPO_ROOT, 'runner', 'main.ts');

/** RunnerRun is what one runner child process left: exit, log lines and termination log text. */
export interface RunnerRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** lines are stderr split into lines; `logs` are those that parse as JSON log records. */
  lines: string[];
  logs: Array<Record<string, unknown>>;
  /** terminationLog is the text the runner wrote there ('' when none). */
  terminationLog: string;
  /** killedAt is the stderr line that triggered the SIGKILL, or 'timer' (kill runs only). */
  killedAt?: string;
}

/** RunOptions: extra env, argv, and when to signal the child (a log-line regex, ms, or an outside event). */
export interface RunOptions {
  env?: Record<string, string | undefined>;
  args?: string[];
  /** killAt: a stderr line matching the regex, after ms, or when the promise resolves (with the reason). */
  killAt?: RegExp | number | Promise<string>;
  /** signal is what killAt sends (default SIGKILL). */
  signal?: NodeJS.Signals;
  /** timeoutMs SIGKILLs a child that runs longer (default 120 s) and fails the run. */
  timeoutMs?: number;
}

/**
 * spawnRunner runs the runner bundle built from runner/main.ts (local/runner-bundle.ts) as
 * a child process the way a Job container would (plan in FEATHERMAN_PLAN unless `plan` is
 * undefined, termination log in a temp file) and returns what it left (side effects: the
 * plan's).
 */
export async function spawnRunner(plan: PlanInput | string | undefined, options: RunOptions = {}): Promise<RunnerRun> {
  const scratch = await tempDir(undefined, 'fm-run-');
  const terminationLogPath = join(scratch, 'termination-log');
  try {
    const env: Record<string, string | undefined> = {
      ...process.env,
      FEATHERMAN_TERMINATION_LOG: terminationLogPath,
      ...options.env,
    };
    if (plan !== undefined) env.FEATHERMAN_PLAN = typeof plan === 'string' ? plan : JSON.stringify(plan);
    const child = spawn(process.execPath, ['--openssl-legacy-provider', ...(await runnerNodeArguments()), ...(options.args ?? [])], {
      cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'],
    });
    const run: RunnerRun = { exitCode: null, signal: null, stderr: '', lines: [], logs: [], terminationLog: '' };
    let pending = '';
    const kill = (reason: string) => {
      if (run.killedAt === undefined && child.exitCode === null) {
        run.killedAt = reason;
        child.kill(reason === 'timeout' ? 'SIGKILL' : (options.signal ?? 'SIGKILL'));
      }
    };
    const onLine = (line: string) => {
      run.lines.push(line);
      try {
        const record = JSON.parse(line) as unknown;
        if (typeof record === 'object' && record !== null) run.logs.push(record as Record<string, unknown>);
      } catch {
        // not a JSON log line (issue lines of an invalid plan)
      }
      if (options.killAt instanceof RegExp && options.killAt.test(line)) kill(line);
    };
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      run.stderr += chunk;
      pending += chunk;
      const parts = pending.split('\n');
      pending = parts.pop() ?? '';
      for (const line of parts) onLine(line);
    });
    const timers = [setTimeout(() => kill('timeout'), options.timeoutMs ?? 120_000)];
    if (typeof options.killAt === 'number') timers.push(setTimeout(() => kill('timer'), options.killAt));
    if (options.killAt instanceof Promise) options.killAt.then(kill, () => undefined);
    [run.exitCode, run.signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => resolve([code, signal]));
    });
    for (const timer of timers) clearTimeout(timer);
    if (pending) onLine(pending);
    if (run.killedAt === 'timeout') throw new Error(`runner did not finish within ${options.timeoutMs ?? 120_000} ms; stderr:\n${run.stderr}`);
    run.terminationLog = await readFile(terminationLogPath, 'utf8').catch(() => '');
    return run;
  } finally {
    await removeDir(scratch);
  }
}
