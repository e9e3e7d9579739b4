import { setTimeout as sleepMs } from 'node:timers/promises';
import type { Logger } from 'pino';

/** RetryPolicy says how often and how patiently a failed object-store request is retried. */
export interface RetryPolicy {
  /** maxAttempts counts the first try; 1 means never retry. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** DEFAULT_RETRY_POLICY is 6 attempts with 100 ms → 5 s full-jitter backoff (about 10 s worst case). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 5000 };

/** RetryDecision is why a request is or is not retried (pure data, for logs and tests). */
export type RetryDecision =
  | { retry: true; reason: 'throttled' | 'server-error' | 'network' | 'timeout' }
  | { retry: false; reason: 'client-error' | 'unknown' };

// Throttling and transient error codes S3 and the SDK use; matched on `name` or `Code`.
const THROTTLING_CODES = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'TooManyRequests', 'TooManyRequestsException', 'RequestLimitExceeded']);
const TIMEOUT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN',
  'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE',
]);

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? (error as Record<string, unknown>)[name] : undefined;
}

/** httpStatusOf reads the HTTP status an SDK error carries, if any (pure). */
export function httpStatusOf(error: unknown): number | undefined {
  const metadata = field(error, '$metadata');
  const status = field(metadata, 'httpStatusCode') ?? field(field(error, '$response'), 'statusCode');
  return typeof status === 'number' ? status : undefined;
}

/**
 * decideRetry classifies an error (pure): throttling (503 SlowDown, 429), other 5xx,
 * timeouts and network errors are retried; every other 4xx is not, because sending the
 * same request again cannot fix it.
 */
export function decideRetry(error: unknown): RetryDecision {
  const status = httpStatusOf(error);
  const name = String(field(error, 'name') ?? '');
  const code = String(field(error, 'Code') ?? field(error, 'code') ?? '');
  if (status === 429 || THROTTLING_CODES.has(name) || THROTTLING_CODES.has(code)) return { retry: true, reason: 'throttled' };
  if (status !== undefined && status >= 500 && status <= 599) {
    return { retry: true, reason: status === 503 ? 'throttled' : 'server-error' };
  }
  if (status !== undefined && status >= 400) return { retry: false, reason: 'client-error' };
  if (TIMEOUT_NAMES.has(name) || TIMEOUT_NAMES.has(code)) return { retry: true, reason: 'timeout' };
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(name)) return { retry: true, reason: 'network' };
  const message = String(field(error, 'message') ?? '');
  if (/socket hang up|ECONNRESET|EPIPE|other side closed|premature close/i.test(message)) return { retry: true, reason: 'network' };
  return { retry: false, reason: 'unknown' };
}

/**
 * backoffDelayMs is the "full jitter" delay before retry number `retry` (1-based): a
 * uniform draw in [0, min(max, base · 2^(retry-1))] (pure; `random` returns [0, 1)).
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** RetryHooks lets callers observe and speed up retries (tests inject sleep and random). */
export interface RetryHooks {
  log?: Logger;
  label?: string;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (attempt: number, decision: RetryDecision, error: unknown) => void;
}

/**
 * withRetry runs `attempt` until it succeeds, the error is not retryable, or the policy's
 * attempts are used up; then it throws the last error unchanged. Side effects are those of
 * `attempt`, which must be safe to repeat (bodies re-readable).
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, policy: RetryPolicy, hooks: RetryHooks = {}): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => sleepMs(ms));
  for (let attemptNumber = 1; ; attemptNumber += 1) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      const decision = decideRetry(error);
      if (!decision.retry || attemptNumber >= policy.maxAttempts) throw error;
      const delay = backoffDelayMs(attemptNumber, policy, hooks.random);
      hooks.onRetry?.(attemptNumber, decision, error);
      hooks.log?.debug(
        { label: hooks.label, attempt: attemptNumber, reason: decision.reason, status: httpStatusOf(error), delayMs: delay, err: String(field(error, 'name') ?? error) },
        'retrying object store request',
      );
      await sleep(delay);
    }
  }
}
