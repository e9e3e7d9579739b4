/**
 * Field sets of server-side apply: which fields of an object a manager owns, as paths of
 * FieldsV1 elements (`f:spec`, `k:{"name":"x"}`, `v:"a"`, `.` for a list item itself),
 * their FieldsV1 JSON encoding, and reading, comparing and removing values at a path.
 */
import type { JsonObject } from '../types.ts';
import type { FieldShape } from './field-shape.ts';
import { jsonEqual } from './json-patch.ts';
import { isPlainObject } from './merge-patch.ts';

/** FieldPath is one owned field: a list of FieldsV1 path elements. */
export type FieldPath = string[];

/** FieldSet is a set of field paths keyed by their JSON encoding. */
export type FieldSet = Map<string, FieldPath>;

/** addPath adds a path to a set. */
export function addPath(set: FieldSet, path: FieldPath): void {
  set.set(JSON.stringify(path), path);
}

/** keyElement is the `k:` element of a list-map item: its key fields, sorted by name. */
export function keyElement(item: JsonObject, keys: readonly string[]): string {
  const entries = [...keys].sort().filter((key) => item[key] !== undefined).map((key) => [key, item[key]]);
  return `k:${JSON.stringify(Object.fromEntries(entries))}`;
}

const untracked = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'managedFields', 'generateName']);

/**
 * collectFields returns the set of fields an object sets (its leaves, list-map items and
 * set members), leaving out apiVersion, kind and the server-owned metadata; pure.
 */
export function collectFields(object: JsonObject, shape: FieldShape): FieldSet {
  const set: FieldSet = new Map();
  for (const [name, value] of Object.entries(object)) {
    if (name === 'apiVersion' || name === 'kind' || value === null || value === undefined) continue;
    if (name === 'metadata' && isPlainObject(value)) {
      const tracked = Object.fromEntries(Object.entries(value).filter(([key]) => !untracked.has(key)));
      if (Object.keys(tracked).length > 0) collect(tracked, shape.child(name), ['f:metadata'], set);
      continue;
    }
    collect(value, shape.child(name), [`f:${name}`], set);
  }
  return set;
}

function collect(value: unknown, shape: FieldShape, path: FieldPath, set: FieldSet): void {
  if (isPlainObject(value) && !shape.atomicMap && Object.keys(value).length > 0) {
    for (const [name, member] of Object.entries(value)) {
      if (member !== null && member !== undefined) collect(member, shape.child(name), [...path, `f:${name}`], set);
    }
    return;
  }
  if (Array.isArray(value) && shape.list === 'map') {
    for (const item of value) {
      if (!isPlainObject(item)) continue;
      const itemPath = [...path, keyElement(item, shape.keys)];
      addPath(set, [...itemPath, '.']);
      collect(item, shape.items(), itemPath, set);
    }
    return;
  }
  if (Array.isArray(value) && shape.list === 'set') {
    for (const item of value) addPath(set, [...path, `v:${JSON.stringify(item)}`]);
    return;
  }
  addPath(set, path);
}

/** toFieldsV1 encodes a set as FieldsV1 JSON (`{"f:spec":{"f:replicas":{}}}`); pure. */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of set.values()) {
    let node = root;
    for (const element of path) {
      const next = node[element];
      node = isPlainObject(next) ? next : (node[element] = {});
    }
  }
  return root;
}

/** fromFieldsV1 decodes FieldsV1 JSON into a set; pure. An empty node is an owned leaf. */
export function fromFieldsV1(fields: unknown, prefix: FieldPath = [], set: FieldSet = new Map()): FieldSet {
  if (!isPlainObject(fields)) return set;
  for (const [element, child] of Object.entries(fields)) {
    const path = [...prefix, element];
    if (element === '.' || !isPlainObject(child) || Object.keys(child).length === 0) addPath(set, path);
    else fromFieldsV1(child, path, set);
  }
  return set;
}

function parseElement(element: string): { kind: string; body: string } {
  return { kind: element.slice(0, 1), body: element.slice(2) };
}

function findItem(list: unknown[], element: string): number {
  const key = JSON.parse(parseElement(element).body) as JsonObject;
  return list.findIndex((item) => isPlainObject(item) && Object.entries(key).every(([name, value]) => jsonEqual(item[name], value)));
}

/** Lookup is the result of reading a path: whether it exists and its value. */
export interface Lookup {
  found: boolean;
  value?: unknown;
}

/** readPath reads the value a field path points to; pure. */
export function readPath(object: unknown, path: FieldPath): Lookup {
  let node: unknown = object;
  for (const element of path) {
    if (element === '.') return { found: true, value: node };
    const { kind, body } = parseElement(element);
    if (kind === 'f') {
      if (!isPlainObject(node) || !(body in node)) return { found: false };
      node = node[body];
    } else if (kind === 'k') {
      if (!Array.isArray(node)) return { found: false };
      const index = findItem(node, element);
      if (index < 0) return { found: false };
      node = node[index];
    } else if (kind === 'v') {
      if (!Array.isArray(node)) return { found: false };
      const value: unknown = JSON.parse(body);
      return node.some((item) => jsonEqual(item, value)) ? { found: true, value } : { found: false };
    } else {
      return { found: false };
    }
  }
  return { found: true, value: node };
}

/** removePath deletes what a field path points to (a member, a list item, a set value); mutates `object`. */
export function removePath(object: unknown, path: FieldPath): void {
  const last = path.at(-1);
  if (last === undefined) return;
  const itemPath = last === '.' ? path.slice(0, -1) : path;
  const target = itemPath.at(-1);
  const parent = readPath(object, itemPath.slice(0, -1));
  if (!parent.found || target === undefined) return;
  const { kind, body } = parseElement(target);
  if (kind === 'f' && isPlainObject(parent.value)) delete parent.value[body];
  if (kind === 'k' && Array.isArray(parent.value)) {
    const index = findItem(parent.value, target);
    if (index >= 0) parent.value.splice(index, 1);
  }
  if (kind === 'v' && Array.isArray(parent.value)) {
    const value: unknown = JSON.parse(body);
    const index = parent.value.findIndex((item) => jsonEqual(item, value));
    if (index >= 0) parent.value.splice(index, 1);
  }
}

/** describePath renders a field path as kube-apiserver's conflict messages do: `.spec.containers[name="a"].image`. */
export function describePath(path: FieldPath): string {
  let out = '';
  for (const element of path) {
    if (element === '.') continue;
    const { kind, body } = parseElement(element);
    if (kind === 'f') out += `.${body}`;
    else if (kind === 'v') out += `[=${body}]`;
    else if (kind === 'k') {
      const key = JSON.parse(body) as JsonObject;
      out += `[${Object.entries(key).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(',')}]`;
    } else out += `[${body}]`;
  }
  return out;
}
