/**
 * The OpenAPI v3 `paths` of one served resource, shaped like kube-apiserver's: every
 * operation carries `x-kubernetes-group-version-kind` (kubectl explain finds the kind
 * through it) and PATCH declares the `fieldValidation` query parameter (kubectl's
 * field-validation verifier then leaves validation to the server).
 */
import type { JsonObject, ResourceDescriptor } from '../types.ts';
import { META } from './builtin-meta.ts';
import { refTo } from './schema-dsl.ts';

function query(name: string, description: string, type = 'string'): JsonObject {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

function pathParam(name: string, description: string): JsonObject {
  return { name, in: 'path', required: true, description, schema: { type: 'string', uniqueItems: true } };
}

const dryRun = query('dryRun', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed');
const fieldManager = query('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.');
const fieldValidation = query('fieldValidation', 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict');
const force = query('force', 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people.', 'boolean');
const pretty = query('pretty', "If 'true', then the output is pretty printed.");
const listParams = ['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit', 'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch']
  .map((name) => query(name, `${name} of the list or watch request.`, ['limit', 'timeoutSeconds'].includes(name) ? 'integer' : ['watch', 'allowWatchBookmarks', 'sendInitialEvents'].includes(name) ? 'boolean' : 'string'));

function camel(text: string): string {
  return text.split(/[.-]/).filter((part) => part !== '').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

function groupTag(descriptor: ResourceDescriptor): string {
  const group = descriptor.group === '' ? 'core' : descriptor.group.replace(/\.k8s\.io$/, '');
  return `${group.replace(/\./g, '')}_${descriptor.version}`;
}

function content(schemaRef: string, types: string[]): JsonObject {
  return Object.fromEntries(types.map((type) => [type, { schema: { $ref: schemaRef } }]));
}

const responseTypes = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** buildResourcePaths returns the `paths` entries of one resource; pure. */
export function buildResourcePaths(descriptor: ResourceDescriptor, kindRef: string, listRef: string): Record<string, JsonObject> {
  const { group, version, kind, plural, namespaced } = descriptor;
  const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const gvk = { group, version, kind };
  const opName = (verb: string, scope: string, suffix = ''): string =>
    `${verb}${camel(group === '' ? 'core' : group.replace(/\.k8s\.io$/, ''))}${camel(version)}${scope}${kind}${suffix}`;
  const nsScope = namespaced ? 'Namespaced' : '';
  const op = (action: string, operationId: string, description: string, responseRef: string, extra: JsonObject = {}): JsonObject => ({
    tags: [groupTag(descriptor)],
    description,
    operationId,
    responses: {
      '200': { description: 'OK', content: content(responseRef, responseTypes) },
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  const body = (types: string[], ref: string): JsonObject => ({ requestBody: { required: true, content: content(ref, types) } });
  const patchTypes = ['application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json'];
  if (descriptor.builtin) patchTypes.push('application/strategic-merge-patch+json');
  const patchRef = refTo(`${META}.Patch`);
  const writeParams = { parameters: [dryRun, fieldManager, fieldValidation] };
  const patchOp = (suffix: string): JsonObject => op('patch', opName('patch', nsScope, suffix), `partially update the specified ${kind}`, kindRef, {
    ...body(patchTypes, patchRef), parameters: [dryRun, fieldManager, fieldValidation, force],
  });

  const base = namespaced ? `${prefix}/namespaces/{namespace}/${plural}` : `${prefix}/${plural}`;
  const scopeParams = namespaced ? [pathParam('namespace', 'object name and auth scope, such as for teams and projects'), pretty] : [pretty];
  const nameParam = pathParam('name', `name of the ${kind}`);
  const paths: Record<string, JsonObject> = {
    [base]: {
      get: op('list', opName('list', nsScope), `list or watch objects of kind ${kind}`, listRef, { parameters: listParams }),
      post: op('post', opName('create', nsScope), `create a ${kind}`, kindRef, { ...body(['*/*'], kindRef), ...writeParams }),
      delete: op('deletecollection', opName('deleteCollection', nsScope), `delete collection of ${kind}`, refTo(`${META}.Status`), { parameters: listParams }),
      parameters: scopeParams,
    },
    [`${base}/{name}`]: {
      get: op('get', opName('read', nsScope), `read the specified ${kind}`, kindRef),
      put: op('put', opName('replace', nsScope), `replace the specified ${kind}`, kindRef, { ...body(['*/*'], kindRef), ...writeParams }),
      patch: patchOp(''),
      delete: op('delete', opName('delete', nsScope), `delete a ${kind}`, refTo(`${META}.Status`), { parameters: [dryRun, query('gracePeriodSeconds', 'The duration in seconds before the object should be deleted.', 'integer'), query('propagationPolicy', 'Whether and how garbage collection will be performed.')] }),
      parameters: [nameParam, ...scopeParams],
    },
  };
  if (namespaced) {
    paths[`${prefix}/${plural}`] = {
      get: op('list', opName('list', '', 'ForAllNamespaces'), `list or watch objects of kind ${kind}`, listRef, { parameters: listParams }),
      parameters: [pretty],
    };
  }
  if (descriptor.subresources.status) {
    paths[`${base}/{name}/status`] = {
      get: op('get', opName('read', nsScope, 'Status'), `read status of the specified ${kind}`, kindRef),
      put: op('put', opName('replace', nsScope, 'Status'), `replace status of the specified ${kind}`, kindRef, { ...body(['*/*'], kindRef), ...writeParams }),
      patch: patchOp('Status'),
      parameters: [nameParam, ...scopeParams],
    };
  }
  return paths;
}
