import { z } from 'zod';
import { API_GROUP, API_VERSION, type CrdDefinition } from './crd-definition.ts';

type Schema = { [key: string]: unknown };

/**
 * toStructuralSchema converts a zod schema to a CRD structural schema (pure): OpenAPI 3.0
 * from z.toJSONSchema, then without what Kubernetes refuses or does not need
 * (`$schema`, `additionalProperties: false`, the ±2^53 bounds zod adds to integers).
 */
export function toStructuralSchema(schema: z.ZodType): Schema {
  const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as Schema;
  return clean(json);
}

function clean(node: unknown): Schema {
  if (Array.isArray(node)) return node.map(clean) as unknown as Schema;
  if (node === null || typeof node !== 'object') return node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && value === false) continue;
    if ((key === 'minimum' && value === -Number.MAX_SAFE_INTEGER) || (key === 'maximum' && value === Number.MAX_SAFE_INTEGER)) continue;
    out[key] = key === 'default' || key === 'enum' ? value : clean(value);
  }
  return out;
}

/** buildCrd builds the apiextensions.k8s.io/v1 CustomResourceDefinition of one kind (pure). */
export function buildCrd(definition: CrdDefinition): Schema {
  const spec = toStructuralSchema(definition.spec);
  if (definition.specValidations.length > 0) spec['x-kubernetes-validations'] = definition.specValidations;
  const status = toStructuralSchema(definition.status);
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${definition.plural}.${API_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'featherman' } },
    spec: {
      group: API_GROUP,
      names: {
        kind: definition.kind,
        listKind: `${definition.kind}List`,
        plural: definition.plural,
        singular: definition.singular,
        shortNames: definition.shortNames,
        categories: ['ducklake'],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: definition.printerColumns,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              description: definition.description,
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string', description: 'APIVersion of this object.' },
                kind: { type: 'string', description: 'Kind of this object.' },
                metadata: { type: 'object' },
                spec: spec,
                status: status,
              },
            },
          },
        },
      ],
    },
  };
}
