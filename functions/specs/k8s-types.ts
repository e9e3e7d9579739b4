/**
 * The slices of Kubernetes object shapes the pure builders produce and read. Plain
 * types, so core/ and specs/ need no client library; an adapter sends them as JSON.
 */

/** ObjectMeta is the metadata Featherman sets or reads. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  creationTimestamp?: string;
  deletionTimestamp?: string;
  finalizers?: string[];
}

/** OwnerReference ties a dependent object to its owner for garbage collection. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** KubeObject is any object with apiVersion, kind and metadata. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** JSONObject is a plain JSON object (pod fields Featherman passes through untyped). */
export type JSONObject = { [key: string]: unknown };

/** Container is the part of core/v1 Container Featherman builds. */
export interface Container extends JSONObject {
  name: string;
  image: string;
}

/** PodSpec is a core/v1 PodSpec with its containers typed and the rest as JSON. */
export interface PodSpec extends JSONObject {
  containers: Container[];
  initContainers?: Container[];
}

/** JobCondition is one batch/v1 JobCondition. */
export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string | Date;
}

/** JobStatus is batch/v1 JobStatus. */
export interface JobStatus {
  active?: number;
  succeeded?: number;
  failed?: number;
  ready?: number;
  startTime?: string | Date;
  completionTime?: string | Date;
  conditions?: JobCondition[];
}

/** Job is a batch/v1 Job. */
export interface Job extends KubeObject {
  apiVersion: 'batch/v1';
  kind: 'Job';
  spec: {
    backoffLimit: number;
    activeDeadlineSeconds: number;
    ttlSecondsAfterFinished: number;
    completions?: number;
    parallelism?: number;
    template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  };
  status?: JobStatus;
}

/** PersistentVolumeClaim is a core/v1 PersistentVolumeClaim. */
export interface PersistentVolumeClaim extends KubeObject {
  apiVersion: 'v1';
  kind: 'PersistentVolumeClaim';
  spec: {
    accessModes: string[];
    storageClassName?: string;
    volumeMode?: string;
    resources: { requests: { storage: string } };
  };
  status?: { phase?: string };
}

/** ObjectReference is a core/v1 ObjectReference (an Event's involvedObject). */
export interface ObjectReference {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
  uid: string;
  resourceVersion?: string;
  fieldPath?: string;
}

/** KubeEvent is a core/v1 Event, what `kubectl describe` lists. */
export interface KubeEvent extends KubeObject {
  apiVersion: 'v1';
  kind: 'Event';
  involvedObject: ObjectReference;
  reason: string;
  message: string;
  type: 'Normal' | 'Warning';
  source: { component: string };
  reportingComponent: string;
  reportingInstance: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: number;
  action?: string;
}
