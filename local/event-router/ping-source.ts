/**
 * The local stand-in for the PingSource `featherman-resync`: on a cron schedule (and once
 * shortly after start) it POSTs the `dev.knative.sources.ping` CloudEvent to the sweep
 * function.
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { CronExpressionParser } from 'cron-parser';
import type { Logger } from '../../runner/log.ts';
import { binaryMessage, deliver, DEFAULT_DELIVERY, type DeliveryOutcome, type DeliveryPolicy } from './delivery.ts';

/** MAX_TIMER_MS is the longest delay setTimeout honours. */
const MAX_TIMER_MS = 2_147_483_647;

/** PingSourceOptions configure the timer and the event. */
export interface PingSourceOptions {
  sink: string;
  logger: Logger;
  /** schedule is a cron expression (5 fields, or 6 with seconds first); default every minute. */
  schedule?: string;
  timezone?: string;
  /** initialDelayMs is when the first, out-of-schedule tick fires (default 2 s; negative = none). */
  initialDelayMs?: number;
  /** jitterMs is the random delay added to each tick, up to this much (default 500, like the adapter). */
  jitterMs?: number;
  /** data is the body (default `{"task":"resync"}`); extensions become attributes (default feathermantask=resync). */
  data?: Record<string, unknown>;
  extensions?: Record<string, string>;
  namespace?: string;
  name?: string;
  delivery?: DeliveryPolicy;
  onDelivered?: (outcome: DeliveryOutcome) => void;
}

/** PingSource is a running timer; close() stops it and cancels sends in flight. */
export interface PingSource {
  close(): Promise<void>;
}

/** buildPingEvent builds one tick's CloudEvent with a new id (pure apart from the id). */
export function buildPingEvent(options: Pick<PingSourceOptions, 'data' | 'extensions' | 'namespace' | 'name'>): CloudEvent<Record<string, unknown>> {
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: randomUUID(),
    source: `/apis/v1/namespaces/${options.namespace ?? 'featherman-system'}/pingsources/${options.name ?? 'featherman-resync'}`,
    type: 'dev.knative.sources.ping',
    datacontenttype: 'application/json',
    data: options.data ?? { task: 'resync' },
    ...(options.extensions ?? { feathermantask: 'resync' }),
  });
}

/**
 * startPingSource validates the schedule (throwing a one-sentence error for a bad one) and
 * starts the timer (side effects: timers, HTTP POSTs, logs).
 */
export function startPingSource(options: PingSourceOptions): PingSource {
  const schedule = options.schedule ?? '* * * * *';
  const parseOptions = options.timezone ? { tz: options.timezone } : {};
  try {
    CronExpressionParser.parse(schedule, parseOptions);
  } catch (error) {
    throw new Error(`ping schedule: must be a cron expression; got ${JSON.stringify(schedule)} (${(error as Error).message})`, { cause: error });
  }
  const jitterMs = options.jitterMs ?? 500;
  const inFlight = new Set<Promise<unknown>>();
  const closing = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let initial: NodeJS.Timeout | undefined;
  let stopped = false;

  const tick = (): void => {
    const message = binaryMessage(buildPingEvent(options));
    const sending = deliver(options.sink, message, options.delivery ?? DEFAULT_DELIVERY, options.logger, { source: 'ping', schedule }, closing.signal)
      .then((outcome) => options.onDelivered?.(outcome));
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
  };
  // setTimeout fires at once for delays above 2^31-1 ms (24.8 days): far ticks are reached in hops.
  const arm = (at: number): void => {
    if (stopped) return;
    const delay = Math.max(0, at - Date.now());
    timer = delay > MAX_TIMER_MS
      ? setTimeout(() => arm(at), MAX_TIMER_MS)
      : setTimeout(() => {
        tick();
        scheduleNext();
      }, delay);
  };
  const scheduleNext = (): void => {
    const next = CronExpressionParser.parse(schedule, { ...parseOptions, currentDate: new Date() }).next().getTime();
    arm(next + Math.floor(Math.random() * jitterMs));
  };
  const initialDelay = options.initialDelayMs ?? 2000;
  if (initialDelay >= 0) initial = setTimeout(tick, initialDelay);
  scheduleNext();
  options.logger.info({ schedule, sink: options.sink }, 'PingSource on');
  return {
    close: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (initial) clearTimeout(initial);
      closing.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
