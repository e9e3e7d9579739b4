/**
 * The patchStrategy / patchMergeKey knowledge of the built-in kinds the local API server
 * serves, taken from the Go struct tags of k8s.io/api. Strategic merge patch and
 * server-side apply read it; anything not listed here is a map merged member by member or
 * an atomic (replaced) list.
 */

/** FieldStrategy describes one field: how its list merges, and the fields below it. */
export interface FieldStrategy {
  /** strategy is the patchStrategy tag: 'merge' merges lists (by mergeKey, or as a set of primitives). */
  strategy?: 'merge' | 'retainKeys' | 'merge,retainKeys';
  /** mergeKey is the patchMergeKey of a list of objects. */
  mergeKey?: string;
  /** fields describe the members of this object (or of each list item). */
  fields?: Record<string, FieldStrategy>;
}

const byName = (fields?: Record<string, FieldStrategy>): FieldStrategy => ({ strategy: 'merge', mergeKey: 'name', ...(fields ? { fields } : {}) });
const byType: FieldStrategy = { strategy: 'merge', mergeKey: 'type' };

const objectMeta: FieldStrategy = {
  fields: {
    finalizers: { strategy: 'merge' },
    ownerReferences: { strategy: 'merge', mergeKey: 'uid' },
  },
};

const container: Record<string, FieldStrategy> = {
  ports: { strategy: 'merge', mergeKey: 'containerPort' },
  env: byName(),
  volumeMounts: { strategy: 'merge', mergeKey: 'mountPath' },
  volumeDevices: { strategy: 'merge', mergeKey: 'devicePath' },
};

const podSpec: FieldStrategy = {
  fields: {
    volumes: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    initContainers: byName(container),
    containers: byName(container),
    ephemeralContainers: byName(container),
    imagePullSecrets: byName(),
    hostAliases: { strategy: 'merge', mergeKey: 'ip' },
    topologySpreadConstraints: { strategy: 'merge', mergeKey: 'topologyKey' },
    resourceClaims: { strategy: 'merge,retainKeys', mergeKey: 'name' },
    schedulingGates: byName(),
  },
};

const podStatus: FieldStrategy = {
  fields: {
    conditions: byType,
    podIPs: { strategy: 'merge', mergeKey: 'ip' },
    hostIPs: { strategy: 'merge', mergeKey: 'ip' },
  },
};

const conditionsStatus: FieldStrategy = { fields: { conditions: byType } };

function kind(fields: Record<string, FieldStrategy>): FieldStrategy {
  return { fields: { metadata: objectMeta, ...fields } };
}

const kinds: Record<string, FieldStrategy> = {
  'v1/Namespace': kind({ status: conditionsStatus }),
  'v1/Secret': kind({}),
  'v1/ConfigMap': kind({}),
  'v1/ServiceAccount': kind({ secrets: byName() }),
  'v1/PersistentVolumeClaim': kind({ status: conditionsStatus }),
  'v1/Pod': kind({ spec: podSpec, status: podStatus }),
  'v1/Event': kind({}),
  'events.k8s.io/v1/Event': kind({}),
  'batch/v1/Job': kind({
    spec: { fields: { template: { fields: { metadata: objectMeta, spec: podSpec } } } },
    status: conditionsStatus,
  }),
  'coordination.k8s.io/v1/Lease': kind({}),
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': kind({ webhooks: byName() }),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': kind({ webhooks: byName() }),
  'apiextensions.k8s.io/v1/CustomResourceDefinition': kind({}),
};

/**
 * mergeStrategyFor returns the strategy tree of a built-in kind, or undefined for kinds
 * without Go struct tags (custom resources: Kubernetes refuses strategic merge for them).
 */
export function mergeStrategyFor(apiVersion: string, kindName: string): FieldStrategy | undefined {
  return kinds[`${apiVersion}/${kindName}`];
}

/** childStrategy returns the strategy of member `name` below `parent`, if any. */
export function childStrategy(parent: FieldStrategy | undefined, name: string): FieldStrategy | undefined {
  return parent?.fields?.[name];
}
