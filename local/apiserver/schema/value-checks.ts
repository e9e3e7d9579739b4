/**
 * Value validation of a custom resource against its structural schema, with the causes
 * kube-apiserver returns (kube-openapi messages wrapped in field errors).
 */
import type { JSONSchemaProps, StatusCause } from '../types.ts';
import { jsonEqual } from '../patch/json-patch.ts';
import { checkIntegerFormat, checkStringFormat } from './formats.ts';
import { childSegment, formatBadValue, formatPath, invalidCause, isObject, jsonTypeName, type PathSegment } from './structural.ts';

function typeMatches(schema: JSONSchemaProps, value: unknown): boolean {
  if (value === null) return schema.nullable === true;
  if (schema['x-kubernetes-int-or-string'] === true) {
    return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
  }
  switch (schema.type) {
    case undefined: case '': return true;
    case 'object': return isObject(value);
    case 'array': return Array.isArray(value);
    case 'string': return typeof value === 'string';
    case 'boolean': return typeof value === 'boolean';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    default: return true;
  }
}

function inBody(path: readonly PathSegment[]): string {
  const rendered = formatPath(path);
  return rendered === '' ? 'body' : `${rendered} in body`;
}

/** OldValue is the correlated value of the old object on update (undefined when there is none). */
export type OldValue = { value: unknown } | undefined;

/**
 * validateValue checks `value` at `path` against `schema` and returns every cause found;
 * pure. With `old` (updates), a value equal to its correlated old value is not checked:
 * kube-apiserver ratchets CRD validation (CRDValidationRatcheting, on since 1.30), so an
 * object stored under an older schema can still be updated elsewhere.
 */
