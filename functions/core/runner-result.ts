/**
 * parseRunnerResult reads a runner pod's termination message. With
 * terminationMessagePolicy FallbackToLogsOnError the message is the log tail when the
 * runner wrote no result (it died, or could not write /dev/termination-log), so garbage
 * is expected: it becomes a clear failure reason, never a throw. Pure.
 */
import { RunnerResult } from '../../api/result.ts';

/** ParsedRunnerResult is the result, or a one-sentence reason why there is none. */
export type ParsedRunnerResult = { ok: true; result: RunnerResult } | { ok: false; reason: string };

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asResult(value: unknown): RunnerResult | undefined {
  const parsed = RunnerResult.safeParse(value);
  if (parsed.success) return parsed.data;
  // The runner logs `{ …, result: {…}, msg: 'runner result' }` when the termination log is unwritable.
  if (typeof value === 'object' && value !== null && 'result' in value) {
    const nested = RunnerResult.safeParse((value as { result: unknown }).result);
    if (nested.success) return nested.data;
  }
  return undefined;
}

function tail(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `…${flat.slice(flat.length - max + 1)}` : flat;
}

/**
 * parseRunnerResult parses a termination message into a RunnerResult (pure): the whole
 * message as JSON, else the last log line that is (or carries) a result; otherwise
 * `{ ok: false, reason }` quoting the end of what was there.
 */
export function parseRunnerResult(message: string | undefined): ParsedRunnerResult {
  if (message === undefined || message.trim() === '') return { ok: false, reason: 'the runner left no termination message' };
  const whole = tryJson(message.trim());
  const direct = asResult(whole);
  if (direct) return { ok: true, result: direct };
  const lines = message.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{'));
  for (const line of lines.reverse()) {
    const found = asResult(tryJson(line));
    if (found) return { ok: true, result: found };
  }
  if (whole !== undefined) return { ok: false, reason: `the runner's termination message is JSON but not a runner result: ${tail(message)}` };
  return { ok: false, reason: `the runner left no result; its output ended with: ${tail(message)}` };
}

/** runnerErrorMessage is the sentence a failed result gives a person: the runner's error, with its code (pure). */
export function runnerErrorMessage(result: RunnerResult): string {
  if (result.error === undefined) return result.ok ? 'The runner succeeded.' : `The ${result.op} runner failed without an error message.`;
  const text = result.error.message.trim();
  return `${/[.!?…]$/.test(text) ? text : `${text}.`} (${result.error.code})`;
}
