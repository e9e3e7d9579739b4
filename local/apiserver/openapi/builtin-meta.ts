/**
 * OpenAPI v3 component schemas of apimachinery's meta types (ObjectMeta, ListMeta and their
 * parts), referenced by every kind's document.
 */
import { bool, int, item, list, obj, ref, str, strList, strMap, time, type Schema } from './schema-dsl.ts';

/** META is the package prefix of apimachinery's meta/v1 types. */
export const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** metaSchemas are the meta/v1 component schemas, keyed by component name; pure data. */
export const metaSchemas: Record<string, Schema> = {
  [`${META}.ObjectMeta`]: obj('ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
    annotations: strMap('Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
    creationTimestamp: time('CreationTimestamp is a timestamp representing the server time when this object was created.'),
    deletionGracePeriodSeconds: int('Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.', 'int64'),
    deletionTimestamp: time('DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.'),
    finalizers: strList('Must be empty before the object is deleted from the registry.', { listType: 'set', strategy: 'merge' }),
    generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    generation: int('A sequence number representing a specific generation of the desired state.', 'int64'),
    labels: strMap('Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    managedFields: list(item(`${META}.ManagedFieldsEntry`), 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.', { listType: 'atomic' }),
    name: str('Name must be unique within a namespace.'),
    namespace: str('Namespace defines the space within which each name must be unique.'),
    ownerReferences: list(item(`${META}.OwnerReference`), 'List of objects depended by this object.', { listType: 'map', mapKeys: ['uid'], mergeKey: 'uid', strategy: 'merge' }),
    resourceVersion: str('An opaque value that represents the internal version of this object.'),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
    uid: str('UID is the unique in time and space value for this object.'),
  }),
  [`${META}.ListMeta`]: obj('ListMeta describes metadata that synthetic resources must have, including lists and various status objects.', {
    continue: str('continue may be set if the user set a limit on the number of items returned.'),
    remainingItemCount: int('remainingItemCount is the number of subsequent items in the list which are not included in this list response.', 'int64'),
    resourceVersion: str("String that identifies the server's internal version of this object."),
    selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
  }),
  [`${META}.OwnerReference`]: {
    ...obj('OwnerReference contains enough information to let you identify an owning object.', {
      apiVersion: str('API version of the referent.', { default: '' }),
      blockOwnerDeletion: bool('If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
      controller: bool('If true, this reference points to the managing controller.'),
      kind: str('Kind of the referent.', { default: '' }),
      name: str('Name of the referent.', { default: '' }),
      uid: str('UID of the referent.', { default: '' }),
    }, ['apiVersion', 'kind', 'name', 'uid']),
    'x-kubernetes-map-type': 'atomic',
  },
  [`${META}.ManagedFieldsEntry`]: obj('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.', {
    apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
    fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
    fieldsV1: ref(`${META}.FieldsV1`, 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.'),
    manager: str('Manager is an identifier of the workflow managing these fields.'),
    operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
    subresource: str('Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
    time: time('Time is the timestamp of when the ManagedFields entry was added.'),
  }),
  [`${META}.FieldsV1`]: { type: 'object', description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.' },
  [`${META}.Time`]: { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.' },
  [`${META}.LabelSelector`]: {
    ...obj('A label selector is a label query over a set of resources.', {
      matchExpressions: list({ type: 'object', properties: { key: str('key is the label key that the selector applies to.'), operator: str("operator represents a key's relationship to a set of values."), values: strList('values is an array of string values.') }, required: ['key', 'operator'] }, 'matchExpressions is a list of label selector requirements.', { listType: 'atomic' }),
      matchLabels: strMap('matchLabels is a map of {key,value} pairs.'),
    }),
    'x-kubernetes-map-type': 'atomic',
  },
};

/** objectMetaField is the `metadata` member every kind has. */
export function objectMetaField(): Schema {
  return ref(`${META}.ObjectMeta`, "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
}

/** listMetaField is the `metadata` member every list kind has. */
export function listMetaField(): Schema {
  return ref(`${META}.ListMeta`, "Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds");
}

/** typeMetaFields are the apiVersion and kind members every kind has. */
export function typeMetaFields(): Record<string, Schema> {
  return {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values.'),
    kind: str('Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. In CamelCase.'),
  };
}
