/**
 * Admission of a write, before it is stored: type meta, object meta rules, the status
 * subresource split, metadata.generation, fieldValidation and schema + CEL validation
 * (pure; the caller stores the result).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { applyBuiltinDefaults } from './builtin-defaults.ts';
import { timestamp } from './context.ts';
import { validateCrd } from './crd.ts';
import { validateMetaRules } from './meta-rules.ts';
import type { ServedResource } from './registry.ts';
import { validateObject } from './schema/validate.ts';
import { ApiError, badRequest, invalid } from './status.ts';
import type { JsonObject, StatusCause } from './types.ts';

/** FieldValidation is the `fieldValidation` query parameter. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** Admitted is an object ready to store plus the Warning headers to send. */
export interface Admitted {
  object: JsonObject;
  warnings: string[];
}

/** isObject tells whether a decoded value is a JSON object. */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** metaOf returns an object's metadata (an empty object when missing). */
export function metaOf(object: JsonObject): JsonObject {
  if (!isObject(object.metadata)) object.metadata = {};
  return object.metadata as JsonObject;
}

/** parseFieldValidation reads `fieldValidation` (default Warn, like the real server). */
export function parseFieldValidation(value: string | null): FieldValidation {
  if (value === null || value === '' || value === 'Warn') return 'Warn';
  if (value === 'Strict' || value === 'Ignore') return value;
  throw badRequest(`fieldValidation must be one of "Ignore", "Warn", or "Strict"; got "${value}"`);
}

/** checkTypeMeta checks that a body is an object of the resource's apiVersion and kind; 400 otherwise. */
export function checkTypeMeta(served: ServedResource, body: unknown): JsonObject {
  if (!isObject(body)) throw badRequest(`the body of the request must be a JSON object of kind ${served.descriptor.kind}`);
  const { kind } = served.descriptor;
  // Built-in endpoints default a missing apiVersion/kind from the URL, as typed decoding does.
  if (served.descriptor.builtin && (body.kind === undefined || body.kind === '')) body.kind = kind;
  if (served.descriptor.builtin && (body.apiVersion === undefined || body.apiVersion === '')) body.apiVersion = served.apiVersion;
  if (typeof body.kind !== 'string' || body.kind === '') throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(body).slice(0, 200)}'`);
  if (body.kind !== kind) throw badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${kind})`);
  if (body.apiVersion !== served.apiVersion) {
    throw badRequest(`the API version in the data (${String(body.apiVersion ?? '')}) does not match the expected API version (${served.apiVersion})`);
  }
  if (body.metadata !== undefined && !isObject(body.metadata)) throw badRequest('metadata: must be an object');
  return body;
}

const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** generateName appends five random characters to a generateName prefix, as the server does. */
export function generateName(prefix: string): string {
  const bytes = randomBytes(5);
  let suffix = '';
  for (const byte of bytes) suffix += NAME_ALPHABET[byte % NAME_ALPHABET.length];
  return `${prefix.slice(0, 58)}${suffix}`;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function builtinNameCauses(served: ServedResource, name: string): StatusCause[] {
  if (served.storageKey === '/namespaces') {
    if (name.length <= 63 && DNS_LABEL.test(name)) return [];
    return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')` }];
  }
  if (name.length <= 253 && DNS_SUBDOMAIN.test(name)) return [];
  return [{ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(name)}: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')` }];
}

