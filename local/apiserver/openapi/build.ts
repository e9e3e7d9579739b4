/**
 * The OpenAPI documents kube-apiserver publishes, built from the served resources:
 * `/openapi/v3` (the index), `/openapi/v3/api/v1` and `/openapi/v3/apis/<group>/<version>`
 * (what `kubectl explain` and kubectl's field-validation check read), and `/openapi/v2`.
 */
import { createHash } from 'node:crypto';
import type { JsonObject, JSONSchemaProps, ResourceDescriptor } from '../types.ts';
import { listMetaField, META, metaSchemas, objectMetaField, typeMetaFields } from './builtin-meta.ts';
import { podSchemas } from './builtin-pod.ts';
import { componentName, resourceSchemas } from './builtin-resources.ts';
import { buildResourcePaths } from './paths.ts';
import { refTo, type Schema } from './schema-dsl.ts';

const operationSchemas: Record<string, Schema> = {
  [`${META}.Patch`]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  [`${META}.Status`]: {
    type: 'object',
    description: 'Status is a return value for calls that do not return other objects.',
    properties: { ...typeMetaFields(), code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' }, message: { type: 'string', description: 'A human-readable description of the status of this operation.' }, metadata: listMetaField(), reason: { type: 'string', description: 'A machine-readable description of why this operation is in the "Failure" status.' }, status: { type: 'string', description: 'Status of the operation. One of: "Success" or "Failure".' } },
    'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
  },
};

const knownSchemas: Record<string, Schema> = { ...metaSchemas, ...podSchemas, ...resourceSchemas, ...operationSchemas };

function gvkExtension(group: string, version: string, kind: string): JsonObject[] {
  return [{ group, kind, version }];
}

/** crdComponent turns a CRD version schema into the component kube-apiserver publishes for it. */
function crdComponent(descriptor: ResourceDescriptor, schema: JSONSchemaProps | undefined): Schema {
  const copy: JsonObject = structuredClone(schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as JsonObject;
  const properties = (copy.properties ?? {}) as Record<string, JsonObject>;
  const type = typeMetaFields();
  copy.type = 'object';
  copy.properties = {
    apiVersion: { ...type.apiVersion, ...(properties.apiVersion ?? {}) },
    kind: { ...type.kind, ...(properties.kind ?? {}) },
    metadata: objectMetaField(),
    ...Object.fromEntries(Object.entries(properties).filter(([name]) => !['apiVersion', 'kind', 'metadata'].includes(name))),
  };
  return copy;
}

function kindComponent(descriptor: ResourceDescriptor): Schema {
  const name = componentName(descriptor.group, descriptor.version, descriptor.kind);
  const known = descriptor.builtin ? knownSchemas[name] : undefined;
  const base = known ?? crdComponent(descriptor, descriptor.schema);
  return { ...base, 'x-kubernetes-group-version-kind': gvkExtension(descriptor.group, descriptor.version, descriptor.kind) };
}

function listComponent(descriptor: ResourceDescriptor, kindName: string): Schema {
  return {
    type: 'object',
    description: `${descriptor.listKind} is a list of ${descriptor.kind}`,
    required: ['items'],
    properties: {
      ...typeMetaFields(),
      items: { type: 'array', description: `List of ${descriptor.plural}.`, items: { $ref: refTo(kindName) } },
      metadata: listMetaField(),
    },
    'x-kubernetes-group-version-kind': gvkExtension(descriptor.group, descriptor.version, descriptor.listKind),
  };
}

function collectRefs(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) collectRefs(item, into);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, member] of Object.entries(value)) {
    if (key === '$ref' && typeof member === 'string') into.add(member.replace('#/components/schemas/', ''));
    else collectRefs(member, into);
  }
}

/** addReferenced adds every known schema `schemas` references (transitively). */
function addReferenced(schemas: Record<string, Schema>, also: unknown): void {
  const pending = new Set<string>();
  collectRefs([schemas, also], pending);
  for (const name of pending) {
    if (schemas[name] !== undefined) continue;
    const schema = knownSchemas[name];
    if (schema === undefined) continue;
    schemas[name] = schema;
    collectRefs(schema, pending);
  }
}

function sameGroupVersion(group: string, version: string): (descriptor: ResourceDescriptor) => boolean {
  return (descriptor) => descriptor.group === group && descriptor.version === version;
}

/**
 * buildOpenApiV3GroupVersion returns the OpenAPI v3 document of one group/version
 * (`/openapi/v3/api/v1`, `/openapi/v3/apis/<group>/<version>`); pure. Component schemas
 * are named like kube-apiserver's (`io.k8s.api.core.v1.ConfigMap`,
 * `dev.featherman.v1alpha1.DuckLakeTable`) and carry `x-kubernetes-group-version-kind`.
 */
export function buildOpenApiV3GroupVersion(group: string, version: string, resources: ResourceDescriptor[]): JsonObject {
  const schemas: Record<string, Schema> = {};
  let paths: Record<string, JsonObject> = {};
  for (const descriptor of resources.filter(sameGroupVersion(group, version))) {
    const kindName = componentName(group, version, descriptor.kind);
    const listName = componentName(group, version, descriptor.listKind);
    schemas[kindName] = kindComponent(descriptor);
    schemas[listName] = listComponent(descriptor, kindName);
    paths = { ...paths, ...buildResourcePaths(descriptor, refTo(kindName), refTo(listName)) };
  }
  addReferenced(schemas, paths);
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0' },
    paths,
    components: { schemas: sorted, securitySchemes: { BearerToken: { type: 'apiKey', description: 'Bearer Token authentication', name: 'authorization', in: 'header' } } },
  };
}

/** groupVersionPath is the index key of a group/version: `api/v1` or `apis/<group>/<version>`. */
export function groupVersionPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

/** hashDocument is the `hash` query value clients cache a document by (SHA-512, upper-case hex). */
export function hashDocument(document: JsonObject): string {
  return createHash('sha512').update(JSON.stringify(document)).digest('hex').toUpperCase();
}

/**
 * buildOpenApiV3Root returns the `/openapi/v3` index: one `serverRelativeURL` (with the
 * document's hash) per served group/version; pure.
 */
export function buildOpenApiV3Root(resources: ResourceDescriptor[]): JsonObject {
  const groupVersions = new Map<string, { group: string; version: string }>();
  for (const { group, version } of resources) groupVersions.set(groupVersionPath(group, version), { group, version });
  const paths: Record<string, JsonObject> = {};
  for (const [path, { group, version }] of [...groupVersions.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const hash = hashDocument(buildOpenApiV3GroupVersion(group, version, resources));
    paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  }
  return { paths };
}

export { buildOpenApiV2 } from './build-v2.ts';
