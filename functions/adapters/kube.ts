/**
 * KubeAdapter: the control plane's only use of @kubernetes/client-node. Reads return
 * `undefined` for a missing object; creating what exists is success (deterministic names
 * make replays idempotent); status is written with optimistic locking. Every method has
 * side effects (HTTP to the API server); ADAPTER_PERMISSIONS lists what each one calls.
 */
import { BatchV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Job, KubeEvent, PersistentVolumeClaim } from '../specs/k8s-types.ts';
import { isConflict, isNotFound, wrapKubeError } from './kube-errors.ts';

/** GROUP and VERSION of the Featherman resources. */
export const GROUP = 'ducklake.featherman.dev';
export const VERSION = 'v1alpha1';

/** PLURALS maps each Featherman kind to its resource plural. */
export const PLURALS = { DuckLakeCatalog: 'ducklakecatalogs', DuckLakeTable: 'ducklaketables', DuckLakeQuery: 'ducklakequeries' } as const;

/** FeathermanKind is one of the three custom resource kinds. */
export type FeathermanKind = keyof typeof PLURALS;

/** RawObject is a Kubernetes object as the API returned it, not yet validated. */
export type RawObject = Record<string, unknown> & { metadata?: Record<string, unknown>; status?: unknown };

/** StatusWrite is what applyStatus did. */
export type StatusWrite = 'written' | 'unchanged' | 'gone';

const MAX_CONFLICT_RETRIES = 5;

/**
 * plain turns a client-node model into the plain JSON the API sent (pure): client-node
 * deserialises times into Date objects, while the core (like the wire) works with
 * RFC 3339 text at seconds precision.
 */
export function plain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value, function (this: Record<string, unknown>, key: string, item: unknown) {
    const original = this[key];
    return original instanceof Date ? `${original.toISOString().slice(0, 19)}Z` : item;
  })) as T;
}

function metaOf(object: RawObject): Record<string, unknown> {
  return typeof object.metadata === 'object' && object.metadata !== null ? object.metadata : {};
}

/** isFeathermanKind reports whether a kind names a Featherman resource (pure). */
export function isFeathermanKind(kind: string): kind is FeathermanKind {
  return Object.hasOwn(PLURALS, kind);
}

