/**
 * Server-side apply, simplified but faithful where kubectl looks: the applied
 * configuration is merged into the live object (maps member by member, keyed lists by key,
 * other lists replaced), ownership is tracked in metadata.managedFields (FieldsV1), fields
 * the manager stopped applying are removed unless someone else owns them, and a changed
 * field another manager owns is a conflict unless forced.
 */
import type { JsonObject, JSONSchemaProps } from '../types.ts';
import { collectFields, describePath, readPath, removePath, type FieldSet } from './field-set.ts';
import { shapeFor, type FieldShape } from './field-shape.ts';
import { jsonEqual } from './json-patch.ts';
import { formatTime, readManagedFields, withManagedFields, type ManagerEntry } from './managed-fields.ts';
import { deepCopy, isPlainObject } from './merge-patch.ts';

/** ApplyOptions are the apply request's manager, force flag, kind and clock; `schema` is the CRD version schema for custom resources. */
export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
  apiVersion: string;
  kind: string;
  now: Date;
  schema?: JSONSchemaProps;
}

/** ApplyResult is the merged object (live unchanged when there are conflicts) and the conflicts. */
export interface ApplyResult {
  object: JsonObject;
  /** conflicts read like kube-apiserver's: `conflict with "mgr" using v1: .data.key`. */
  conflicts: string[];
}

function mergeInto(live: unknown, applied: unknown, shape: FieldShape): unknown {
  if (isPlainObject(applied) && isPlainObject(live) && !shape.atomicMap) {
    const result: JsonObject = { ...live };
    for (const [name, value] of Object.entries(applied)) {
      if (value === null) delete result[name];
      else result[name] = mergeInto(live[name], value, shape.child(name));
    }
    return result;
  }
  if (Array.isArray(applied) && Array.isArray(live) && shape.list === 'map') {
    const result = [...live];
    for (const item of applied) {
      const index = isPlainObject(item)
        ? result.findIndex((existing) => isPlainObject(existing) && shape.keys.every((key) => jsonEqual(existing[key], item[key])))
        : -1;
      if (index >= 0) result[index] = mergeInto(result[index], item, shape.items());
      else result.push(deepCopy(item));
    }
    return result;
  }
  if (Array.isArray(applied) && Array.isArray(live) && shape.list === 'set') {
    return [...live, ...applied.filter((item) => !live.some((existing) => jsonEqual(existing, item)))];
  }
  return deepCopy(applied);
}

/** describeManager names a manager as kube-apiserver's conflict messages do. */
function describeManager(entry: ManagerEntry): string {
  const name = `${JSON.stringify(entry.manager)}${entry.subresource !== undefined ? ` with subresource ${JSON.stringify(entry.subresource)}` : ''}`;
  if (entry.operation !== 'Update') return name;
  return entry.time === undefined ? `${name} using ${entry.apiVersion}` : `${name} using ${entry.apiVersion} at ${entry.time}`;
}

function findConflicts(live: JsonObject, applied: JsonObject, appliedSet: FieldSet, others: ManagerEntry[]): Array<{ entry: ManagerEntry; key: string; text: string }> {
  const found: Array<{ entry: ManagerEntry; key: string; text: string }> = [];
  for (const entry of others) {
    for (const [key, path] of entry.fields) {
      if (!appliedSet.has(key) || path.at(-1) === '.' || path.at(-1)?.startsWith('v:')) continue;
      const before = readPath(live, path);
      const after = readPath(applied, path);
      if (before.found && !jsonEqual(before.value, after.value)) {
        found.push({ entry, key, text: `conflict with ${describeManager(entry)}: ${describePath(path)}` });
      }
    }
  }
  return found;
}

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * upgradesClientSideApply tells whether kubectl's move from client-side to server-side
 * apply may take the conflicting fields: kube-apiserver forces an apply by manager
 * "kubectl" when every conflicting field is in the last-applied-configuration annotation.
 */
