/**
 * The CloudEvents Knative's ApiServerSource emits for a watched object (pure builders).
 */
import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import type { KubernetesObject } from '@kubernetes/client-node';

/** ApiServerSourceMode is the source's `spec.mode`: a reference (default) or the whole object. */
export type ApiServerSourceMode = 'Reference' | 'Resource';

/** ApiServerEventKind is what happened to the object. */
export type ApiServerEventKind = 'add' | 'update' | 'delete';

/** apiServerEventType is the CloudEvent type for a mode and change, e.g. `dev.knative.apiserver.ref.add` (pure). */
export function apiServerEventType(mode: ApiServerSourceMode, change: ApiServerEventKind): string {
  return `dev.knative.apiserver.${mode === 'Resource' ? 'resource' : 'ref'}.${change}`;
}

/**
 * guessPlural turns a kind into a plural the way the source's subject does it: lower case
 * plus "s", "es" after s/x/ch/sh, "ies" after a consonant and y (pure).
 */
export function guessPlural(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/**
 * apiServerSubject is the event subject `/apis/<apiVersion>/namespaces/<ns>/<plural>/<name>`;
 * core objects get `/apis/v1/…` and cluster-scoped ones an empty namespace, as the source does (pure).
 */
export function apiServerSubject(object: KubernetesObject): string {
  const meta = object.metadata ?? {};
  return `/apis/${object.apiVersion ?? ''}/namespaces/${meta.namespace ?? ''}/${guessPlural(object.kind ?? '')}/${meta.name ?? ''}`;
}

/** ApiServerEventInput is what one event is built from. */
export interface ApiServerEventInput {
  mode: ApiServerSourceMode;
  change: ApiServerEventKind;
  object: KubernetesObject;
  /** source is the API server URL. */
  source: string;
  /** id defaults to a new random UUID; retries of one send keep it. */
  id?: string;
}

/**
 * buildApiServerEvent builds the CloudEvent: type by mode and change, subject, the kind,
 * apiversion, name and namespace extensions, and as data either the object (Resource mode)
 * or an ObjectReference of four fields (Reference mode) (pure apart from the random id).
 */
export function buildApiServerEvent(input: ApiServerEventInput): CloudEvent<Record<string, unknown>> {
  const { object } = input;
  const meta = object.metadata ?? {};
  const apiVersion = object.apiVersion ?? '';
  const kind = object.kind ?? '';
  const name = meta.name ?? '';
  const namespace = meta.namespace ?? '';
  const data: Record<string, unknown> = input.mode === 'Resource'
    ? (object as unknown as Record<string, unknown>)
    : { apiVersion, kind, name, ...(namespace ? { namespace } : {}) };
  const extensions: Record<string, string> = { kind, apiversion: apiVersion, name };
  if (namespace) extensions.namespace = namespace;
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: input.id ?? randomUUID(),
    source: input.source,
    type: apiServerEventType(input.mode, input.change),
    subject: apiServerSubject(object),
    datacontenttype: 'application/json',
    data,
    ...extensions,
  });
}
