import { rfc3339 } from '../core/conditions.ts';
import { eventName } from '../core/names.ts';
import type { OwnerRef } from '../core/resources.ts';
import type { KubeEvent } from './k8s-types.ts';

/** EVENT_COMPONENT is the reporting component of Featherman's Events. */
export const EVENT_COMPONENT = 'featherman';

/** EventInput is one thing a person should read in `kubectl describe`. */
export interface EventInput {
  involved: OwnerRef;
  type: 'Normal' | 'Warning';
  /** reason is CamelCase, like a condition reason (`Applied`, `JobFailed`). */
  reason: string;
  message: string;
  /** key tells occurrences apart: the same involved object, reason and key are one Event. */
  key: string;
  now: Date;
  action?: string;
}

/** MAX_EVENT_MESSAGE is the length Kubernetes accepts for an Event message. */
export const MAX_EVENT_MESSAGE = 1024;

/**
 * buildEvent builds a core/v1 Event (pure). Its name is `<involved>.<hash of uid, reason,
 * key>`, so an event replayed by a retried handler is AlreadyExists, not a duplicate.
 */
export function buildEvent(input: EventInput): KubeEvent {
  const { involved } = input;
  const time = rfc3339(input.now);
  const message = input.message.length > MAX_EVENT_MESSAGE ? `${input.message.slice(0, MAX_EVENT_MESSAGE - 1)}…` : input.message;
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: eventName(involved.name, involved.uid, input.reason, input.key), namespace: involved.namespace },
    involvedObject: {
      apiVersion: involved.apiVersion,
      kind: involved.kind,
      name: involved.name,
      namespace: involved.namespace,
      uid: involved.uid,
      ...(involved.resourceVersion !== undefined ? { resourceVersion: involved.resourceVersion } : {}),
    },
    reason: input.reason,
    message,
    type: input.type,
    source: { component: EVENT_COMPONENT },
    reportingComponent: EVENT_COMPONENT,
    reportingInstance: EVENT_COMPONENT,
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    ...(input.action !== undefined ? { action: input.action } : {}),
  };
}