function upgradesClientSideApply(live: JsonObject | undefined, conflicts: Array<{ key: string }>, manager: string, shape: FieldShape): boolean {
  if (manager !== 'kubectl' || live === undefined) return false;
  const annotations = isPlainObject(live.metadata) ? live.metadata.annotations : undefined;
  const text = isPlainObject(annotations) ? annotations[lastAppliedAnnotation] : undefined;
  if (typeof text !== 'string') return false;
  let lastApplied: unknown;
  try {
    lastApplied = JSON.parse(text);
  } catch {
    return false;
  }
  if (!isPlainObject(lastApplied)) return false;
  const allowed = collectFields(lastApplied, shape);
  return conflicts.every((conflict) => allowed.has(conflict.key));
}

function isOwnedBelow(key: string, sets: FieldSet[]): boolean {
  const prefix = key.endsWith(',"."]') ? key.slice(0, -',"."]'.length) : key.slice(0, -1);
  return sets.some((set) => [...set.keys()].some((other) => other !== key && other.startsWith(prefix)));
}

/**
 * removeEmptiedParents drops the fields above a removed one that it left empty (`labels: {}`),
 * as kube-apiserver does for named fields nobody else owns; mutates `object`.
 */
function removeEmptiedParents(object: JsonObject, path: string[], appliedSet: FieldSet): void {
  for (let end = path.length - 1; end > 0; end -= 1) {
    const parent = path.slice(0, end);
    if (!parent.at(-1)?.startsWith('f:')) continue;
    if (appliedSet.has(JSON.stringify(parent))) return;
    const { found, value } = readPath(object, parent);
    const empty = found && (Array.isArray(value) ? value.length === 0 : isPlainObject(value) && Object.keys(value).length === 0);
    if (!empty) return;
    removePath(object, parent);
  }
}

/**
 * applyServerSideApply applies `applied` for `fieldManager` to `live` (undefined on
 * create) and returns the new object with its managedFields, or the live object and the
 * conflicts; pure.
 */
export function applyServerSideApply(live: JsonObject | undefined, applied: JsonObject, options: ApplyOptions): ApplyResult {
  const shape = shapeFor(options.apiVersion, options.kind, options.schema);
  const metadata = isPlainObject(applied.metadata) ? { ...applied.metadata } : {};
  delete metadata.managedFields;
  const config: JsonObject = { ...applied, metadata };
  const appliedSet = collectFields(config, shape);
  const current = live ?? {};
  const entries = readManagedFields(live);
  const mine = entries.find((entry) => entry.manager === options.fieldManager && entry.operation === 'Apply' && entry.subresource === undefined);
  const others = entries.filter((entry) => entry !== mine);

  const conflicts = findConflicts(current, config, appliedSet, others);
  if (conflicts.length > 0 && !options.force && !upgradesClientSideApply(live, conflicts, options.fieldManager, shape)) {
    return { object: live ?? config, conflicts: conflicts.map((conflict) => conflict.text) };
  }
  for (const { entry, key } of conflicts) entry.fields.delete(key);

  const merged = mergeInto(current, config, shape) as JsonObject;
  const removed = [...(mine?.fields ?? new Map()).entries()].filter(([key]) => !appliedSet.has(key));
  const keep = [appliedSet, ...others.map((entry) => entry.fields)];
  for (const [key, path] of removed) {
    if (others.some((entry) => entry.fields.has(key))) continue;
    if (path.at(-1) === '.' && isOwnedBelow(key, keep)) continue;
    removePath(merged, path);
    removeEmptiedParents(merged, path, appliedSet);
  }

  const entry: ManagerEntry = { manager: options.fieldManager, operation: 'Apply', apiVersion: options.apiVersion, time: formatTime(options.now), fields: appliedSet };
  const next = mine === undefined ? [...entries, entry] : entries.map((existing) => (existing === mine ? entry : existing));
  return { object: withManagedFields(merged, next), conflicts: [] };
}
