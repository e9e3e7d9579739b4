/**
 * Structural defaulting as kube-apiserver does it for custom resources: missing members
 * with a `default` get a copy of it (also inside list items and additionalProperties),
 * and nulls in non-nullable fields are replaced by the default or dropped.
 */
import type { JSONSchemaProps } from '../types.ts';
import { isObject } from './structural.ts';

/**
 * applyDefaults returns `value` with the schema's defaults applied, recursively; pure (the
 * input is not mutated). A defaulted object is itself defaulted, as in Kubernetes.
 */
export function applyDefaults(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (schema === undefined) return value;
  if (Array.isArray(value)) {
    const items = schema.items;
    return items === undefined ? value : value.map((item) => applyDefaults(item, items));
  }
  if (!isObject(value)) return value;
  const result: { [key: string]: unknown } = { ...value };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const current = result[name];
    if (current === null && property.nullable !== true) {
      // Kubernetes drops nulls of non-nullable fields before defaulting them.
      delete result[name];
    }
    if (result[name] === undefined && property.default !== undefined) {
      result[name] = structuredClone(property.default);
    }
  }
  const extra = schema.additionalProperties;
  for (const [name, member] of Object.entries(result)) {
    const property = schema.properties?.[name] ?? (typeof extra === 'object' ? extra : undefined);
    if (property === undefined) continue;
    if (member === null && property.nullable !== true && schema.properties?.[name] === undefined) {
      delete result[name];
      continue;
    }
    result[name] = applyDefaults(member, property);
  }
  return result;
}
