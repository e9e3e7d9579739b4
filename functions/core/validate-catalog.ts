import { DuckLakeCatalogSpec, DuckLakeCatalogStatus } from '../../api/ducklake-catalog.ts';
import { BACKUP_NAME } from '../../api/maintenance-plan.ts';
import { issue, type ValidationResult } from '../../api/issues.ts';
import { API_VERSION, type DuckLakeCatalog, type ResourceMeta } from './resources.ts';
import { isDnsLabel, validateResource } from './validate-resource.ts';

/**
 * checkCatalogMetadata holds the lookup-free rules the schema cannot say (pure): the catalog's
 * name names its volume, its catalog file and a label value, so it must be a DNS label.
 */
export function checkCatalogMetadata(metadata: ResourceMeta): string[] {
  if (isDnsLabel(metadata.name)) return [];
  return [issue(['metadata', 'name'], 'must be a DNS label of at most 63 characters (lower-case letters, digits, hyphens) because it names the catalog volume and file', metadata.name)];
}

/** checkCatalog holds the spec rules the CRD schema is looser about (pure): a restore names a backup the runner can find. */
export function checkCatalog(catalog: DuckLakeCatalog): string[] {
  const from = catalog.spec.restore?.fromBackup;
  if (from === undefined || from === 'latest' || BACKUP_NAME.test(from)) return [];
  return [issue(['spec', 'restore', 'fromBackup'], 'must be "latest" or a backup name such as 20261125T140000Z.ducklake', from)];
}

/**
 * validateCatalog parses a DuckLakeCatalog (from the API or a manifest) with the api/ zod
 * schemas plus checkCatalogMetadata, returning the typed resource or every issue at once (pure).
 */
export function validateCatalog(obj: unknown): ValidationResult<DuckLakeCatalog> {
  return validateResource(
    obj,
    'DuckLakeCatalog',
    DuckLakeCatalogSpec,
    DuckLakeCatalogStatus,
    ({ metadata, spec, status }): DuckLakeCatalog => ({ apiVersion: API_VERSION, kind: 'DuckLakeCatalog', metadata, spec, ...(status ? { status } : {}) }),
    checkCatalog,
    checkCatalogMetadata,
  );
}
