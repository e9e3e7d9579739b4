/**
 * FieldShape answers the structural questions server-side apply asks about a field: is
 * this list atomic, a set, or a map keyed by some fields; is this map atomic. Built-in kinds
 * answer from the merge-key table, custom resources from their CRD schema.
 */
import type { JSONSchemaProps } from '../types.ts';
import { childStrategy, mergeStrategyFor, type FieldStrategy } from './merge-keys.ts';

/** FieldShape is what SSA knows about one field and how to reach its children. */
export interface FieldShape {
  list: 'atomic' | 'set' | 'map';
  keys: string[];
  atomicMap: boolean;
  child(name: string): FieldShape;
  items(): FieldShape;
}

/** granular is the shape of a field nothing is known about: maps merge, lists are atomic. */
export const granular: FieldShape = {
  list: 'atomic',
  keys: [],
  atomicMap: false,
  child: () => granular,
  items: () => granular,
};

function fromStrategy(strategy: FieldStrategy | undefined): FieldShape {
  if (strategy === undefined) return granular;
  const merging = strategy.strategy === 'merge' || strategy.strategy === 'merge,retainKeys';
  const list = !merging ? 'atomic' : strategy.mergeKey !== undefined ? 'map' : 'set';
  return {
    list,
    keys: strategy.mergeKey !== undefined ? [strategy.mergeKey] : [],
    atomicMap: false,
    child: (name) => fromStrategy(childStrategy(strategy, name)),
    // A list's item fields are described on the list's own strategy node.
    items: () => fromStrategy({ fields: strategy.fields }),
  };
}

function fromSchema(schema: JSONSchemaProps | undefined): FieldShape {
  if (schema === undefined) return granular;
  const listType = schema['x-kubernetes-list-type'] ?? 'atomic';
  return {
    list: listType,
    keys: schema['x-kubernetes-list-map-keys'] ?? [],
    atomicMap: schema['x-kubernetes-map-type'] === 'atomic',
    child: (name) => {
      const declared = schema.properties?.[name];
      if (declared !== undefined) return fromSchema(declared);
      const extra = schema.additionalProperties;
      return typeof extra === 'object' ? fromSchema(extra) : granular;
    },
    items: () => fromSchema(schema.items),
  };
}

const metadataShape = fromStrategy({
  fields: { finalizers: { strategy: 'merge' }, ownerReferences: { strategy: 'merge', mergeKey: 'uid' } },
});

/**
 * shapeFor returns the root shape of a kind: the merge-key table for built-in kinds, else
 * the CRD schema (metadata always follows ObjectMeta's rules); pure.
 */
export function shapeFor(apiVersion: string, kind: string, schema?: JSONSchemaProps): FieldShape {
  const strategy = mergeStrategyFor(apiVersion, kind);
  const root = strategy !== undefined ? fromStrategy(strategy) : fromSchema(schema);
  return { ...root, child: (name) => (name === 'metadata' ? metadataShape : root.child(name)) };
}