function strictError(served: ServedResource, unknown: string[]): ApiError {
  const { kind, version } = served.descriptor;
  const list = unknown.map((path) => `unknown field "${path}"`).join(', ');
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${list}`);
}

/** encodeSecretStringData folds a Secret's write-only stringData into data (base64), as the server does. */
function encodeSecretStringData(object: JsonObject): void {
  if (!isObject(object.stringData)) return;
  const data: JsonObject = isObject(object.data) ? { ...object.data } : {};
  for (const [key, value] of Object.entries(object.stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
  object.data = data;
  delete object.stringData;
}

/** canonicalJson renders a value with sorted keys, so that key order never counts as a change. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().filter((key) => value[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** spec-like content: everything but metadata (and status when status is a subresource). */
function specContent(served: ServedResource, object: JsonObject): string {
  const { metadata: _metadata, status, ...rest } = object;
  return canonicalJson(served.descriptor.subresources.status ? rest : { ...rest, status });
}

/** prepareCreate fills server-set metadata and the initial status of a new object (mutates `object`). */
export function prepareCreate(served: ServedResource, object: JsonObject, namespace: string | undefined, now: Date): void {
  const meta = metaOf(object);
  if (served.descriptor.namespaced) meta.namespace = namespace;
  else delete meta.namespace;
  if ((meta.name === undefined || meta.name === '') && typeof meta.generateName === 'string' && meta.generateName !== '') {
    meta.name = generateName(meta.generateName);
  }
  if (meta.resourceVersion !== undefined && meta.resourceVersion !== '') throw badRequest('resourceVersion should not be set on objects to be created');
  meta.uid = randomUUID();
  meta.creationTimestamp = timestamp(now);
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  if (served.tracksGeneration) meta.generation = 1;
  else delete meta.generation;
  if (served.descriptor.builtin) applyBuiltinDefaults(served.storageKey, object);
  if (served.initialStatus) object.status = structuredClone(served.initialStatus);
  else if (served.descriptor.subresources.status) delete object.status;
}

/** checkImmutableData refuses data changes of a ConfigMap or Secret marked `immutable: true`, as the server does. */
function checkImmutableData(served: ServedResource, object: JsonObject, old: JsonObject): void {
  if ((served.storageKey !== '/configmaps' && served.storageKey !== '/secrets') || old.immutable !== true) return;
  const causes: StatusCause[] = [];
  for (const field of ['data', 'binaryData', 'stringData']) {
    if (field === 'stringData' ? object.stringData !== undefined : canonicalJson(object[field]) !== canonicalJson(old[field])) {
      causes.push({ reason: 'FieldValueForbidden', field, message: 'Forbidden: field is immutable when `immutable` is set' });
    }
  }
  if (object.immutable !== true) causes.push({ reason: 'FieldValueForbidden', field: 'immutable', message: 'Forbidden: field is immutable when `immutable` is set' });
  if (causes.length > 0) throw invalid(served.descriptor.group, served.descriptor.kind, String(metaOf(old).name), causes);
}

/**
 * prepareUpdate carries server-owned metadata and, for the main resource, the stored
 * status over from the old object; for the status subresource, everything but status
 * (mutates and returns the object to store).
 */
export function prepareUpdate(served: ServedResource, incoming: JsonObject, old: JsonObject, subresource: string | undefined): JsonObject {
  const oldMeta = metaOf(old);
  let object: JsonObject;
  if (subresource === 'status') {
    object = { ...structuredClone(old), status: incoming.status };
    if (incoming.status === undefined) delete object.status;
  } else {
    object = incoming;
    if (served.descriptor.subresources.status) {
      if (old.status === undefined) delete object.status;
      else object.status = structuredClone(old.status);
    }
  }
  const meta = metaOf(object);
  for (const key of ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'namespace', 'name']) {
    if (oldMeta[key] === undefined) delete meta[key];
    else meta[key] = oldMeta[key];
  }
  if (subresource !== 'status' && oldMeta.deletionTimestamp) {
    const before = new Set(Array.isArray(oldMeta.finalizers) ? oldMeta.finalizers as string[] : []);
    const added = (Array.isArray(meta.finalizers) ? meta.finalizers as string[] : []).filter((finalizer) => !before.has(finalizer));
    if (added.length > 0) {
      throw invalid(served.descriptor.group, served.descriptor.kind, String(oldMeta.name), [{
        reason: 'FieldValueForbidden', field: 'metadata.finalizers',
        message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
      }]);
    }
  }
  checkImmutableData(served, object, old);
  if (served.tracksGeneration && specContent(served, object) !== specContent(served, old)) {
    meta.generation = Number(oldMeta.generation ?? 0) + 1;
  }
  return object;
}

/**
 * validateForStore applies fieldValidation and the kind's validation (CRD schema and CEL,
 * CRD rules, built-in name and field rules); throws 400/422 ApiErrors, returns the
 * defaulted and pruned object with warnings (pure).
 */
export function validateForStore(served: ServedResource, object: JsonObject, old: JsonObject | undefined, fieldValidation: FieldValidation): Admitted {
  const name = String(metaOf(object).name ?? '');
  const { group, kind } = served.descriptor;
  if (name === '') {
    throw invalid(group, kind, '', [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  }
  let unknownFields: string[];
  let result: JsonObject;
  const causes: StatusCause[] = [];
  if (served.fields) {
    const allowed = new Set(['apiVersion', 'kind', 'metadata', ...served.fields]);
    unknownFields = Object.keys(object).filter((key) => !allowed.has(key));
    result = object;
    for (const key of unknownFields) delete result[key];
    causes.push(...builtinNameCauses(served, name));
    if (served.storageKey === '/secrets') {
      encodeSecretStringData(result);
      if (result.type === undefined || result.type === '') result.type = 'Opaque';
    }
    if (served.storageKey === 'apiextensions.k8s.io/customresourcedefinitions') causes.push(...validateCrd(result));
  } else {
    const validated = validateObject(object, served.descriptor.schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }, { oldObject: old, fieldValidation });
    unknownFields = validated.unknownFields;
    result = validated.value;
    causes.push(...validated.causes);
  }
  causes.push(...validateMetaRules(served.storageKey, metaOf(result)));
  if (fieldValidation === 'Strict' && unknownFields.length > 0) throw strictError(served, unknownFields);
  if (causes.length > 0) throw invalid(group, kind, name, causes);
  const warnings = fieldValidation === 'Warn' ? unknownFields.map((path) => `unknown field "${path}"`) : [];
  return { object: result, warnings };
}

/** sameStoredContent tells whether an update changes nothing (resourceVersion and managedFields times aside), so no write is needed. */
export function sameStoredContent(a: JsonObject, b: JsonObject): boolean {
  const strip = (object: JsonObject): string => {
    const { metadata, ...rest } = object;
    const { resourceVersion: _rv, managedFields, ...meta } = isObject(metadata) ? metadata : {};
    // Ownership counts as a change (server-side apply), the time of an entry does not.
    const owners = Array.isArray(managedFields) ? managedFields.map((entry: JsonObject) => ({ ...entry, time: undefined })) : undefined;
    return canonicalJson({ ...rest, metadata: { ...meta, managedFields: owners } });
  };
  return strip(a) === strip(b);
}
