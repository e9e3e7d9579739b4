/**
 * Admission-time processing of a custom resource against its CRD version schema, in
 * kube-apiserver's order: prune unknown fields, apply defaults, validate values, then
 * evaluate the CEL rules (x-kubernetes-validations).
 */
import type { JsonObject, JSONSchemaProps, StatusCause } from '../types.ts';
import { evaluateValidationRules } from './cel.ts';
import { applyDefaults } from './defaults.ts';
import { checkObjectMeta } from './object-meta.ts';
import { pruneUnknownFields } from './prune.ts';
import { hasValidations, isObject } from './structural.ts';
import { validateValue } from './value-checks.ts';

/** ValidateOptions are the request's old object (for updates) and fieldValidation directive. */
export interface ValidateOptions {
  oldObject?: JsonObject;
  fieldValidation: 'Strict' | 'Warn' | 'Ignore';
}

/** ValidateResult is the pruned and defaulted object, the 422 causes and the pruned field paths. */
export interface ValidateResult {
  value: JsonObject;
  causes: StatusCause[];
  /** unknownFields are paths of pruned members without a leading dot: `spec.foo`, `spec.columns[0].bar`, `metadata.x`. */
  unknownFields: string[];
}

const envelope = new Set(['apiVersion', 'kind', 'metadata']);

function bodySchema(schema: JSONSchemaProps): JSONSchemaProps {
  const properties = { ...(schema.properties ?? {}) };
  delete properties.metadata;
  return { ...schema, type: 'object', properties, required: (schema.required ?? []).filter((name) => !envelope.has(name)) };
}

function withoutMetadata(object: JsonObject): JsonObject {
  const copy = { ...object };
  delete copy.metadata;
  return copy;
}

/**
 * validateObject prunes, defaults and validates a custom resource like kube-apiserver;
 * pure. The caller answers 422 with `causes` when there are any, and with Strict field
 * validation 400 `strict decoding error: unknown field "<path>"` for `unknownFields`
 * (Warn: one warning per path). `fieldValidation` does not change what is pruned.
 */
export function validateObject(obj: JsonObject, schema: JSONSchemaProps, options: ValidateOptions): ValidateResult {
  const { metadata, ...rest } = obj;
  const root = bodySchema(schema);
  const meta = checkObjectMeta(metadata, schema.properties?.metadata);
  const pruned = pruneUnknownFields(rest, root, true);
  const defaulted = applyDefaults(pruned.value, root);
  const body = isObject(defaulted) ? defaulted : {};
  const oldBody = options.oldObject === undefined ? undefined : { value: withoutMetadata(options.oldObject) };
  const causes: StatusCause[] = [...meta.causes, ...validateValue(body, root, [], oldBody)];
  const value: JsonObject = {};
  if (body.apiVersion !== undefined) value.apiVersion = body.apiVersion;
  if (body.kind !== undefined) value.kind = body.kind;
  if (meta.value !== undefined) value.metadata = meta.value;
  Object.assign(value, body);
  if (hasValidations(schema)) {
    if (causes.some((cause) => cause.reason === 'FieldValueTypeInvalid')) {
      causes.push({ reason: 'FieldValueInvalid', field: '', message: 'Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation' });
    } else {
      causes.push(...evaluateValidationRules(value, schema, options.oldObject));
    }
  }
  return { value, causes, unknownFields: [...meta.pruned, ...pruned.pruned] };
}
