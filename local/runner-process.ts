import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunnerResult } from '../api/result.ts';
import type { PlanInput } from '../api/plan.ts';
import { runnerNodeArguments } from './runner-bundle.ts';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** RunnerProcessOutcome is what one runner child process left behind. */
export interface RunnerProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  result: RunnerResult | undefined;
  stderr: string;
}

/**
 * runRunnerProcess runs the runner bundle (built from runner/main.ts, see
 * ./runner-bundle.ts) as a child process with the plan in FEATHERMAN_PLAN, the way a
 * runner Job's container would, and returns its exit code and the result it wrote to its
 * termination log (side effects: whatever the plan does).
 */
export async function runRunnerProcess(
  plan: PlanInput,
  options: { env?: NodeJS.ProcessEnv; onLogLine?: (line: string) => void } = {},
): Promise<RunnerProcessOutcome> {
  const scratch = await mkdtemp(join(tmpdir(), 'featherman-run-'));
  const terminationLog = join(scratch, 'termination-log');
  try {
    const child = spawn(process.execPath, await runnerNodeArguments(), {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env, FEATHERMAN_PLAN: JSON.stringify(plan), FEATHERMAN_TERMINATION_LOG: terminationLog },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    let stderr = '';
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) options.onLogLine?.(line);
    });
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, sig) => resolve([code, sig]));
    });
    const text = await readFile(terminationLog, 'utf8').catch(() => '');
    const parsed = text ? RunnerResult.safeParse(JSON.parse(text)) : undefined;
    return { exitCode, signal, result: parsed?.success ? parsed.data : undefined, stderr };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
