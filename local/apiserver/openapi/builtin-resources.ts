/**
 * OpenAPI v3 schemas of the built-in kinds the local server serves (enough for
 * `kubectl explain` and for kubectl's strategic merge), keyed by component name.
 */
import { META, objectMetaField, typeMetaFields } from './builtin-meta.ts';
import { CORE } from './builtin-pod.ts';
import { bool, int, item, list, obj, ref, str, strList, strMap, time, type Schema } from './schema-dsl.ts';

function kind(description: string, fields: Record<string, Schema>, required?: string[]): Schema {
  return obj(description, { ...typeMetaFields(), metadata: objectMetaField(), ...fields }, required);
}

const condition = (of: string): Schema => obj(`${of} describes the state of a ${of.replace(/Condition$/, '')} at a certain point.`, {
  lastTransitionTime: ref(`${META}.Time`, 'Last time the condition transitioned from one status to another.'),
  message: str('Human readable message indicating details about last transition.'),
  reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
  status: str('Status of the condition, one of True, False, Unknown.', { default: '' }),
  type: str('Type of the condition.', { default: '' }),
}, ['type', 'status']);

const conditions = (of: string): Schema => list(item(of), 'Conditions represent the latest available observations of the current state.', { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' });

const BATCH = 'io.k8s.api.batch.v1';
const COORD = 'io.k8s.api.coordination.v1';
const ADMISSION = 'io.k8s.api.admissionregistration.v1';
const EXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';

/** resourceSchemas are the kind-level and part schemas of the built-in kinds; pure data. */
export const resourceSchemas: Record<string, Schema> = {
  [`${CORE}.ConfigMap`]: kind('ConfigMap holds configuration data for pods to consume.', {
    binaryData: { type: 'object', description: 'BinaryData contains the binary data.', additionalProperties: { type: 'string', format: 'byte' } },
    data: strMap('Data contains the configuration data.'),
    immutable: bool('Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.'),
  }),
  [`${CORE}.Secret`]: kind('Secret holds secret data of a certain type. The total bytes of the values in the Data field must be less than MaxSecretSize bytes.', {
    data: { type: 'object', description: 'Data contains the secret data. Each value must be base64 encoded.', additionalProperties: { type: 'string', format: 'byte' } },
    immutable: bool('Immutable, if set to true, ensures that data stored in the Secret cannot be updated.'),
    stringData: strMap('stringData allows specifying non-binary secret data in string form. It is provided as a write-only input field for convenience.'),
    type: str('Used to facilitate programmatic handling of secret data.'),
  }),
  [`${CORE}.Namespace`]: kind('Namespace provides a scope for Names. Use of multiple namespaces is optional.', {
    spec: obj('Spec defines the behavior of the Namespace.', { finalizers: strList('Finalizers is an opaque list of values that must be empty to permanently remove object from storage.') }),
    status: obj('Status describes the current status of a Namespace.', { conditions: conditions(`${CORE}.NamespaceCondition`), phase: str('Phase is the current lifecycle phase of the namespace.', { enum: ['Active', 'Terminating'] }) }),
  }),
  [`${CORE}.NamespaceCondition`]: condition('NamespaceCondition'),
  [`${CORE}.ServiceAccount`]: kind('ServiceAccount binds together: a name, understood by users, and perhaps by peripheral systems, for an identity, and a set of secrets.', {
    automountServiceAccountToken: bool('AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.'),
    imagePullSecrets: list(item(`${CORE}.LocalObjectReference`), 'ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.', { listType: 'atomic' }),
    secrets: list({ type: 'object', properties: { apiVersion: str('API version of the referent.'), kind: str('Kind of the referent.'), name: str('Name of the referent.'), namespace: str('Namespace of the referent.'), uid: str('UID of the referent.') } }, 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
  }),
  [`${CORE}.PersistentVolumeClaim`]: kind("PersistentVolumeClaim is a user's request for and claim to a persistent volume", {
    spec: obj('spec defines the desired characteristics of a volume requested by a pod author.', {
      accessModes: strList('accessModes contains the desired access modes the volume should have.'),
      resources: obj('resources represents the minimum resources the volume should have.', { limits: { type: 'object', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } }, requests: { type: 'object', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } } }),
      storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
      volumeMode: str('volumeMode defines what type of volume is required by the claim.'),
      volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
    }),
    status: obj('status represents the current information/status of a persistent volume claim.', {
      accessModes: strList('accessModes contains the actual access modes the volume backing the PVC has.'),
      capacity: { type: 'object', description: 'capacity represents the actual resources of the underlying volume.', additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } },
      conditions: conditions(`${CORE}.PersistentVolumeClaimCondition`),
      phase: str('phase represents the current phase of PersistentVolumeClaim.', { enum: ['Bound', 'Lost', 'Pending'] }),
    }),
  }),
  [`${CORE}.PersistentVolumeClaimCondition`]: condition('PersistentVolumeClaimCondition'),
  [`${CORE}.Pod`]: kind('Pod is a collection of containers that can run on a host.', {
    spec: ref(`${CORE}.PodSpec`, 'Specification of the desired behavior of the pod.'),
    status: ref(`${CORE}.PodStatus`, 'Most recently observed status of the pod.'),
  }),
  [`${CORE}.ObjectReference`]: { ...obj('ObjectReference contains enough information to let you inspect or modify the referred object.', {
    apiVersion: str('API version of the referent.'), fieldPath: str('If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.'),
    kind: str('Kind of the referent.'), name: str('Name of the referent.'), namespace: str('Namespace of the referent.'), resourceVersion: str('Specific resourceVersion to which this reference is made, if any.'), uid: str('UID of the referent.'),
  }), 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.Event`]: kind('Event is a report of an event somewhere in the cluster.', {
    action: str('What action was taken/failed regarding to the Regarding object.'),
    count: int('The number of times this event has occurred.'),
    eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
    firstTimestamp: time('The time at which the event was first recorded.'),
    involvedObject: ref(`${CORE}.ObjectReference`, 'The object that this event is about.'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    message: str('A human-readable description of the status of this operation.'),
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    reportingComponent: str('Name of the controller that emitted this Event.', { default: '' }),
    reportingInstance: str('ID of the controller instance.', { default: '' }),
    source: obj('The component reporting this event.', { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') }),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
  }, ['metadata', 'involvedObject']),
  [`${BATCH}.Job`]: kind('Job represents the configuration of a single job.', {
    spec: obj('Specification of the desired behavior of a job.', {
      activeDeadlineSeconds: int('Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.', 'int64'),
      backoffLimit: int('Specifies the number of retries before marking this job failed. Defaults to 6'),
      completions: int('Specifies the desired number of successfully finished pods the job should be run with.'),
      parallelism: int('Specifies the maximum desired number of pods the job should run at any given time.'),
      selector: ref(`${META}.LabelSelector`, 'A label query over pods that should match the pod count.'),
      suspend: bool('suspend specifies whether the Job controller should create Pods or not.'),
      template: ref(`${CORE}.PodTemplateSpec`, 'Describes the pod that will be created when executing a job.'),
      ttlSecondsAfterFinished: int('ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (either Complete or Failed).'),
    }, ['template']),
    status: obj('Current status of a job.', {
      active: int('The number of pending and running pods which are not terminating.'),
      completionTime: time('Represents time when the job was completed.'),
      conditions: list(item(`${BATCH}.JobCondition`), 'The latest available observations of an object\'s current state.', { listType: 'atomic', mergeKey: 'type', strategy: 'merge' }),
      failed: int('The number of pods which reached phase Failed.'),
      ready: int('The number of active pods which have a Ready condition.'),
      startTime: time('Represents time when the job controller started processing a job.'),
      succeeded: int('The number of pods which reached phase Succeeded.'),
    }),
  }),
  [`${BATCH}.JobCondition`]: condition('JobCondition'),
  [`${COORD}.Lease`]: kind('Lease defines a lease concept.', {
    spec: obj('spec contains the specification of the Lease.', {
      acquireTime: { type: 'string', format: 'date-time', description: 'acquireTime is a time when the current lease was acquired.' },
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
      renewTime: { type: 'string', format: 'date-time', description: 'renewTime is a time when the current holder of a lease has last updated the lease.' },
    }),
  }),
  [`${ADMISSION}.ValidatingWebhookConfiguration`]: kind('ValidatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and object without changing it.', {
    webhooks: list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: {
      admissionReviewVersions: strList('AdmissionReviewVersions is an ordered list of preferred `AdmissionReview` versions the Webhook expects.'),
      clientConfig: { type: 'object', description: 'ClientConfig defines how to communicate with the hook.', 'x-kubernetes-preserve-unknown-fields': true },
      failurePolicy: str('FailurePolicy defines how unrecognized errors from the admission endpoint are handled - allowed values are Ignore or Fail.'),
      name: str('The name of the admission webhook.', { default: '' }),
      rules: list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'Rules describes what operations on what resources/subresources the webhook cares about.', { listType: 'atomic' }),
      sideEffects: str('SideEffects states whether this webhook has side effects.'),
      timeoutSeconds: int('TimeoutSeconds specifies the timeout for this webhook.'),
    }, required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] }, 'Webhooks is a list of webhooks and the affected resources and operations.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
  }),
  [`${EXT}.CustomResourceDefinition`]: kind('CustomResourceDefinition represents a resource that should be exposed on the API server.  Its name MUST be in the format <.spec.name>.<.spec.group>.', {
    spec: { type: 'object', description: 'spec describes how the user wants the resources to appear', 'x-kubernetes-preserve-unknown-fields': true, properties: {
      group: str('group is the API group of the defined custom resource.', { default: '' }),
      names: { type: 'object', description: 'names specify the resource and kind names for the custom resource.', 'x-kubernetes-preserve-unknown-fields': true },
      scope: str('scope indicates whether the defined custom resource is cluster- or namespace-scoped. Allowed values are `Cluster` and `Namespaced`.', { default: '' }),
      versions: list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'versions is the list of all API versions of the defined custom resource.', { listType: 'atomic' }),
    }, required: ['group', 'names', 'scope', 'versions'] },
    status: { type: 'object', description: 'status indicates the actual state of the CustomResourceDefinition', 'x-kubernetes-preserve-unknown-fields': true },
  }, ['spec']),
};

const packages: Record<string, string> = {
  '': CORE,
  batch: 'io.k8s.api.batch',
  'coordination.k8s.io': 'io.k8s.api.coordination',
  'admissionregistration.k8s.io': 'io.k8s.api.admissionregistration',
  'apiextensions.k8s.io': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions',
  'events.k8s.io': 'io.k8s.api.events',
};

/**
 * componentName names a kind's component schema as kube-apiserver does: the Go package for
 * built-in groups (`io.k8s.api.core.v1.ConfigMap`), else the reversed group
 * (`dev.featherman.v1alpha1.DuckLakeTable`).
 */
export function componentName(group: string, version: string, kindName: string): string {
  if (group === '') return `${CORE}.${kindName}`;
  const pkg = packages[group] ?? group.split('.').reverse().join('.');
  return `${pkg}.${version}.${kindName}`;
}
