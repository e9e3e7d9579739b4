/**
 * One container as a child process: `node <runner bundle> <args>` (see ../runner-bundle.ts) with the
 * container's environment, FEATHERMAN_TERMINATION_LOG pointing at a temp file, and a
 * SIGKILL when the attempt is aborted (deadline, Job deleted, executor closing).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../../runner/log.ts';
import { runnerNodeArguments } from '../runner-bundle.ts';

/** REPO_ROOT is the folder the runner runs in. */
export const REPO_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Kubelet's FallbackToLogsOnError keeps the last 80 lines, at most 2 KiB, of the log.
const FALLBACK_LINES = 80;
const FALLBACK_BYTES = 2048;

/** ProcessRequest is what one attempt runs. */
export interface ProcessRequest {
  args: string[];
  env: Record<string, string>;
  /** entry replaces the runner bundle (a `.ts` file runs through tsx). */
  entry?: string;
  signal: AbortSignal;
  logger: Logger;
  /** logFile, when set, receives the container's stdout and stderr (local mode's `kubectl logs`). */
  logFile?: string;
  /** fallbackToLogs uses the log tail as the message when the termination log is empty and the exit code is not 0. */
  fallbackToLogs: boolean;
}

/** ProcessEnd is how the process ended: exit code (128 + signal number when killed), message, times, pid. */
export interface ProcessEnd {
  exitCode: number;
  signal: NodeJS.Signals | null;
  message: string;
  startedAt: Date;
  finishedAt: Date;
  pid: number;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

function logTail(lines: readonly string[]): string {
  let tail = lines.slice(-FALLBACK_LINES).join('\n');
  while (Buffer.byteLength(tail) > FALLBACK_BYTES) tail = tail.slice(tail.indexOf('\n') + 1 || tail.length);
  return tail;
}

/**
 * runPodProcess starts the process, calls onStart with its pid, waits for it and reads the
 * termination log (side effects: a child process, a temp folder removed afterwards).
 */
export async function runPodProcess(request: ProcessRequest, onStart: (pid: number, startedAt: Date) => Promise<void>): Promise<ProcessEnd> {
  const scratch = await fs.mkdtemp(path.join(os.tmpdir(), 'fm-pod-'));
  const terminationLog = path.join(scratch, 'termination-log');
  await fs.writeFile(terminationLog, '');
  try {
    const env = { ...request.env, FEATHERMAN_TERMINATION_LOG: terminationLog };
    const child = spawn(process.execPath, [...(await runnerNodeArguments(request.entry)), ...request.args], {
      cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const startedAt = new Date();
    const lines: string[] = [];
    let logStream: WriteStream | undefined;
    if (request.logFile) {
      await fs.mkdir(path.dirname(request.logFile), { recursive: true });
      logStream = createWriteStream(request.logFile, { flags: 'a' });
    }
    const collect = (stream: NodeJS.ReadableStream): void => {
      let pending = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        logStream?.write(chunk);
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) {
          lines.push(line);
          if (lines.length > FALLBACK_LINES * 2) lines.splice(0, FALLBACK_LINES);
          request.logger.debug({ line }, 'container log');
        }
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    if (request.signal.aborted) kill();
    request.signal.addEventListener('abort', kill, { once: true });
    const closed = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve([code, signal]));
    });
    await onStart(child.pid ?? 0, startedAt).catch((error: unknown) => {
      request.logger.warn({ err: error }, 'could not record the running Pod');
    });
    const [code, signal] = await closed;
    request.signal.removeEventListener('abort', kill);
    const stream = logStream;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
    const finishedAt = new Date();
    const exitCode = code ?? 128 + (signal ? SIGNAL_NUMBERS[signal] ?? 1 : 1);
    let message = await fs.readFile(terminationLog, 'utf8').catch(() => '');
    if (!message && exitCode !== 0 && request.fallbackToLogs) message = logTail(lines);
    return { exitCode, signal, message, startedAt, finishedAt, pid: child.pid ?? 0 };
  } finally {
    await fs.rm(scratch, { recursive: true, force: true });
  }
}