export function validateValue(value: unknown, schema: JSONSchemaProps, path: PathSegment[], old?: OldValue): StatusCause[] {
  const causes: StatusCause[] = [];
  if (old !== undefined && jsonEqual(old.value, value)) return causes;
  const field = formatPath(path);
  if (value === null && schema.nullable === true) return causes;
  if (!typeMatches(schema, value)) {
    const expected = schema['x-kubernetes-int-or-string'] === true ? 'integer,string' : schema.type ?? '';
    const actual = jsonTypeName(value);
    causes.push({ reason: 'FieldValueTypeInvalid', field, message: `Invalid value: ${formatBadValue(actual)}: ${inBody(path)} must be of type ${expected}: ${formatBadValue(actual)}` });
    return causes;
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => jsonEqual(allowed, value))) {
    const supported = schema.enum.map((allowed) => JSON.stringify(typeof allowed === 'string' ? allowed : JSON.stringify(allowed))).join(', ');
    causes.push({ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${formatBadValue(value)}: supported values: ${supported}` });
  }
  if (typeof value === 'string') causes.push(...checkString(value, schema, path));
  if (typeof value === 'number') causes.push(...checkNumber(value, schema, path));
  if (Array.isArray(value)) causes.push(...checkArray(value, schema, path, old));
  if (isObject(value)) causes.push(...checkObject(value, schema, path, old));
  causes.push(...checkCombinators(value, schema, path));
  return causes;
}

const patterns = new Map<string, RegExp>();

/** patternOf compiles a schema pattern once (CRD patterns are ECMA-262 regular expressions). */
function patternOf(pattern: string): RegExp {
  let compiled = patterns.get(pattern);
  if (compiled === undefined) {
    compiled = new RegExp(pattern, 'u');
    patterns.set(pattern, compiled);
  }
  return compiled;
}

function checkString(value: string, schema: JSONSchemaProps, path: PathSegment[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const length = [...value].length;
  if (schema.maxLength !== undefined && length > schema.maxLength) {
    const unit = schema.maxLength === 1 ? 'byte' : 'bytes';
    causes.push({ reason: 'FieldValueTooLong', field: formatPath(path), message: `Too long: may not be more than ${schema.maxLength} ${unit}` });
  }
  if (schema.minLength !== undefined && length < schema.minLength) {
    causes.push(invalidCause(path, value, `${inBody(path)} should be at least ${schema.minLength} chars long`));
  }
  if (schema.pattern !== undefined && !patternOf(schema.pattern).test(value)) {
    causes.push(invalidCause(path, value, `${inBody(path)} should match '${schema.pattern}'`));
  }
  if (schema.format !== undefined && !checkStringFormat(schema.format, value)) {
    causes.push(invalidCause(path, value, `${inBody(path)} must be of type ${schema.format}: ${formatBadValue(value)}`));
  }
  return causes;
}

function checkNumber(value: number, schema: JSONSchemaProps, path: PathSegment[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const { minimum, maximum, multipleOf } = schema;
  if (minimum !== undefined && (schema.exclusiveMinimum === true ? value <= minimum : value < minimum)) {
    const rule = schema.exclusiveMinimum === true ? 'greater than' : 'greater than or equal to';
    causes.push(invalidCause(path, value, `${inBody(path)} should be ${rule} ${minimum}`));
  }
  if (maximum !== undefined && (schema.exclusiveMaximum === true ? value >= maximum : value > maximum)) {
    const rule = schema.exclusiveMaximum === true ? 'less than' : 'less than or equal to';
    causes.push(invalidCause(path, value, `${inBody(path)} should be ${rule} ${maximum}`));
  }
  if (multipleOf !== undefined && multipleOf > 0 && Math.abs(value / multipleOf - Math.round(value / multipleOf)) > 1e-9) {
    causes.push(invalidCause(path, value, `${inBody(path)} should be a multiple of ${multipleOf}`));
  }
  if (schema.format !== undefined && Number.isInteger(value) && !checkIntegerFormat(schema.format, value)) {
    causes.push(invalidCause(path, value, `${inBody(path)} must be of type ${schema.format}: ${formatBadValue(value)}`));
  }
  return causes;
}

/** oldItem correlates a list item with the old list: by key in a map list, by value in a set, not at all in an atomic list. */
function oldItem(item: unknown, schema: JSONSchemaProps, old: OldValue): OldValue {
  if (old === undefined || !Array.isArray(old.value)) return undefined;
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') return old.value.some((entry) => jsonEqual(entry, item)) ? { value: item } : undefined;
  if (listType !== 'map' || !isObject(item)) return undefined;
  const keys = schema['x-kubernetes-list-map-keys'] ?? [];
  const match = old.value.find((entry) => isObject(entry) && keys.every((key) => jsonEqual(entry[key], item[key])));
  return match === undefined ? undefined : { value: match };
}

function checkArray(value: unknown[], schema: JSONSchemaProps, path: PathSegment[], old: OldValue): StatusCause[] {
  const causes: StatusCause[] = [];
  if (schema.maxItems !== undefined && value.length > schema.maxItems) {
    const unit = schema.maxItems === 1 ? 'item' : 'items';
    causes.push({ reason: 'FieldValueTooMany', field: formatPath(path), message: `Too many: ${value.length}: must have at most ${schema.maxItems} ${unit}` });
  }
  if (schema.minItems !== undefined && value.length < schema.minItems) {
    causes.push(invalidCause(path, value, `${inBody(path)} should have at least ${schema.minItems} items`));
  }
  if (schema.uniqueItems === true && value.some((item, i) => value.findIndex((other) => jsonEqual(other, item)) !== i)) {
    causes.push(invalidCause(path, value, `${inBody(path)} shouldn't contain duplicates`, 'FieldValueDuplicate'));
  }
  causes.push(...checkListType(value, schema, path));
  const items = schema.items;
  if (items !== undefined) value.forEach((item, index) => causes.push(...validateValue(item, items, [...path, { index }], oldItem(item, schema, old))));
  return causes;
}

function checkListType(value: unknown[], schema: JSONSchemaProps, path: PathSegment[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const listType = schema['x-kubernetes-list-type'];
  if (listType === 'set') {
    value.forEach((item, index) => {
      if (value.findIndex((other) => jsonEqual(other, item)) !== index) {
        causes.push({ reason: 'FieldValueDuplicate', field: formatPath([...path, { index }]), message: `Duplicate value: ${formatBadValue(item)}` });
      }
    });
  }
  if (listType === 'map') {
    const keys = schema['x-kubernetes-list-map-keys'] ?? [];
    const seen = new Set<string>();
    value.forEach((item, index) => {
      if (!isObject(item)) return;
      const key: { [k: string]: unknown } = {};
      for (const name of keys) if (item[name] !== undefined) key[name] = item[name];
      const id = JSON.stringify(key);
      if (seen.has(id)) causes.push({ reason: 'FieldValueDuplicate', field: formatPath([...path, { index }]), message: `Duplicate value: ${id}` });
      seen.add(id);
    });
  }
  return causes;
}

function checkObject(value: { [key: string]: unknown }, schema: JSONSchemaProps, path: PathSegment[], old: OldValue): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const name of schema.required ?? []) {
    if (value[name] === undefined) {
      causes.push({ reason: 'FieldValueRequired', field: formatPath([...path, { prop: name }]), message: 'Required value' });
    }
  }
  const count = Object.keys(value).length;
  if (schema.maxProperties !== undefined && count > schema.maxProperties) {
    const unit = schema.maxProperties === 1 ? 'item' : 'items';
    causes.push({ reason: 'FieldValueTooMany', field: formatPath(path), message: `Too many: ${count}: must have at most ${schema.maxProperties} ${unit}` });
  }
  if (schema.minProperties !== undefined && count < schema.minProperties) {
    causes.push(invalidCause(path, value, `${inBody(path)} should have at least ${schema.minProperties} properties`));
  }
  const extra = schema.additionalProperties;
  for (const [name, member] of Object.entries(value)) {
    const child = schema.properties?.[name] ?? (typeof extra === 'object' ? extra : undefined);
    if (child === undefined) continue;
    const before: OldValue = old !== undefined && isObject(old.value) && Object.hasOwn(old.value, name) ? { value: old.value[name] } : undefined;
    causes.push(...validateValue(member, child, [...path, childSegment(schema, name)], before));
  }
  return causes;
}

/** checkCombinators applies anyOf/allOf/oneOf/not as value validations (they never prune or default). */
function checkCombinators(value: unknown, schema: JSONSchemaProps, path: PathSegment[]): StatusCause[] {
  const causes: StatusCause[] = [];
  const passes = (branch: JSONSchemaProps): boolean => validateValue(value, { type: schema.type, ...branch }, path).length === 0;
  for (const branch of schema.allOf ?? []) causes.push(...validateValue(value, { type: schema.type, ...branch }, path));
  if (schema.anyOf !== undefined && !schema.anyOf.some(passes)) {
    causes.push(invalidCause(path, value, `${inBody(path)} must validate at least one schema (anyOf)`));
  }
  if (schema.oneOf !== undefined && schema.oneOf.filter(passes).length !== 1) {
    causes.push(invalidCause(path, value, `${inBody(path)} must validate one and only one schema (oneOf)`));
  }
  if (schema.not !== undefined && passes(schema.not)) {
    causes.push(invalidCause(path, value, `${inBody(path)} must not validate the schema (not)`));
  }
  return causes;
}
