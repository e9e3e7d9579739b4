/**
 * parsePingEvent reads a Knative PingSource tick (events.md §3). The task comes from the
 * `feathermantask` extension or the JSON data's `task`; a tick without either means a
 * resync. The receipt time, not the event's, is what the sweep uses. Pure.
 */
import type { IncomingEvent } from './cloudevent.ts';
import { ignore, isObject, textField, type Ignored } from './outcome.ts';

/** PING_TYPE is the CloudEvent type of a PingSource tick. */
export const PING_TYPE = 'dev.knative.sources.ping';

/** PingTask is the work a tick asks for. */
export interface PingTask {
  kind: 'ping';
  task: string;
}

/** parsePingEvent returns the tick's task, or Ignored for another event type (pure). */
export function parsePingEvent(event: IncomingEvent): PingTask | Ignored {
  if (event.type !== PING_TYPE) return ignore(`event type ${JSON.stringify(event.type)} is not a PingSource tick`);
  const fromData = isObject(event.data) ? textField(event.data, 'task') : undefined;
  return { kind: 'ping', task: event.extensions.feathermantask ?? fromData ?? 'resync' };
}
