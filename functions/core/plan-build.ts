/**
 * Plan builders: from a validated DuckLakeCatalog (and a DuckLakeTable or DuckLakeQuery)
 * to the runner's Plan (api/plan.ts). Credentials never enter a plan: the Job passes them
 * as env from a secretKeyRef. Pure.
 */
import type { ObjectStoreSpec } from '../../api/object-store-spec.ts';
import { Plan, type ApplyTablePlan, type CatalogPlan, type CheckPlan, type IngestPlan, type InitCatalogPlan, type ObjectStorePlan, type PlanInput, type QueryPlan, type RestorePlan } from '../../api/plan.ts';
import type { LakeTableSpecInput } from '../../api/table-spec.ts';
import type { DuckLakeTableSpec } from '../../api/ducklake-table.ts';
import type { DuckLakeCatalog, DuckLakeQuery, DuckLakeTable } from './resources.ts';

/** CATALOG_MOUNT is where the catalog volume is mounted in runner pods. */
export const CATALOG_MOUNT = '/var/lib/featherman/catalog';

/** CACHE_DIR is the runner's object cache and scratch folder (an emptyDir). */
export const CACHE_DIR = '/var/cache/featherman';

/** catalogFilePath is the catalog DuckDB file on the mounted volume: `<mount>/<catalog>.ducklake` (pure). */
export function catalogFilePath(catalog: string): string {
  return `${CATALOG_MOUNT}/${catalog}.ducklake`;
}

/** catalogDataPath is the catalog's data path `s3://<bucket>/<prefix>/` (pure). */
export function catalogDataPath(store: Pick<ObjectStoreSpec, 'bucket' | 'prefix'>): string {
  const prefix = store.prefix.replace(/^\/+|\/+$/g, '');
  return prefix === '' ? `s3://${store.bucket}/` : `s3://${store.bucket}/${prefix}/`;
}

/** buildObjectStorePlan maps an ObjectStoreSpec (+ the catalog's KMS key) to the plan's objectStore, without credentials (pure). */
export function buildObjectStorePlan(store: ObjectStoreSpec, kmsKeyId?: string): ObjectStorePlan {
  return {
    ...(store.endpoint !== undefined ? { endpoint: store.endpoint } : {}),
    bucket: store.bucket,
    region: store.region,
    prefix: store.prefix,
    forcePathStyle: store.forcePathStyle,
    ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
  };
}

/** buildCatalogPlan locates the catalog file and names its data path (pure). */
export function buildCatalogPlan(catalog: DuckLakeCatalog): CatalogPlan {
  return { name: catalog.metadata.name, path: catalogFilePath(catalog.metadata.name), dataPath: catalogDataPath(catalog.spec.objectStore) };
}

function common(catalog: DuckLakeCatalog, store: ObjectStoreSpec = catalog.spec.objectStore) {
  return {
    catalog: buildCatalogPlan(catalog),
    objectStore: buildObjectStorePlan(store, catalog.spec.encryption?.kmsKeyId),
    cacheDir: CACHE_DIR,
    author: `featherman/${catalog.metadata.namespace}`,
  };
}

/**
 * tableLocation is where a table's files go (pure): the spec's location, or, when the
 * table overrides the object store without a location, `s3://<its bucket>/<prefix>/<schema>/<name>/`.
 */
export function tableLocation(spec: DuckLakeTableSpec): string | undefined {
  if (spec.location !== undefined || spec.objectStore === undefined) return spec.location;
  return `${catalogDataPath(spec.objectStore)}${spec.schema}/${spec.name}/`;
}

/** toLakeTableSpec maps a DuckLakeTableSpec to the engine's LakeTableSpec: the Kubernetes-only fields stay behind (pure). */
export function toLakeTableSpec(spec: DuckLakeTableSpec): LakeTableSpecInput {
  const location = tableLocation(spec);
  return {
    name: spec.name,
    schema: spec.schema,
    columns: spec.columns.map((column) => ({ ...column })),
    ...(spec.format !== undefined ? { format: { ...spec.format, partitioning: [...spec.format.partitioning] } } : {}),
    ...(location !== undefined ? { location } : {}),
    ...(spec.ttlDays !== undefined ? { ttlDays: spec.ttlDays } : {}),
    ...(spec.ttlColumn !== undefined ? { ttlColumn: spec.ttlColumn } : {}),
    mode: spec.mode,
    ...(spec.ingest !== undefined ? { ingest: spec.ingest } : {}),
    ...(spec.comment !== undefined ? { comment: spec.comment } : {}),
  };
}

// Parsing fills the plan's defaults and proves the builders and api/plan.ts agree; the
// inputs were validated, so a failure here is a bug, reported with every issue.
function finish<T extends Plan>(input: PlanInput): T {
  const parsed = Plan.safeParse(input);
  if (!parsed.success) throw new Error(`built an invalid ${input.op} plan: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data as T;
}

/** buildInitCatalogPlan is the init-catalog plan of a catalog (pure). */
export function buildInitCatalogPlan(catalog: DuckLakeCatalog): InitCatalogPlan {
  return finish({ op: 'init-catalog', ...common(catalog) });
}

/** buildRestorePlan is the restore plan of a catalog created with spec.restore; it never overwrites a catalog file (pure). */
export function buildRestorePlan(catalog: DuckLakeCatalog): RestorePlan {
  return finish({ op: 'restore', ...common(catalog), fromBackup: catalog.spec.restore?.fromBackup ?? 'latest', overwrite: false });
}

/** buildCheckPlan is the consistency-check plan of a catalog (catalog vs bucket, read-only) with the runner's defaults (pure). */
export function buildCheckPlan(catalog: DuckLakeCatalog): CheckPlan {
  return finish({ op: 'check', ...common(catalog) });
}

/** buildApplyTablePlan is the apply-table plan of a table; `drop` drops it (pure). */
export function buildApplyTablePlan(catalog: DuckLakeCatalog, table: DuckLakeTable, options: { drop?: boolean } = {}): ApplyTablePlan {
  return finish({ op: 'apply-table', ...common(catalog, table.spec.objectStore), table: toLakeTableSpec(table.spec), drop: options.drop ?? false });
}

/** buildIngestPlan is the ingest plan of a table; without `keys` the runner takes every new landing file (pure). */
export function buildIngestPlan(catalog: DuckLakeCatalog, table: DuckLakeTable, keys?: readonly string[]): IngestPlan {
  return finish({ op: 'ingest', ...common(catalog, table.spec.objectStore), table: toLakeTableSpec(table.spec), ...(keys ? { keys: [...keys] } : {}) });
}

/** buildQueryPlan is the query plan of a DuckLakeQuery (pure). */
export function buildQueryPlan(catalog: DuckLakeCatalog, query: DuckLakeQuery): QueryPlan {
  const { sql, snapshot, output, previewRows } = query.spec;
  const selector = snapshot?.id !== undefined ? { id: snapshot.id } : snapshot?.timestamp !== undefined ? { timestamp: snapshot.timestamp } : undefined;
  return finish({
    op: 'query',
    ...common(catalog),
    sql,
    ...(selector ? { snapshot: selector } : {}),
    ...(output ? { output: { location: output.location, format: output.format } } : {}),
    previewRows,
  });
}