/** KubeAdapter wraps the API calls of the functions (side effects: HTTP). */
export class KubeAdapter {
  private readonly custom: CustomObjectsApi;
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
  }

  /** fromKubeconfig builds an adapter from a kubeconfig file, or the in-cluster/default config when none is given. */
  static fromKubeconfig(path?: string): KubeAdapter {
    const config = new KubeConfig();
    if (path !== undefined) config.loadFromFile(path);
    else config.loadFromDefault();
    return new KubeAdapter(config);
  }

  /** readResource reads a Featherman resource fresh; undefined when it does not exist. */
  async readResource(kind: FeathermanKind, namespace: string, name: string): Promise<RawObject | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURALS[kind], name })) as RawObject;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapKubeError(`reading ${kind} ${namespace}/${name}`, error);
    }
  }

  /** listResources lists every resource of a kind, in one namespace or in all. */
  async listResources(kind: FeathermanKind, namespace?: string): Promise<RawObject[]> {
    try {
      const plural = PLURALS[kind];
      const list = namespace === undefined
        ? await this.custom.listCustomObjectForAllNamespaces({ group: GROUP, version: VERSION, plural })
        : await this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural });
      const items = (list as { items?: unknown }).items;
      return Array.isArray(items) ? (items as RawObject[]) : [];
    } catch (error) {
      throw wrapKubeError(`listing ${kind} resources`, error);
    }
  }

  // A write starts from `known` (an object the caller just read) when given, and re-reads
  // only after a conflict: one request instead of two in the common case.
  private async updateFinalizers(kind: FeathermanKind, namespace: string, name: string, change: (list: string[]) => string[], known?: RawObject): Promise<RawObject | undefined> {
    let current = known;
    for (let attempt = 0; ; attempt++) {
      current ??= await this.readResource(kind, namespace, name);
      if (current === undefined) return undefined;
      const before = Array.isArray(metaOf(current).finalizers) ? (metaOf(current).finalizers as string[]) : [];
      const after = change(before);
      if (isDeepStrictEqual(before, after)) return undefined;
      const body = { ...current, metadata: { ...metaOf(current), finalizers: after } };
      try {
        return (await this.custom.replaceNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURALS[kind], name, body })) as RawObject;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (isConflict(error) && attempt < MAX_CONFLICT_RETRIES) {
          current = undefined;
          continue;
        }
        throw wrapKubeError(`updating the finalizers of ${kind} ${namespace}/${name}`, error);
      }
    }
  }

  /**
   * addFinalizer adds a finalizer (update with the resourceVersion of `known` or a fresh
   * read, re-read and retry on conflict); returns the updated object, or undefined when
   * nothing changed or the object is gone.
   */
  addFinalizer(kind: FeathermanKind, namespace: string, name: string, finalizer: string, known?: RawObject): Promise<RawObject | undefined> {
    return this.updateFinalizers(kind, namespace, name, (list) => (list.includes(finalizer) ? list : [...list, finalizer]), known);
  }

  /** removeFinalizer removes a finalizer; undefined when it was not there or the object is gone. */
  removeFinalizer(kind: FeathermanKind, namespace: string, name: string, finalizer: string, known?: RawObject): Promise<RawObject | undefined> {
    return this.updateFinalizers(kind, namespace, name, (list) => list.filter((item) => item !== finalizer), known);
  }

  /**
   * applyStatus writes the status `compute` derives from the object, with optimistic
   * locking: start from `known` (just read) or a fresh read, compute, skip the write when
   * nothing changes, PUT the status subresource with that resourceVersion, and on 409
   * re-read and start again (at most 5 times). `compute` returning undefined means "leave it".
   */
  async applyStatus(kind: FeathermanKind, namespace: string, name: string, compute: (fresh: RawObject) => unknown, known?: RawObject): Promise<StatusWrite> {
    let fresh = known;
    for (let attempt = 0; ; attempt++) {
      fresh ??= await this.readResource(kind, namespace, name);
      if (fresh === undefined) return 'gone';
      const status = compute(fresh);
      if (status === undefined || isDeepStrictEqual(stripUndefined(status), fresh.status ?? {})) return 'unchanged';
      try {
        await this.custom.replaceNamespacedCustomObjectStatus({ group: GROUP, version: VERSION, namespace, plural: PLURALS[kind], name, body: { ...fresh, status } });
        return 'written';
      } catch (error) {
        if (isNotFound(error)) return 'gone';
        if (isConflict(error) && attempt < MAX_CONFLICT_RETRIES) {
          fresh = undefined;
          continue;
        }
        throw wrapKubeError(`writing the status of ${kind} ${namespace}/${name}`, error);
      }
    }
  }

  /** listJobs lists the Jobs in a namespace carrying every given label. */
  async listJobs(namespace: string, labels: Record<string, string>): Promise<Job[]> {
    const labelSelector = Object.entries(labels).map(([key, value]) => `${key}=${value}`).join(',');
    try {
      const list = await this.batch.listNamespacedJob({ namespace, labelSelector });
      return plain<Job[]>(list.items);
    } catch (error) {
      throw wrapKubeError(`listing Jobs in ${namespace} with ${labelSelector}`, error);
    }
  }

  /** readJob reads a Job; undefined when it does not exist. */
  async readJob(namespace: string, name: string): Promise<Job | undefined> {
    try {
      return plain<Job>(await this.batch.readNamespacedJob({ namespace, name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapKubeError(`reading Job ${namespace}/${name}`, error);
    }
  }

  /** onJobCreated, when set, hears of every Job this adapter created (the functions' metrics). */
  onJobCreated?: (job: Job) => void;

  /** createJob creates a Job; 'exists' when one of that name is there already (a replay). */
  async createJob(job: Job): Promise<'created' | 'exists'> {
    const namespace = job.metadata.namespace ?? 'default';
    try {
      await this.batch.createNamespacedJob({ namespace, body: job as never });
      this.onJobCreated?.(job);
      return 'created';
    } catch (error) {
      if (isConflict(error)) return 'exists';
      throw wrapKubeError(`creating Job ${namespace}/${job.metadata.name}`, error);
    }
  }

  /**
   * readTerminationMessage returns the termination message of a Job's runner container:
   * from the newest of the Job's Pods (label `job-name`), the container named `container`
   * (or the first), current or last state.
   */
  async readTerminationMessage(namespace: string, jobName: string, container = 'runner'): Promise<string | undefined> {
    let pods: V1Pod[];
    try {
      pods = plain<V1Pod[]>((await this.core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` })).items);
    } catch (error) {
      throw wrapKubeError(`listing the Pods of Job ${namespace}/${jobName}`, error);
    }
    const newest = [...pods].sort((a, b) => String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? ''))).reverse();
    for (const pod of newest) {
      const statuses = pod.status?.containerStatuses ?? [];
      const status = statuses.find((item) => item.name === container) ?? statuses[0];
      const message = status?.state?.terminated?.message ?? status?.lastState?.terminated?.message;
      if (message !== undefined && message !== '') return message;
    }
    return undefined;
  }

  /** readPvc reads a PersistentVolumeClaim; undefined when missing. */
  async readPvc(namespace: string, name: string): Promise<PersistentVolumeClaim | undefined> {
    try {
      return plain<PersistentVolumeClaim>(await this.core.readNamespacedPersistentVolumeClaim({ namespace, name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapKubeError(`reading PersistentVolumeClaim ${namespace}/${name}`, error);
    }
  }

  /** ensurePvc creates a PersistentVolumeClaim unless it exists. */
  async ensurePvc(pvc: PersistentVolumeClaim): Promise<'created' | 'exists'> {
    const namespace = pvc.metadata.namespace ?? 'default';
    try {
      await this.core.createNamespacedPersistentVolumeClaim({ namespace, body: pvc as never });
      return 'created';
    } catch (error) {
      if (isConflict(error)) return 'exists';
      throw wrapKubeError(`creating PersistentVolumeClaim ${namespace}/${pvc.metadata.name}`, error);
    }
  }

  /** createEvent creates a core/v1 Event; its deterministic name makes a repeat 'exists'. */
  async createEvent(event: KubeEvent): Promise<'created' | 'exists'> {
    const namespace = event.metadata.namespace ?? 'default';
    try {
      // client-node serialises Event times from Date objects; the pure builder gives RFC 3339 text.
      const body = { ...event, firstTimestamp: new Date(event.firstTimestamp), lastTimestamp: new Date(event.lastTimestamp) };
      await this.core.createNamespacedEvent({ namespace, body: body as never });
      return 'created';
    } catch (error) {
      if (isConflict(error)) return 'exists';
      throw wrapKubeError(`creating Event ${namespace}/${event.metadata.name}`, error);
    }
  }

  /** readSecretData returns a Secret's data decoded from base64; undefined when missing. Never log what it returns. */
  async readSecretData(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      const data: Record<string, string> = {};
      for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64').toString('utf8');
      for (const [key, value] of Object.entries(secret.stringData ?? {})) data[key] = value;
      return data;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapKubeError(`reading Secret ${namespace}/${name}`, error);
    }
  }

  /** readConfigMapData returns a ConfigMap's data; undefined when missing. */
  async readConfigMapData(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      return { ...((await this.core.readNamespacedConfigMap({ namespace, name })).data ?? {}) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrapKubeError(`reading ConfigMap ${namespace}/${name}`, error);
    }
  }
}

// A status computed in TypeScript may hold `undefined` fields that JSON drops.
function stripUndefined(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? {})) as unknown;
}
