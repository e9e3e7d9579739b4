/**
 * mergePodOverrides lays a pod template from a ConfigMap (nodeSelector, tolerations,
 * resources, extra env, labels, …) over the pod Featherman builds. Pure.
 */
import type { JSONObject } from './k8s-types.ts';

/** PodOverrides is a pod template given as a plain object: `{ metadata?, spec? }`. */
export interface PodOverrides {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: JSONObject;
}

// Lists whose items have a name merge item by item (as strategic merge patch does for
// containers, env and volumes); other lists are replaced.
const MERGE_KEY: Record<string, string> = {
  containers: 'name', initContainers: 'name', env: 'name', volumes: 'name', volumeMounts: 'mountPath',
  imagePullSecrets: 'name', ports: 'containerPort',
};

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function mergeList(base: unknown[], over: unknown[], key: string): unknown[] {
  const out = [...base];
  for (const item of over) {
    const id = isObject(item) ? item[key] : undefined;
    const index = id === undefined ? -1 : out.findIndex((existing) => isObject(existing) && existing[key] === id);
    if (index >= 0) out[index] = mergeValue(out[index], item, undefined);
    else out.push(item);
  }
  return out;
}

function mergeValue(base: unknown, over: unknown, field: string | undefined): unknown {
  if (over === undefined) return base;
  if (isObject(base) && isObject(over)) {
    const out: JSONObject = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = mergeValue(base[key], value, key);
    return out;
  }
  const key = field === undefined ? undefined : MERGE_KEY[field];
  if (Array.isArray(base) && Array.isArray(over) && key !== undefined) return mergeList(base, over, key);
  return structuredClone(over);
}

/**
 * mergeObjects deep-merges `over` onto `base` (pure): objects merge key by key, named
 * lists (containers, env, volumes, …) merge by name, anything else in `over` wins.
 */
export function mergeObjects<T extends JSONObject>(base: T, over: JSONObject | undefined): T {
  return (over === undefined ? structuredClone(base) : mergeValue(structuredClone(base), over, undefined)) as T;
}
