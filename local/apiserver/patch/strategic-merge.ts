/**
 * Kubernetes strategic merge patch (what `kubectl apply` client-side and `kubectl patch`
 * send for built-in kinds): maps merge, lists merge by their patchMergeKey where the Go
 * type says so, and the `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives steer the merge.
 */
import type { JsonObject } from '../types.ts';
import { jsonEqual } from './json-patch.ts';
import { childStrategy, mergeStrategyFor, type FieldStrategy } from './merge-keys.ts';
import { deepCopy, isPlainObject } from './merge-patch.ts';
import { PatchError } from './patch-error.ts';

const directive = '$patch';
const retainKeys = '$retainKeys';
const setOrderPrefix = '$setElementOrder/';
const deletePrimitivePrefix = '$deleteFromPrimitiveList/';

/** deleteMarker is what mergeMap returns for `$patch: delete`: the parent drops the member. */
const deleteMarker = Symbol('delete');

function isMergeList(strategy: FieldStrategy | undefined): boolean {
  return strategy?.strategy === 'merge' || strategy?.strategy === 'merge,retainKeys';
}

function mergeMap(original: JsonObject, patch: JsonObject, strategy: FieldStrategy | undefined): JsonObject | typeof deleteMarker {
  const mode = patch[directive];
  if (mode === 'delete') return deleteMarker;
  if (mode === 'replace') return stripDirectives(patch) as JsonObject;
  if (mode !== undefined && mode !== 'merge') throw new PatchError(`Unknown patch type: ${String(mode)} in map: ${JSON.stringify(patch)}`, 400);

  let result: JsonObject = { ...original };
  const retain = patch[retainKeys];
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw new PatchError(`invalid $retainKeys: must be a list of strings, got ${JSON.stringify(retain)}`, 400);
    result = Object.fromEntries(Object.entries(result).filter(([key]) => retain.includes(key)));
  }
  for (const [key, values] of Object.entries(patch)) {
    if (!key.startsWith(deletePrimitivePrefix)) continue;
    const field = key.slice(deletePrimitivePrefix.length);
    const current = result[field];
    if (!Array.isArray(values)) throw new PatchError(`invalid ${key}: must be a list, got ${JSON.stringify(values)}`, 400);
    if (Array.isArray(current)) result[field] = current.filter((item) => !values.some((value) => jsonEqual(value, item)));
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key === directive || key === retainKeys || key.startsWith(setOrderPrefix) || key.startsWith(deletePrimitivePrefix)) continue;
    if (value === null) {
      delete result[key];
      continue;
    }
    const merged = mergeValue(result[key], value, childStrategy(strategy, key));
    if (merged === deleteMarker) delete result[key];
    else result[key] = merged;
  }
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setOrderPrefix)) continue;
    const field = key.slice(setOrderPrefix.length);
    const current = result[field];
    if (!Array.isArray(order)) throw new PatchError(`invalid ${key}: must be a list, got ${JSON.stringify(order)}`, 400);
    if (Array.isArray(current)) result[field] = applyElementOrder(current, order, childStrategy(strategy, field)?.mergeKey);
  }
  return result;
}

function mergeValue(original: unknown, patch: unknown, strategy: FieldStrategy | undefined): unknown {
  if (isPlainObject(patch)) {
    return mergeMap(isPlainObject(original) ? original : {}, patch, strategy);
  }
  if (Array.isArray(patch)) {
    if (!isMergeList(strategy)) return stripDirectives(patch);
    return mergeList(Array.isArray(original) ? original : [], patch, strategy);
  }
  return patch;
}

function mergeList(original: unknown[], patch: unknown[], strategy: FieldStrategy | undefined): unknown[] {
  const replace = patch.find((item) => isPlainObject(item) && item[directive] === 'replace');
  if (replace !== undefined) {
    return stripDirectives(patch.filter((item) => item !== replace)) as unknown[];
  }
  const mergeKey = strategy?.mergeKey;
  if (mergeKey === undefined) {
    // A merging list of primitives is a set: append what is not there yet.
    const result = [...original];
    for (const item of patch) if (!result.some((existing) => jsonEqual(existing, item))) result.push(deepCopy(item));
    return result;
  }
  const result = [...original];
  for (const item of patch) {
    if (!isPlainObject(item)) throw new PatchError(`unable to find api field in struct for the list item ${JSON.stringify(item)}: expected a map with merge key "${mergeKey}"`, 400);
    if (!(mergeKey in item)) throw new PatchError(`map: ${JSON.stringify(item)} does not contain declared merge key: ${mergeKey}`, 400);
    const index = result.findIndex((existing) => isPlainObject(existing) && jsonEqual(existing[mergeKey], item[mergeKey]));
    if (item[directive] === 'delete') {
      if (index >= 0) result.splice(index, 1);
      continue;
    }
    const existing = index >= 0 ? result[index] : undefined;
    const merged = mergeMap(isPlainObject(existing) ? existing : {}, item, strategy);
    if (merged === deleteMarker) continue;
    if (index >= 0) result[index] = merged;
    else result.push(merged);
  }
  return result;
}

/**
 * applyElementOrder sorts the items named by `$setElementOrder` into that order; items the
 * order does not name (added by someone else) keep their relative order after them.
 */
function applyElementOrder(items: unknown[], order: unknown[], mergeKey: string | undefined): unknown[] {
  const identity = (item: unknown): unknown => (mergeKey !== undefined && isPlainObject(item) ? item[mergeKey] : item);
  const position = (item: unknown): number => order.findIndex((entry) => jsonEqual(identity(entry), identity(item)));
  const named = items.filter((item) => position(item) >= 0).sort((a, b) => position(a) - position(b));
  const others = items.filter((item) => position(item) < 0);
  return [...named, ...others];
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isPlainObject(value)) return value;
  const result: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === directive || key === retainKeys || key.startsWith(setOrderPrefix) || key.startsWith(deletePrimitivePrefix)) continue;
    if (member === null) continue;
    result[key] = stripDirectives(member);
  }
  return result;
}

/**
 * applyStrategicMergePatch applies a strategic merge patch to a built-in object and returns
 * the result; pure (neither argument is mutated). Throws PatchError (status 415) for kinds
 * without strategic-merge knowledge, as kube-apiserver refuses it for custom resources, and
 * PatchError (400) for malformed directives.
 */
export function applyStrategicMergePatch(target: JsonObject, patch: JsonObject, apiVersion: string, kind: string): JsonObject {
  const strategy = mergeStrategyFor(apiVersion, kind);
  if (strategy === undefined) {
    throw new PatchError(`the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`, 415);
  }
  const merged = mergeMap(deepCopy(target), patch, strategy);
  return merged === deleteMarker ? {} : merged;
}
