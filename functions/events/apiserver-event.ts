/**
 * parseApiServerEvent reads what a Knative ApiServerSource sends (events.md §1): in
 * Reference mode the data is an ObjectReference, in Resource mode the whole object. The
 * reference comes from the data first and the `kind`/`name`/`namespace`/`apiversion`
 * extensions second (the subject is unreliable). Pure; never throws.
 */
import type { IncomingEvent } from './cloudevent.ts';
import { ignore, isObject, malformed, textField, type Ignored, type Malformed } from './outcome.ts';

/** ApiServerMode is the ApiServerSource's spec.mode. */
export type ApiServerMode = 'Reference' | 'Resource';

/** ApiServerAction is the change the event reports. */
export type ApiServerAction = 'add' | 'update' | 'delete';

/** ResourceRef names the object an event is about. */
export interface ResourceRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

/** ResourceEvent says "look at this object"; `object` is the watched state in Resource mode (a hint only). */
export interface ResourceEvent {
  kind: 'resource';
  mode: ApiServerMode;
  action: ApiServerAction;
  ref: ResourceRef;
  object?: Record<string, unknown>;
}

const TYPE = /^dev\.knative\.apiserver\.(ref|resource)\.(add|update|delete)$/;

/** parseApiServerEvent maps a CloudEvent to a ResourceEvent, Ignored (another type) or Malformed (no reference) (pure). */
export function parseApiServerEvent(event: IncomingEvent): ResourceEvent | Ignored | Malformed {
  const match = TYPE.exec(event.type);
  if (match === null) return ignore(`event type ${JSON.stringify(event.type)} is not an ApiServerSource event`);
  const mode: ApiServerMode = match[1] === 'ref' ? 'Reference' : 'Resource';
  const action = match[2] as ApiServerAction;
  if (!isObject(event.data)) return malformed(`${event.type} event ${event.id} carries no object in its data`);
  const data = event.data;
  const meta = mode === 'Resource' && isObject(data.metadata) ? data.metadata : data;
  const ext = event.extensions;
  const ref = {
    apiVersion: textField(data, 'apiVersion') ?? ext.apiversion,
    kind: textField(data, 'kind') ?? ext.kind,
    name: textField(meta, 'name') ?? ext.name,
    namespace: textField(meta, 'namespace') ?? ext.namespace,
  };
  const missing = Object.entries(ref).filter(([, value]) => value === undefined || value === '').map(([key]) => key);
  if (missing.length > 0) return malformed(`${event.type} event ${event.id} does not name the object's ${missing.join(', ')}`);
  return {
    kind: 'resource',
    mode,
    action,
    ref: ref as ResourceRef,
    ...(mode === 'Resource' ? { object: data } : {}),
  };
}
