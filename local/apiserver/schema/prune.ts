/**
 * Pruning of unknown fields, as kube-apiserver does for custom resources: members the
 * structural schema does not declare are dropped unless `x-kubernetes-preserve-unknown-fields`
 * keeps them. `apiVersion`, `kind` and `metadata` survive at the root and in embedded resources.
 */
import type { JSONSchemaProps } from '../types.ts';
import { childSegment, formatPath, isObject, type PathSegment } from './structural.ts';

const embeddedKeys = new Set(['apiVersion', 'kind', 'metadata']);

/**
 * pruneUnknownFields returns `value` without the members `schema` does not declare, and the
 * paths of what it dropped (`spec.foo`, `spec.columns[1].bar`); pure. `isRoot` keeps the
 * object's apiVersion, kind and metadata (their validation is the server's business).
 */
export function pruneUnknownFields(value: unknown, schema: JSONSchemaProps, isRoot = false): { value: unknown; pruned: string[] } {
  const pruned: string[] = [];
  const result = prune(value, schema, [], isRoot, pruned);
  return { value: result, pruned };
}

function prune(value: unknown, schema: JSONSchemaProps | undefined, path: PathSegment[], keepEmbedded: boolean, pruned: string[]): unknown {
  if (schema === undefined) return value;
  if (Array.isArray(value)) {
    const items = schema.items;
    if (items === undefined) return value;
    return value.map((item, index) => prune(item, items, [...path, { index }], items['x-kubernetes-embedded-resource'] === true, pruned));
  }
  if (!isObject(value)) return value;
  const preserve = schema['x-kubernetes-preserve-unknown-fields'] === true;
  const result: { [key: string]: unknown } = {};
  for (const [name, member] of Object.entries(value)) {
    const declared = schema.properties?.[name];
    const extra = schema.additionalProperties;
    if (keepEmbedded && embeddedKeys.has(name) && declared === undefined) {
      result[name] = member;
      continue;
    }
    const child = declared ?? (typeof extra === 'object' ? extra : undefined);
    if (child === undefined && !(preserve || extra === true)) {
      pruned.push(formatPath([...path, { prop: name }]));
      continue;
    }
    result[name] = child === undefined
      ? member
      : prune(member, child, [...path, childSegment(schema, name)], child['x-kubernetes-embedded-resource'] === true, pruned);
  }
  return result;
}
