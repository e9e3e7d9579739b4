/**
 * CustomResourceDefinitions: checking a CRD, turning its served versions into served
 * resources, and the status (`NamesAccepted`, `Established`, `acceptedNames`) the real
 * server's controllers would write (pure).
 */
import { ALL_VERBS } from './builtin-kinds.ts';
import { servedFromDescriptor, type ServedResource } from './registry.ts';
import type { JSONSchemaProps, JsonObject, PrinterColumn, StatusCause } from './types.ts';

interface CrdNames {
  plural: string;
  singular: string;
  kind: string;
  listKind: string;
  shortNames: string[];
  categories: string[];
}

interface CrdVersion {
  name: string;
  served: boolean;
  storage: boolean;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

function asObject(value: unknown): JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as JsonObject : {};
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** crdNames reads spec.names with the defaults the server fills in (singular, listKind). */
export function crdNames(crd: JsonObject): CrdNames {
  const names = asObject(asObject(crd.spec).names);
  const kind = typeof names.kind === 'string' ? names.kind : '';
  return {
    plural: typeof names.plural === 'string' ? names.plural : '',
    singular: typeof names.singular === 'string' && names.singular ? names.singular : kind.toLowerCase(),
    kind,
    listKind: typeof names.listKind === 'string' && names.listKind ? names.listKind : `${kind}List`,
    shortNames: stringList(names.shortNames),
    categories: stringList(names.categories),
  };
}

function crdVersions(crd: JsonObject): CrdVersion[] {
  const versions = asObject(crd.spec).versions;
  return Array.isArray(versions) ? versions.map((version) => asObject(version) as unknown as CrdVersion) : [];
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** validateCrd returns the field errors of a CRD, as the real server words them (pure). */
export function validateCrd(crd: JsonObject): StatusCause[] {
  const causes: StatusCause[] = [];
  const spec = asObject(crd.spec);
  const names = crdNames(crd);
  const group = typeof spec.group === 'string' ? spec.group : '';
  const name = String(asObject(crd.metadata).name ?? '');
  const invalid = (field: string, value: unknown, message: string): void => {
    causes.push({ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` });
  };
  const required = (field: string): void => {
    causes.push({ reason: 'FieldValueRequired', field, message: 'Required value' });
  };
  if (!group) required('spec.group');
  else if (!group.includes('.')) invalid('spec.group', group, 'should be a domain with at least one dot');
  if (!names.plural) required('spec.names.plural');
  else if (!DNS_LABEL.test(names.plural)) invalid('spec.names.plural', names.plural, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\'');
  if (!names.kind) required('spec.names.kind');
  if (group && names.plural && name !== `${names.plural}.${group}`) {
    invalid('metadata.name', name, 'must be spec.names.plural+"."+spec.group');
  }
  if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    causes.push({ reason: 'FieldValueNotSupported', field: 'spec.scope', message: `Unsupported value: ${JSON.stringify(spec.scope ?? '')}: supported values: "Cluster", "Namespaced"` });
  }
  const versions = crdVersions(crd);
  if (versions.length === 0) required('spec.versions');
  const storage = versions.filter((version) => version.storage === true).length;
  if (versions.length > 0 && storage !== 1) {
    invalid('spec.versions', versions.map((version) => version.name), 'must have exactly one version marked as storage version');
  }
  versions.forEach((version, index) => {
    if (!version.schema?.openAPIV3Schema) required(`spec.versions[${index}].schema.openAPIV3Schema`);
  });
  return causes;
}

/** servedResourcesOfCrd lists the resources a CRD serves, one per served version (pure). */
export function servedResourcesOfCrd(crd: JsonObject): ServedResource[] {
  const spec = asObject(crd.spec);
  const names = crdNames(crd);
  const crdName = String(asObject(crd.metadata).name ?? '');
  return crdVersions(crd).filter((version) => version.served !== false).map((version) => servedFromDescriptor({
    group: String(spec.group ?? ''),
    version: version.name,
    kind: names.kind,
    listKind: names.listKind,
    plural: names.plural,
    singular: names.singular,
    namespaced: spec.scope === 'Namespaced',
    shortNames: names.shortNames,
    categories: names.categories,
    verbs: ALL_VERBS,
    subresources: { status: version.subresources?.status !== undefined },
    schema: version.schema?.openAPIV3Schema,
    printerColumns: version.additionalPrinterColumns ?? [],
    builtin: false,
  }, crdName));
}

/**
 * buildCrdStatus returns the status the apiextensions controllers settle on for an
 * accepted CRD: both conditions True, acceptedNames and storedVersions (pure).
 */
export function buildCrdStatus(crd: JsonObject, previous: JsonObject | undefined, now: Date): JsonObject {
  const time = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const previousConditions = Array.isArray(asObject(previous).conditions) ? asObject(previous).conditions as JsonObject[] : [];
  const since = (type: string): string => String(previousConditions.find((condition) => condition.type === type)?.lastTransitionTime ?? time);
  const names = crdNames(crd);
  const storage = crdVersions(crd).find((version) => version.storage)?.name;
  const stored = stringList(asObject(previous).storedVersions);
  if (storage && !stored.includes(storage)) stored.push(storage);
  return {
    acceptedNames: {
      plural: names.plural, singular: names.singular, kind: names.kind, listKind: names.listKind,
      ...(names.shortNames.length > 0 ? { shortNames: names.shortNames } : {}),
      ...(names.categories.length > 0 ? { categories: names.categories } : {}),
    },
    conditions: [
      { type: 'NamesAccepted', status: 'True', lastTransitionTime: since('NamesAccepted'), reason: 'NoConflicts', message: 'no conflicts found' },
      { type: 'Established', status: 'True', lastTransitionTime: since('Established'), reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
    ],
    storedVersions: stored,
  };
}
