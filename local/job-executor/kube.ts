/**
 * The job executor's only use of the Kubernetes client: reads of Secrets and ConfigMaps,
 * Pod creation, status patches and deletions. A 404 becomes `undefined` or is ignored.
 */
import { ApiException, BatchV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';

const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** EventTarget names the object an Event is about. */
export interface EventTarget {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid?: string;
}

/** KeyedData is the data of a Secret (decoded) or a ConfigMap. */
export type KeyedData = Record<string, string>;

/** JobExecutorKube wraps the calls the executor makes (side effects: HTTP to the API server). */
export class JobExecutorKube {
  private readonly core: CoreV1Api;
  private readonly batch: BatchV1Api;

  constructor(kubeConfig: KubeConfig) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
  }

  /** readSecretData returns a Secret's data decoded from base64 (plus stringData), or undefined when it is missing. */
  async readSecretData(namespace: string, name: string): Promise<KeyedData | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      const data: KeyedData = {};
      for (const [key, value] of Object.entries(secret.data ?? {})) data[key] = Buffer.from(value, 'base64').toString('utf8');
      for (const [key, value] of Object.entries(secret.stringData ?? {})) data[key] = value;
      return data;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`while reading Secret ${namespace}/${name}`, { cause: error });
    }
  }

  /** readConfigMapData returns a ConfigMap's data, or undefined when it is missing. */
  async readConfigMapData(namespace: string, name: string): Promise<KeyedData | undefined> {
    try {
      const configMap = await this.core.readNamespacedConfigMap({ namespace, name });
      return { ...(configMap.data ?? {}) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw new Error(`while reading ConfigMap ${namespace}/${name}`, { cause: error });
    }
  }

  /** createPod creates a Pod and returns it as stored. */
  async createPod(pod: V1Pod): Promise<V1Pod> {
    const namespace = pod.metadata?.namespace ?? 'default';
    try {
      return await this.core.createNamespacedPod({ namespace, body: pod });
    } catch (error) {
      throw new Error(`while creating Pod ${namespace}/${pod.metadata?.name ?? ''}`, { cause: error });
    }
  }

  /** patchPodStatus merge-patches a Pod's status; false when the Pod is gone. */
  async patchPodStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<boolean> {
    try {
      await this.core.patchNamespacedPodStatus({ namespace, name, body: { status } }, MERGE);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new Error(`while writing the status of Pod ${namespace}/${name}`, { cause: error });
    }
  }

  /** patchJobStatus merge-patches a Job's status; false when the Job is gone. */
  async patchJobStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<boolean> {
    try {
      await this.batch.patchNamespacedJobStatus({ namespace, name, body: { status } }, MERGE);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new Error(`while writing the status of Job ${namespace}/${name}`, { cause: error });
    }
  }

  /** patchClaimStatus merge-patches a PersistentVolumeClaim's status; false when the claim is gone. */
  async patchClaimStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<boolean> {
    try {
      await this.core.patchNamespacedPersistentVolumeClaimStatus({ namespace, name, body: { status } }, MERGE);
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw new Error(`while writing the status of PersistentVolumeClaim ${namespace}/${name}`, { cause: error });
    }
  }

  /**
   * recordEvent creates a core/v1 Event about an object, as the Job controller and the
   * kubelet do, for `kubectl describe` (side effect: an API write; failures are returned, not thrown).
   */
  async recordEvent(involved: EventTarget, type: 'Normal' | 'Warning', reason: string, message: string, component: string): Promise<Error | undefined> {
    const now = new Date();
    const namespace = involved.namespace;
    try {
      await this.core.createNamespacedEvent({
        namespace,
        body: {
          metadata: { name: `${involved.name}.${now.getTime().toString(16)}${Math.floor(Math.random() * 0xfff).toString(16)}`, namespace },
          involvedObject: { apiVersion: involved.apiVersion, kind: involved.kind, name: involved.name, namespace, uid: involved.uid },
          reason, message, type, count: 1,
          firstTimestamp: now, lastTimestamp: now,
          source: { component, host: 'featherman-local' },
          reportingComponent: component, reportingInstance: 'featherman-local',
        },
      });
      return undefined;
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
  }

  /** listPodsOfJob lists the Pods labelled with a Job's controller-uid. */
  async listPodsOfJob(namespace: string, uid: string): Promise<V1Pod[]> {
    const list = await this.core.listNamespacedPod({ namespace, labelSelector: `controller-uid=${uid}` });
    return list.items;
  }

  /** deleteJob deletes a Job in the background (the garbage collector removes its Pods); a missing Job is fine. */
  async deleteJob(namespace: string, name: string): Promise<void> {
    try {
      await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) throw new Error(`while deleting Job ${namespace}/${name}`, { cause: error });
    }
  }
}
