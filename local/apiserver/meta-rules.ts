/**
 * ObjectMeta rules kube-apiserver enforces on every kind: label keys and values, owner
 * references, and the 63-character limit on Job names (their name becomes a label value).
 * Controllers that derive names and labels meet these rules here before a cluster (pure).
 */
import type { JsonObject, StatusCause } from './types.ts';

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function invalid(field: string, value: string, detail: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${detail}` };
}

function labelKeyCauses(key: string): StatusCause[] {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const causes: StatusCause[] = [];
  if (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    causes.push(invalid('metadata.labels', key, "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
  }
  if (name.length > 63) causes.push(invalid('metadata.labels', key, 'name part must be no more than 63 characters'));
  if (!NAME_PART.test(name)) {
    causes.push(invalid('metadata.labels', key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
  }
  return causes;
}

function labelValueCauses(value: unknown): StatusCause[] {
  if (typeof value !== 'string') return [invalid('metadata.labels', String(value), 'label values must be strings')];
  const causes: StatusCause[] = [];
  if (value.length > 63) causes.push(invalid('metadata.labels', value, 'must be no more than 63 characters'));
  if (value !== '' && !NAME_PART.test(value)) {
    causes.push(invalid('metadata.labels', value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
  }
  return causes;
}

function ownerReferenceCauses(owners: unknown): StatusCause[] {
  if (owners === undefined) return [];
  if (!Array.isArray(owners)) return [invalid('metadata.ownerReferences', JSON.stringify(owners), 'must be a list')];
  const causes: StatusCause[] = [];
  owners.forEach((owner: JsonObject, index) => {
    for (const key of ['apiVersion', 'kind', 'name', 'uid']) {
      if (typeof owner[key] !== 'string' || owner[key] === '') {
        causes.push({ reason: 'FieldValueRequired', field: `metadata.ownerReferences[${index}].${key}`, message: 'Required value' });
      }
    }
  });
  if (owners.filter((owner: JsonObject) => owner.controller === true).length > 1) {
    causes.push(invalid('metadata.ownerReferences', '', 'Only one reference can have Controller set to true'));
  }
  return causes;
}

/** validateMetaRules returns the metadata errors of an object of a storage key (pure). */
export function validateMetaRules(storageKey: string, metadata: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const labels = metadata.labels;
  if (labels !== undefined && labels !== null) {
    if (typeof labels !== 'object' || Array.isArray(labels)) causes.push(invalid('metadata.labels', JSON.stringify(labels), 'must be a map of strings'));
    else for (const [key, value] of Object.entries(labels)) causes.push(...labelKeyCauses(key), ...labelValueCauses(value));
  }
  causes.push(...ownerReferenceCauses(metadata.ownerReferences));
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (storageKey === 'batch/jobs' && name.length > 63) causes.push(invalid('metadata.name', name, 'must be no more than 63 characters'));
  return causes;
}
