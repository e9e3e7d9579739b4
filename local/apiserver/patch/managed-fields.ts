/**
 * metadata.managedFields read and written in the real format (manager, operation,
 * apiVersion, time, fieldsType FieldsV1, fieldsV1), and the ownership kube-apiserver
 * records for ordinary writes (operation Update).
 */
import type { JsonObject, JSONSchemaProps } from '../types.ts';
import { addPath, collectFields, fromFieldsV1, readPath, toFieldsV1, type FieldSet } from './field-set.ts';
import { shapeFor } from './field-shape.ts';
import { jsonEqual } from './json-patch.ts';
import { isPlainObject } from './merge-patch.ts';

/** ManagerEntry is one decoded managedFields entry. */
export interface ManagerEntry {
  manager: string;
  operation: string;
  apiVersion: string;
  time?: string;
  subresource?: string;
  fields: FieldSet;
}

/** formatTime renders a metav1.Time (RFC 3339, whole seconds). */
export function formatTime(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** readManagedFields decodes an object's metadata.managedFields; pure. */
export function readManagedFields(object: JsonObject | undefined): ManagerEntry[] {
  const metadata = object?.metadata;
  const entries = isPlainObject(metadata) && Array.isArray(metadata.managedFields) ? metadata.managedFields : [];
  return entries.filter(isPlainObject).map((entry) => ({
    manager: String(entry.manager ?? ''),
    operation: String(entry.operation ?? 'Update'),
    apiVersion: String(entry.apiVersion ?? ''),
    time: typeof entry.time === 'string' ? entry.time : undefined,
    subresource: typeof entry.subresource === 'string' ? entry.subresource : undefined,
    fields: fromFieldsV1(entry.fieldsV1),
  }));
}

/** encodeManagedFields encodes entries (dropping empty ones) as metadata.managedFields; pure. */
export function encodeManagedFields(entries: ManagerEntry[]): JsonObject[] {
  return entries.filter((entry) => entry.fields.size > 0).map((entry) => ({
    manager: entry.manager,
    operation: entry.operation,
    apiVersion: entry.apiVersion,
    ...(entry.time !== undefined ? { time: entry.time } : {}),
    fieldsType: 'FieldsV1',
    fieldsV1: toFieldsV1(entry.fields),
    ...(entry.subresource !== undefined ? { subresource: entry.subresource } : {}),
  }));
}

/** withManagedFields returns `object` with metadata.managedFields replaced by `entries`; pure. */
export function withManagedFields(object: JsonObject, entries: ManagerEntry[]): JsonObject {
  const metadata = isPlainObject(object.metadata) ? { ...object.metadata } : {};
  const encoded = encodeManagedFields(entries);
  if (encoded.length > 0) metadata.managedFields = encoded;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/** UpdateOptions name the writer of an ordinary create, update or patch. */
export interface UpdateOptions {
  fieldManager: string;
  apiVersion: string;
  kind: string;
  now: Date;
  subresource?: string;
  schema?: JSONSchemaProps;
}

/**
 * recordUpdate returns `updated` with managedFields recording an ordinary write (operation
 * Update) by `fieldManager`: the fields it set or changed become its own and leave other
 * managers; fields that no longer exist leave every manager; pure. Call it for every
 * create, update and non-apply patch (status too, with `subresource: 'status'`); when
 * the request names no fieldManager, kube-apiserver uses the user agent's first word.
 */
export function recordUpdate(old: JsonObject | undefined, updated: JsonObject, options: UpdateOptions): JsonObject {
  const shape = shapeFor(options.apiVersion, options.kind, options.schema);
  const after = collectFields(updated, shape);
  const before = old === undefined ? new Map() : collectFields(old, shape);
  const changed: FieldSet = new Map();
  for (const [key, path] of after) {
    if (!before.has(key) || !jsonEqual(readPath(old, path).value, readPath(updated, path).value)) changed.set(key, path);
  }
  // A writer that changes managedFields itself (kubectl's client-side to server-side apply
  // upgrade does, with a JSON patch) sets the new ownership; otherwise the old one carries on.
  const given = isPlainObject(updated.metadata) ? updated.metadata.managedFields : undefined;
  const previous = isPlainObject(old?.metadata) ? old.metadata.managedFields : undefined;
  const base = given !== undefined && !jsonEqual(given, previous) ? updated : old ?? updated;
  const entries = readManagedFields(base).map((entry) => {
    const fields: FieldSet = new Map();
    for (const [key, path] of entry.fields) if (after.has(key) && !changed.has(key)) fields.set(key, path);
    return { ...entry, fields };
  });
  if (changed.size > 0) {
    const mine = entries.find((entry) => entry.manager === options.fieldManager && entry.operation === 'Update' && entry.subresource === options.subresource);
    const target: ManagerEntry = mine ?? { manager: options.fieldManager, operation: 'Update', apiVersion: options.apiVersion, subresource: options.subresource, fields: new Map() };
    for (const path of changed.values()) addPath(target.fields, path);
    target.time = formatTime(options.now);
    target.apiVersion = options.apiVersion;
    if (mine === undefined) entries.push(target);
  }
  return withManagedFields(updated, entries);
}
