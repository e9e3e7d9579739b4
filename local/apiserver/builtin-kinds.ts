/**
 * The built-in kinds the local server serves: their descriptors, the top-level fields each
 * accepts (for fieldValidation), and what their status looks like right after create.
 */
import type { JSONSchemaProps, JsonObject, ResourceDescriptor } from './types.ts';

/** ALL_VERBS are the verbs every served resource supports. */
export const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** BuiltinKind is a built-in descriptor plus the behaviour the server gives that kind. */
export interface BuiltinKind {
  descriptor: ResourceDescriptor;
  /** fields are the accepted top-level fields besides apiVersion, kind and metadata. */
  fields: string[];
  /** tracksGeneration: metadata.generation is set and bumped on spec changes. */
  tracksGeneration: boolean;
  /** initialStatus replaces any status given on create (when the kind has a status). */
  initialStatus?: JsonObject;
  /** storageKey, when set, shares storage with another resource (events.k8s.io/v1 Event). */
  storageKey?: string;
}

interface KindInput {
  group: string;
  version?: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  status?: boolean;
  fields: string[];
  tracksGeneration?: boolean;
  initialStatus?: JsonObject;
  storageKey?: string;
  description: string;
}

/** partialSchema gives a built-in kind a loose schema: its top-level fields, contents unchecked. */
function partialSchema(input: KindInput): JSONSchemaProps {
  const properties: Record<string, JSONSchemaProps> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: { type: 'object', description: "Standard object's metadata.", 'x-kubernetes-preserve-unknown-fields': true },
  };
  for (const field of input.fields) {
    properties[field] = { 'x-kubernetes-preserve-unknown-fields': true, description: `${field} of the ${input.kind}.` };
  }
  return { type: 'object', description: input.description, properties };
}

function builtin(input: KindInput): BuiltinKind {
  const descriptor: ResourceDescriptor = {
    group: input.group,
    version: input.version ?? 'v1',
    kind: input.kind,
    listKind: `${input.kind}List`,
    plural: input.plural,
    singular: input.kind.toLowerCase(),
    namespaced: input.namespaced,
    shortNames: input.shortNames ?? [],
    categories: input.categories ?? [],
    verbs: ALL_VERBS,
    subresources: { status: input.status ?? false },
    schema: partialSchema(input),
    printerColumns: [],
    builtin: true,
  };
  return {
    descriptor,
    fields: input.fields,
    tracksGeneration: input.tracksGeneration ?? false,
    initialStatus: input.initialStatus,
    storageKey: input.storageKey,
  };
}

/** BUILTIN_KINDS lists every built-in resource the server serves. */
export const BUILTIN_KINDS: BuiltinKind[] = [
  builtin({ group: '', kind: 'Namespace', plural: 'namespaces', namespaced: false, shortNames: ['ns'], status: true, fields: ['spec', 'status'], initialStatus: { phase: 'Active' }, description: 'Namespace provides a scope for Names.' }),
  builtin({ group: '', kind: 'Secret', plural: 'secrets', namespaced: true, fields: ['data', 'stringData', 'type', 'immutable'], description: 'Secret holds secret data of a certain type.' }),
  builtin({ group: '', kind: 'ConfigMap', plural: 'configmaps', namespaced: true, shortNames: ['cm'], fields: ['data', 'binaryData', 'immutable'], description: 'ConfigMap holds configuration data for pods to consume.' }),
  builtin({ group: '', kind: 'ServiceAccount', plural: 'serviceaccounts', namespaced: true, shortNames: ['sa'], fields: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'], description: 'ServiceAccount binds together a name, a principal and a set of secrets.' }),
  builtin({ group: '', kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'], status: true, fields: ['spec', 'status'], initialStatus: { phase: 'Pending' }, description: "PersistentVolumeClaim is a user's request for and claim to a persistent volume." }),
  builtin({ group: '', kind: 'Pod', plural: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'], status: true, fields: ['spec', 'status'], initialStatus: { phase: 'Pending' }, description: 'Pod is a collection of containers that can run on a host.' }),
  builtin({ group: '', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], fields: ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'series', 'action', 'related', 'reportingComponent', 'reportingInstance'], description: 'Event is a report of an event somewhere in the cluster.' }),
  builtin({ group: 'events.k8s.io', kind: 'Event', plural: 'events', namespaced: true, shortNames: ['ev'], storageKey: '/events', fields: ['eventTime', 'series', 'reportingController', 'reportingInstance', 'action', 'reason', 'regarding', 'related', 'note', 'type', 'deprecatedSource', 'deprecatedFirstTimestamp', 'deprecatedLastTimestamp', 'deprecatedCount'], description: 'Event is a report of an event somewhere in the cluster.' }),
  builtin({ group: 'batch', kind: 'Job', plural: 'jobs', namespaced: true, categories: ['all'], status: true, fields: ['spec', 'status'], tracksGeneration: true, initialStatus: {}, description: 'Job represents the configuration of a single job.' }),
  builtin({ group: 'coordination.k8s.io', kind: 'Lease', plural: 'leases', namespaced: true, fields: ['spec'], description: 'Lease defines a lease concept.' }),
  builtin({ group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', plural: 'validatingwebhookconfigurations', namespaced: false, fields: ['webhooks'], tracksGeneration: true, description: 'ValidatingWebhookConfiguration describes the configuration of an admission webhook that accepts or rejects an object without changing it.' }),
  builtin({ group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition', plural: 'customresourcedefinitions', namespaced: false, shortNames: ['crd', 'crds'], status: true, fields: ['spec', 'status'], tracksGeneration: true, initialStatus: {}, description: 'CustomResourceDefinition represents a resource that should be exposed on the API server.' }),
];
