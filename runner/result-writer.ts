import { writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { RESULT_MAX_BYTES, type RunnerResult } from '../api/result.ts';

/** DEFAULT_TERMINATION_LOG is where Kubernetes reads a container's termination message. */
export const DEFAULT_TERMINATION_LOG = '/dev/termination-log';

const MARK = '…';
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** truncateToBytes cuts a string to at most `max` UTF-8 bytes on a code-point boundary, marking the cut (pure). */
export function truncateToBytes(text: string, max: number): string {
  if (bytes(text) <= max) return text;
  const budget = max - bytes(MARK);
  if (budget <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const size = bytes(char);
    if (used + size > budget) break;
    out += char;
    used += size;
  }
  return out + MARK;
}

// Cuts one string field to the longest prefix with which the whole result fits, found by
// binary search because JSON escaping makes a character cost one to six bytes.
function shrinkField(result: RunnerResult, get: (r: RunnerResult) => string | undefined, set: (r: RunnerResult, value: string) => void, max: number): void {
  const value = get(result);
  if (value === undefined || bytes(JSON.stringify(result)) <= max) return;
  const chars = Array.from(value);
  const cut = (count: number) => (count === 0 ? '' : chars.slice(0, count).join('') + MARK);
  let low = 0;
  let high = chars.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    set(result, cut(middle));
    if (bytes(JSON.stringify(result)) <= max) low = middle;
    else high = middle - 1;
  }
  set(result, cut(Math.max(0, low)));
}

/**
 * serializeResult renders a RunnerResult as JSON of at most `max` bytes (pure). It first
 * cuts the query preview, then drops the largest details, then cuts the error message;
 * as a last resort only op, ok, durationMs and the error code remain.
 */
export function serializeResult(input: RunnerResult, max: number = RESULT_MAX_BYTES): string {
  const result: RunnerResult = structuredClone(input);
  const fits = () => bytes(JSON.stringify(result)) <= max;
  if (fits()) return JSON.stringify(result);
  shrinkField(result, (r) => r.query?.preview, (r, value) => r.query && (r.query.preview = value), max);
  const droppable = () => Object.entries(result.details ?? {}).filter(([key]) => key !== 'truncated');
  while (!fits() && result.details && droppable().length > 0) {
    const [largest] = droppable().sort((a, b) => bytes(JSON.stringify(b[1]) ?? '') - bytes(JSON.stringify(a[1]) ?? ''))[0] ?? [];
    if (largest === undefined) break;
    delete result.details[largest];
    result.details.truncated = true;
  }
  shrinkField(result, (r) => r.error?.message, (r, value) => r.error && (r.error.message = value), max);
  if (fits()) return JSON.stringify(result);
  const minimal: RunnerResult = {
    op: truncateToBytes(result.op, 64), ok: result.ok, durationMs: result.durationMs,
    filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0,
    ...(result.error ? { error: { code: truncateToBytes(result.error.code, 64), message: truncateToBytes(result.error.message, 1024) } } : {}),
  };
  return JSON.stringify(minimal);
}

/**
 * writeResult writes the serialized result to env FEATHERMAN_TERMINATION_LOG (default
 * /dev/termination-log); when that path cannot be written it logs a warning and carries
 * on (side effect: the file). Returns the JSON written.
 */
export async function writeResult(result: RunnerResult, env: Readonly<Record<string, string | undefined>>, log: Logger): Promise<string> {
  const json = serializeResult(result);
  const path = env.FEATHERMAN_TERMINATION_LOG || DEFAULT_TERMINATION_LOG;
  try {
    await writeFile(path, json);
  } catch (error) {
    warnUnwritten(log, path, error, json);
  }
  return json;
}

/** writeResultSync is writeResult for signal handlers, which cannot wait (side effect: the file). */
export function writeResultSync(result: RunnerResult, env: Readonly<Record<string, string | undefined>>, log: Logger): string {
  const json = serializeResult(result);
  const path = env.FEATHERMAN_TERMINATION_LOG || DEFAULT_TERMINATION_LOG;
  try {
    writeFileSync(path, json);
  } catch (error) {
    warnUnwritten(log, path, error, json);
  }
  return json;
}

function warnUnwritten(log: Logger, path: string, error: unknown, json: string): void {
  log.warn({ path, err: (error as Error).message }, 'could not write the termination log; the result is only in this log');
  log.info({ result: JSON.parse(json) as unknown }, 'runner result');
}
