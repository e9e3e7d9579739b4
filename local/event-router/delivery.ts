/**
 * Delivery of one HTTP message with Knative's default policy: retry on 5xx and network
 * errors with exponential backoff, end on 2xx and 4xx, drop with a warning after the
 * last retry.
 */
import { HTTP, type CloudEvent } from 'cloudevents';
import type { Logger } from '../../runner/log.ts';

/** DeliveryPolicy is Knative's `delivery` block: retry count and the first backoff delay. */
export interface DeliveryPolicy {
  /** retry is how many times a failed send is repeated (Knative default 5 in our wiring). */
  retry: number;
  /** backoffDelayMs is the first pause; each later one doubles (exponential). */
  backoffDelayMs: number;
  /** timeoutMs bounds each attempt (default 30 s). */
  timeoutMs?: number;
}

/** DEFAULT_DELIVERY is 5 retries backing off from 50 ms, as the sources in events.md do. */
export const DEFAULT_DELIVERY: DeliveryPolicy = { retry: 5, backoffDelayMs: 50 };

/** OutgoingMessage is what goes on the wire: headers and body. */
export interface OutgoingMessage {
  headers: Record<string, string>;
  body: string;
}

/** DeliveryOutcome says how a delivery ended: the last status (0 = network error), attempts, whether it was dropped. */
export interface DeliveryOutcome {
  status: number;
  attempts: number;
  delivered: boolean;
}

/** binaryMessage renders a CloudEvent in binary mode: `ce-*` headers and the data as body (pure). */
export function binaryMessage(event: CloudEvent<unknown>): OutgoingMessage {
  const message = HTTP.binary(event);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers)) {
    if (value !== undefined) headers[name] = String(value);
  }
  const body = message.body;
  const text = body === undefined || body === null ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  return { headers, body: text };
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * deliver POSTs a message to a sink, retrying per the policy (side effects: HTTP, a
 * warning log when the message is dropped). It never throws; `signal` cancels it (the
 * source is closing).
 */
export async function deliver(
  sink: string,
  message: OutgoingMessage,
  policy: DeliveryPolicy,
  logger: Logger,
  describe: Record<string, unknown> = {},
  signal?: AbortSignal,
): Promise<DeliveryOutcome> {
  let status = 0;
  for (let attempt = 0; attempt <= policy.retry; attempt += 1) {
    if (attempt > 0) await sleep(policy.backoffDelayMs * 2 ** (attempt - 1), signal);
    if (signal?.aborted) {
      logger.debug({ ...describe, sink, attempts: attempt }, 'delivery cancelled: the source is closing');
      return { status, attempts: attempt, delivered: false };
    }
    try {
      const response = await fetch(sink, {
        method: 'POST',
        headers: message.headers,
        body: message.body,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(policy.timeoutMs ?? 30_000)]) : AbortSignal.timeout(policy.timeoutMs ?? 30_000),
      });
      status = response.status;
      await response.arrayBuffer().catch(() => undefined);
      if (status < 500) {
        if (status >= 400) logger.warn({ ...describe, sink, status }, 'sink refused the event; not retrying');
        else logger.debug({ ...describe, sink, status, attempts: attempt + 1 }, 'event delivered');
        return { status, attempts: attempt + 1, delivered: status < 400 };
      }
    } catch (error) {
      status = 0;
      logger.debug({ ...describe, sink, err: error, attempt: attempt + 1 }, 'send failed');
    }
  }
  logger.warn({ ...describe, sink, status, attempts: policy.retry + 1 }, 'event dropped after the last retry');
  return { status, attempts: policy.retry + 1, delivered: false };
}
