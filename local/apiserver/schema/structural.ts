/**
 * Helpers shared by defaulting, pruning and validation of CRD structural schemas: paths in
 * kube-apiserver's spelling, JSON type names, child-schema lookup and cause builders.
 */
import type { JSONSchemaProps, StatusCause } from '../types.ts';

/** PathSegment is one step of a field path: a property name, a list index or a map key. */
export type PathSegment = { prop: string } | { index: number } | { key: string };

/**
 * formatPath renders a field path as kube-apiserver does: `spec.columns[0].type`. Map keys
 * (additionalProperties) read `spec.labels.app` in schema errors (kube-openapi's style) and
 * `spec.labels[app]` in CEL errors (field.Path's style), chosen by `keyStyle`.
 */
export function formatPath(path: readonly PathSegment[], keyStyle: 'dot' | 'bracket' = 'dot'): string {
  let out = '';
  for (const segment of path) {
    if ('index' in segment) out += `[${segment.index}]`;
    else if ('key' in segment && keyStyle === 'bracket') out += `[${segment.key}]`;
    else {
      const name = 'prop' in segment ? segment.prop : segment.key;
      out += out === '' ? name : `.${name}`;
    }
  }
  return out;
}

/** isObject tells whether a decoded JSON value is an object (not null, not an array). */
export function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** jsonTypeName names a decoded JSON value's type the way kube-openapi does in messages. */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  return typeof value;
}

/** formatBadValue renders a bad value as Go's field.Error does: %v for numbers and booleans, %q for strings, JSON otherwise. */
export function formatBadValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

/** propertySchema returns the schema of an object member: its property schema, else additionalProperties; pure. */
export function propertySchema(schema: JSONSchemaProps, name: string): { schema: JSONSchemaProps | undefined; viaKey: boolean } {
  const declared = schema.properties?.[name];
  if (declared !== undefined) return { schema: declared, viaKey: false };
  const extra = schema.additionalProperties;
  if (typeof extra === 'object') return { schema: extra, viaKey: true };
  if (extra === true) return { schema: { 'x-kubernetes-preserve-unknown-fields': true }, viaKey: true };
  return { schema: undefined, viaKey: false };
}

/** childSegment is the path segment for member `name` of an object under `schema`. */
export function childSegment(schema: JSONSchemaProps, name: string): PathSegment {
  return schema.properties?.[name] !== undefined ? { prop: name } : { key: name };
}

/** invalidCause builds a FieldValueInvalid cause: `Invalid value: <value>: <detail>`. */
export function invalidCause(path: readonly PathSegment[], value: unknown, detail: string, reason = 'FieldValueInvalid'): StatusCause {
  return { reason, field: formatPath(path), message: `Invalid value: ${formatBadValue(value)}: ${detail}` };
}

/** hasValidations tells whether a schema tree declares any CEL rule (x-kubernetes-validations). */
export function hasValidations(schema: JSONSchemaProps | undefined): boolean {
  if (schema === undefined) return false;
  if ((schema['x-kubernetes-validations'] ?? []).length > 0) return true;
  if (Object.values(schema.properties ?? {}).some(hasValidations)) return true;
  if (typeof schema.additionalProperties === 'object' && hasValidations(schema.additionalProperties)) return true;
  return hasValidations(schema.items);
}
