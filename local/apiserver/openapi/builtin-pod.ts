/**
 * OpenAPI v3 component schemas of core/v1 Pod and the types it is made of (the common
 * fields, with the patch strategies kubectl's strategic merge needs).
 */
import { META } from './builtin-meta.ts';
import { bool, int, item, list, obj, ref, str, strList, strMap, type Schema } from './schema-dsl.ts';

/** CORE is the package prefix of core/v1 types. */
export const CORE = 'io.k8s.api.core.v1';

const quantityMap = (description: string): Schema => ({ type: 'object', description, additionalProperties: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } });
const keyRef = (what: string): Schema => ({ ...obj(`Selects a key of a ${what}.`, { key: str('The key to select.', { default: '' }), name: str('Name of the referent.', { default: '' }), optional: bool(`Specify whether the ${what} or its key must be defined`) }, ['key']), 'x-kubernetes-map-type': 'atomic' });
const keyToPath = list({ type: 'object', properties: { key: str('key to project.'), mode: int('mode bits used to set permissions on this file.'), path: str('path is the relative path of the file to map the key to.') }, required: ['key', 'path'] }, 'items maps keys to paths.', { listType: 'atomic' });

/** podSchemas are the Pod-related component schemas, keyed by component name; pure data. */
export const podSchemas: Record<string, Schema> = {
  'io.k8s.apimachinery.pkg.api.resource.Quantity': { type: 'string', description: 'Quantity is a fixed-point representation of a number, such as 500m or 1Gi.' },
  [`${CORE}.LocalObjectReference`]: { ...obj('LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.', { name: str('Name of the referent.', { default: '' }) }), 'x-kubernetes-map-type': 'atomic' },
  [`${CORE}.EnvVar`]: obj('EnvVar represents an environment variable present in a Container.', {
    name: str('Name of the environment variable.', { default: '' }),
    value: str('Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container.'),
    valueFrom: ref(`${CORE}.EnvVarSource`, "Source for the environment variable's value. Cannot be used if value is not empty."),
  }, ['name']),
  [`${CORE}.EnvVarSource`]: obj('EnvVarSource represents a source for the value of an EnvVar.', {
    configMapKeyRef: keyRef('ConfigMap'),
    fieldRef: { ...obj('Selects a field of the pod.', { apiVersion: str('Version of the schema the FieldPath is written in terms of.'), fieldPath: str('Path of the field to select in the specified API version.', { default: '' }) }, ['fieldPath']), 'x-kubernetes-map-type': 'atomic' },
    secretKeyRef: keyRef('secret'),
  }),
  [`${CORE}.ContainerPort`]: obj('ContainerPort represents a network port in a single container.', {
    containerPort: int("Number of port to expose on the pod's IP address."),
    hostPort: int('Number of port to expose on the host.'),
    name: str('Each named port in a pod must have a unique name.'),
    protocol: str('Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".', { default: 'TCP' }),
  }, ['containerPort']),
  [`${CORE}.VolumeMount`]: obj('VolumeMount describes a mounting of a Volume within a container.', {
    mountPath: str('Path within the container at which the volume should be mounted.', { default: '' }),
    name: str('This must match the Name of a Volume.', { default: '' }),
    readOnly: bool('Mounted read-only if true, read-write otherwise (false or unspecified).'),
    subPath: str("Path within the volume from which the container's volume should be mounted."),
  }, ['name', 'mountPath']),
  [`${CORE}.ResourceRequirements`]: obj('ResourceRequirements describes the compute resource requirements.', {
    limits: quantityMap('Limits describes the maximum amount of compute resources allowed.'),
    requests: quantityMap('Requests describes the minimum amount of compute resources required.'),
  }),
  [`${CORE}.Container`]: obj('A single application container that you want to run within a pod.', {
    args: strList('Arguments to the entrypoint.'),
    command: strList('Entrypoint array. Not executed within a shell.'),
    env: list(item(`${CORE}.EnvVar`), 'List of environment variables to set in the container.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
    envFrom: list({ type: 'object', properties: { configMapRef: ref(`${CORE}.LocalObjectReference`, 'The ConfigMap to select from'), prefix: str('An optional identifier to prepend to each key.'), secretRef: ref(`${CORE}.LocalObjectReference`, 'The Secret to select from') } }, 'List of sources to populate environment variables in the container.', { listType: 'atomic' }),
    image: str('Container image name.'),
    imagePullPolicy: str('Image pull policy. One of Always, Never, IfNotPresent.', { enum: ['Always', 'IfNotPresent', 'Never'] }),
    name: str('Name of the container specified as a DNS_LABEL.', { default: '' }),
    ports: list(item(`${CORE}.ContainerPort`), 'List of ports to expose from the container.', { listType: 'map', mapKeys: ['containerPort', 'protocol'], mergeKey: 'containerPort', strategy: 'merge' }),
    resources: ref(`${CORE}.ResourceRequirements`, 'Compute Resources required by this container.'),
    securityContext: { type: 'object', description: 'SecurityContext defines the security options the container should be run with.', 'x-kubernetes-preserve-unknown-fields': true },
    terminationMessagePath: str("Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem."),
    terminationMessagePolicy: str('Indicate how the termination message should be populated.'),
    volumeMounts: list(item(`${CORE}.VolumeMount`), "Pod volumes to mount into the container's filesystem.", { listType: 'map', mapKeys: ['mountPath'], mergeKey: 'mountPath', strategy: 'merge' }),
    workingDir: str("Container's working directory."),
  }, ['name']),
  [`${CORE}.Volume`]: obj('Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
    configMap: obj('configMap represents a configMap that should populate this volume', { defaultMode: int('defaultMode is optional: mode bits used to set permissions on created files by default.'), items: keyToPath, name: str('Name of the referent.'), optional: bool('optional specify whether the ConfigMap or its keys must be defined') }),
    emptyDir: obj("emptyDir represents a temporary directory that shares a pod's lifetime.", { medium: str('medium represents what type of storage medium should back this directory.'), sizeLimit: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity' } }),
    hostPath: obj('hostPath represents a pre-existing file or directory on the host machine.', { path: str('path of the directory on the host.', { default: '' }), type: str('type for HostPath Volume') }, ['path']),
    name: str("name of the volume. Must be a DNS_LABEL and unique within the pod.", { default: '' }),
    persistentVolumeClaim: obj('persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.', { claimName: str('claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.', { default: '' }), readOnly: bool('readOnly Will force the ReadOnly setting in VolumeMounts.') }, ['claimName']),
    secret: obj('secret represents a secret that should populate this volume.', { defaultMode: int('defaultMode is Optional: mode bits used to set permissions on created files by default.'), items: keyToPath, optional: bool('optional field specify whether the Secret or its keys must be defined'), secretName: str("secretName is the name of the secret in the pod's namespace to use.") }),
  }, ['name']),
  [`${CORE}.Toleration`]: obj('The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect>.', {
    effect: str('Effect indicates the taint effect to match.'), key: str('Key is the taint key that the toleration applies to.'),
    operator: str("Operator represents a key's relationship to the value."), tolerationSeconds: int('TolerationSeconds represents the period of time the toleration tolerates the taint.', 'int64'), value: str('Value is the taint value the toleration matches to.'),
  }),
  [`${CORE}.PodSpec`]: obj('PodSpec is a description of a pod.', {
    activeDeadlineSeconds: int('Optional duration in seconds the pod may be active on the node relative to StartTime.', 'int64'),
    containers: list(item(`${CORE}.Container`), 'List of containers belonging to the pod.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
    imagePullSecrets: list(item(`${CORE}.LocalObjectReference`), 'ImagePullSecrets is an optional list of references to secrets in the same namespace to use for pulling any of the images used by this PodSpec.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
    initContainers: list(item(`${CORE}.Container`), 'List of initialization containers belonging to the pod.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge' }),
    nodeName: str('NodeName indicates in which node this pod is scheduled.'),
    nodeSelector: { ...strMap("NodeSelector is a selector which must be true for the pod to fit on a node."), 'x-kubernetes-map-type': 'atomic' },
    restartPolicy: str('Restart policy for all containers within the pod. One of Always, OnFailure, Never.', { enum: ['Always', 'Never', 'OnFailure'] }),
    serviceAccountName: str('ServiceAccountName is the name of the ServiceAccount to use to run this pod.'),
    terminationGracePeriodSeconds: int('Optional duration in seconds the pod needs to terminate gracefully.', 'int64'),
    tolerations: list(item(`${CORE}.Toleration`), "If specified, the pod's tolerations.", { listType: 'atomic' }),
    volumes: list(item(`${CORE}.Volume`), 'List of volumes that can be mounted by containers belonging to the pod.', { listType: 'map', mapKeys: ['name'], mergeKey: 'name', strategy: 'merge,retainKeys' }),
  }, ['containers']),
  [`${CORE}.PodCondition`]: obj('PodCondition contains details for the current condition of this pod.', {
    lastTransitionTime: ref(`${META}.Time`, 'Last time the condition transitioned from one status to another.'),
    message: str('Human-readable message indicating details about last transition.'), reason: str("Unique, one-word, CamelCase reason for the condition's last transition."),
    status: str('Status is the status of the condition.', { default: '' }), type: str('Type is the type of the condition.', { default: '' }),
  }, ['type', 'status']),
  [`${CORE}.PodStatus`]: obj('PodStatus represents information about the status of a pod.', {
    conditions: list(item(`${CORE}.PodCondition`), 'Current service state of pod.', { listType: 'map', mapKeys: ['type'], mergeKey: 'type', strategy: 'merge' }),
    containerStatuses: list({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, 'Statuses of containers in this pod.', { listType: 'atomic' }),
    message: str('A human readable message indicating details about why the pod is in this condition.'),
    phase: str('The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle.', { enum: ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown'] }),
    podIP: str('podIP address allocated to the pod.'), reason: str('A brief CamelCase message indicating details about why the pod is in this state.'),
    startTime: ref(`${META}.Time`, 'RFC 3339 date and time at which the object was acknowledged by the Kubelet.'),
  }),
  [`${CORE}.PodTemplateSpec`]: obj('PodTemplateSpec describes the data a pod should have when created from a template', {
    metadata: ref(`${META}.ObjectMeta`, "Standard object's metadata."),
    spec: ref(`${CORE}.PodSpec`, 'Specification of the desired behavior of the pod.'),
  }),
};
