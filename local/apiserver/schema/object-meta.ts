/**
 * ObjectMeta handling for custom resources: the CRD schema does not govern metadata, but
 * kube-apiserver still drops unknown metadata members and checks the name.
 */
import type { JSONSchemaProps, StatusCause } from '../types.ts';
import { isObject } from './structural.ts';
import { validateValue } from './value-checks.ts';

const objectMetaFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation',
  'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels',
  'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * validateResourceName checks a custom resource name (a lowercase RFC 1123 subdomain, at
 * most 253 characters) and returns kube-apiserver's detail messages; pure.
 */
export function validateResourceName(name: string): string[] {
  const details: string[] = [];
  if (name.length > 253) details.push('must be no more than 253 characters');
  if (!dns1123Subdomain.test(name)) {
    details.push("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  }
  return details;
}

/**
 * checkObjectMeta prunes unknown members of `metadata` (listing them as `metadata.x`),
 * checks metadata.name and applies the CRD schema's rules for metadata.name and
 * metadata.generateName, the only ones Kubernetes allows there; pure.
 */
export function checkObjectMeta(metadata: unknown, schema: JSONSchemaProps | undefined): { value: unknown; causes: StatusCause[]; pruned: string[] } {
  if (!isObject(metadata)) {
    if (metadata === undefined) return { value: metadata, causes: [], pruned: [] };
    return { value: metadata, causes: [{ reason: 'FieldValueTypeInvalid', field: 'metadata', message: 'Invalid value: "metadata": must be an object' }], pruned: [] };
  }
  const value: { [key: string]: unknown } = {};
  const pruned: string[] = [];
  for (const [key, member] of Object.entries(metadata)) {
    if (objectMetaFields.has(key)) value[key] = member;
    else pruned.push(`metadata.${key}`);
  }
  const causes: StatusCause[] = [];
  if (typeof value.name === 'string' && value.name !== '') {
    for (const detail of validateResourceName(value.name)) {
      causes.push({ reason: 'FieldValueInvalid', field: 'metadata.name', message: `Invalid value: ${JSON.stringify(value.name)}: ${detail}` });
    }
  }
  for (const key of ['name', 'generateName']) {
    const rule = schema?.properties?.[key];
    if (rule !== undefined && typeof value[key] === 'string') causes.push(...validateValue(value[key], rule, [{ prop: 'metadata' }, { prop: key }]));
  }
  return { value, causes, pruned };
}
