/**
 * A small vocabulary for writing OpenAPI v3 schemas of built-in kinds compactly, in the
 * shape kube-apiserver publishes (`allOf: [{$ref}]` for struct members, patch-strategy
 * extensions on lists that kubectl's strategic merge reads).
 */
import type { JsonObject } from '../types.ts';

/** Schema is one OpenAPI v3 schema object. */
export type Schema = JsonObject;

/** refTo returns the `$ref` of a component schema. */
export function refTo(name: string): string {
  return `#/components/schemas/${name}`;
}

/** str is a string field. */
export function str(description: string, extra: Schema = {}): Schema {
  return { type: 'string', description, ...extra };
}

/** int is an int32 (or int64) field. */
export function int(description: string, format: 'int32' | 'int64' = 'int32'): Schema {
  return { type: 'integer', format, description };
}

/** bool is a boolean field. */
export function bool(description: string): Schema {
  return { type: 'boolean', description };
}

/** time is a metav1.Time field. */
export function time(description: string): Schema {
  return { type: 'string', format: 'date-time', description };
}

/** ref is a struct member: `allOf` of the referenced component, with its own description. */
export function ref(name: string, description: string, extra: Schema = {}): Schema {
  return { allOf: [{ $ref: refTo(name) }], description, default: {}, ...extra };
}

/** obj is a struct component with properties and required members. */
export function obj(description: string, properties: Record<string, Schema>, required?: string[]): Schema {
  return { type: 'object', description, properties, ...(required ? { required } : {}) };
}

/** strMap is a map of strings (labels, annotations, data). */
export function strMap(description: string): Schema {
  return { type: 'object', description, additionalProperties: { type: 'string', default: '' } };
}

/** ListOptions are the patch-strategy and list-type extensions of a list field. */
export interface ListOptions {
  mergeKey?: string;
  strategy?: string;
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}

/** list is a list field of `items` with kubectl's patch extensions and the SSA list type. */
export function list(items: Schema, description: string, options: ListOptions = {}): Schema {
  const schema: Schema = { type: 'array', description, items };
  if (options.listType !== undefined) schema['x-kubernetes-list-type'] = options.listType;
  if (options.mapKeys !== undefined) schema['x-kubernetes-list-map-keys'] = options.mapKeys;
  if (options.mergeKey !== undefined) schema['x-kubernetes-patch-merge-key'] = options.mergeKey;
  if (options.strategy !== undefined) schema['x-kubernetes-patch-strategy'] = options.strategy;
  return schema;
}

/** item is a list element that references a component. */
export function item(name: string): Schema {
  return { allOf: [{ $ref: refTo(name) }], default: {} };
}

/** strList is an atomic list of strings. */
export function strList(description: string, options: ListOptions = { listType: 'atomic' }): Schema {
  return list({ type: 'string', default: '' }, description, options);
}
