/**
 * Decisions return data: a list of actions for the adapters to apply, and the one status
 * to patch. An action carries everything its adapter needs (the full Job, PVC or Event),
 * so applying it needs no further decision. Creating what already exists is success.
 */
import type { ObjectStoreSpec } from '../../api/object-store-spec.ts';
import type { JobSettings } from '../specs/job.ts';
import type { Job, KubeEvent, PersistentVolumeClaim } from '../specs/k8s-types.ts';
import type { PodOverrides } from '../specs/pod-overrides.ts';

/** Action is one side effect a decision asks for. */
export type Action =
  /** addFinalizer adds Featherman's finalizer to the resource (a metadata patch). */
  | { type: 'addFinalizer' }
  /** removeFinalizer removes Featherman's finalizer so Kubernetes can delete the resource. */
  | { type: 'removeFinalizer' }
  /** ensurePvc creates the catalog volume claim unless it exists. */
  | { type: 'ensurePvc'; pvc: PersistentVolumeClaim }
  /** createJob creates a runner Job; AlreadyExists means a replay and is success. */
  | { type: 'createJob'; job: Job }
  /** emitEvent creates a core/v1 Event; AlreadyExists is success. */
  | { type: 'emitEvent'; event: KubeEvent }
  /** deleteObjects deletes every object under `prefix` in `bucket` (a table's data with deletionPolicy Delete). */
  | { type: 'deleteObjects'; objectStore: ObjectStoreSpec; bucket: string; prefix: string };

/** ActionType is the `type` of an Action. */
export type ActionType = Action['type'];

/** Decision is what a decide* function returns: actions, then the status to write once. */
export interface Decision<S> {
  actions: Action[];
  status: S;
}

/** ControlConfig is the control plane's own configuration that decisions need to build Jobs. */
export interface ControlConfig {
  /** image of the runner (and of its init container). */
  image: string;
  /** podOverrides from the ConfigMap the catalog's spec.podTemplate names, already read. */
  podOverrides?: PodOverrides | undefined;
  /** podTemplateError says why that ConfigMap cannot be used (validate-pod-template.ts); no runner Job may start then. */
  podTemplateError?: string | undefined;
  jobSettings?: Partial<JobSettings>;
}
