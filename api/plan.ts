import { z } from 'zod';
import { BUCKET_NAME, isSafeRelativePath, isSafeS3Url, sqlIdentifier } from './identifiers.ts';
import { LakeTableSpec } from './table-spec.ts';
import { BackupFields, CheckFields, CleanupFilesFields, CompactFields, ExpireRowsFields, ExpireSnapshotsFields, RestoreFields } from './maintenance-plan.ts';

/**
 * ObjectStorePlan names the bucket that holds a catalog's data. Credentials are never
 * part of a plan: the runner reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (from a
 * secretKeyRef) or uses the pod's own identity.
 */
export const ObjectStorePlan = z.object({
  endpoint: z.string().url().optional().describe('S3 endpoint URL; empty means AWS.'),
  bucket: z.string().regex(BUCKET_NAME, 'must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)').describe('Bucket of the data.'),
  region: z.string().regex(/^[a-z0-9-]{1,32}$/, 'must be a region name such as us-east-1').default('us-east-1').describe('Bucket region.'),
  prefix: z
    .string()
    .refine((value) => value === '' || isSafeRelativePath(value), 'must be empty or a relative key prefix without ".."')
    .default('')
    .describe('Key prefix under which the catalog keeps its data.'),
  forcePathStyle: z.boolean().default(false).describe('Use path-style addressing (MinIO and most test servers).'),
  kmsKeyId: z.string().min(1).max(2048).optional().describe('Write every object with SSE-KMS under this key.'),
});
export type ObjectStorePlan = z.infer<typeof ObjectStorePlan>;

/** CatalogPlan locates the catalog DuckDB file and names its data path. */
export const CatalogPlan = z.object({
  name: z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be a DNS label (lower-case letters, digits, hyphens)').describe('Catalog name (the DuckLakeCatalog resource name).'),
  path: z.string().min(1).max(4096).describe('Path of the catalog DuckDB file (on the catalog volume).'),
  dataPath: z
    .string()
    .refine(isSafeS3Url, 'must be an s3://bucket/prefix/ URL')
    .optional()
    .describe('The catalog data_path; default s3://<bucket>/<prefix>/.'),
});
export type CatalogPlan = z.infer<typeof CatalogPlan>;

const common = {
  catalog: CatalogPlan,
  objectStore: ObjectStorePlan,
  lockTimeoutSeconds: z.number().int().min(0).max(3600).default(60).describe('How long to wait for the catalog lock.'),
  cacheDir: z.string().min(1).max(4096).optional().describe('Local folder for the object cache and scratch files.'),
  author: z.string().max(256).optional().describe('Recorded as the snapshot author.'),
};

/** InitCatalogPlan creates a DuckLake 1.0 catalog (idempotent). */
export const InitCatalogPlan = z.object({ op: z.literal('init-catalog'), ...common });

/** ApplyTablePlan creates or evolves a table to match its spec, or drops it. */
export const ApplyTablePlan = z.object({
  op: z.literal('apply-table'),
  ...common,
  table: LakeTableSpec,
  drop: z.boolean().default(false).describe('Drop the table (its files stay until expiry and cleanup).'),
});

/** IngestPlan commits the landing files under the table's ingest prefix. */
export const IngestPlan = z.object({
  op: z.literal('ingest'),
  ...common,
  table: LakeTableSpec,
  keys: z.array(z.string().min(1).max(1024)).max(100000).optional().describe('Only these landing keys (default: all under the prefix).'),
});

/** SnapshotSelector picks a snapshot by id or by time (time travel). */
export const SnapshotSelector = z.union([
  z.object({ id: z.number().int().min(0) }).strict(),
  z.object({ timestamp: z.string().datetime({ offset: true }) }).strict(),
]);
export type SnapshotSelector = z.infer<typeof SnapshotSelector>;

/** QueryPlan runs one read-only SQL statement over the lake's tables. */
export const QueryPlan = z.object({
  op: z.literal('query'),
  ...common,
  sql: z.string().min(1).max(100000).describe('One read-only SELECT over the lake tables.'),
  snapshot: SnapshotSelector.optional().describe('Time travel: a snapshot id or a time; default the latest.'),
  output: z
    .object({
      location: z.string().refine(isSafeS3Url, 'must be an s3://bucket/key URL').describe('Where to write the result.'),
      format: z.enum(['parquet', 'csv', 'json']).default('parquet'),
    })
    .optional()
    .describe('Where the full result goes.'),
  previewRows: z.number().int().min(0).max(1000).default(20).describe('Rows in the preview (at most 2 KiB).'),
});

/** BackupPlan uploads a consistent copy of the catalog file (api/maintenance-plan.ts). */
export const BackupPlan = z.object({ ...BackupFields, ...common });
/** RestorePlan puts a backup in place of a missing catalog (api/maintenance-plan.ts). */
export const RestorePlan = z.object({ ...RestoreFields, ...common });
/** CheckPlan compares the catalog with the bucket (api/maintenance-plan.ts). */
export const CheckPlan = z.object({ ...CheckFields, ...common });
/** ExpireSnapshotsPlan drops old snapshots (api/maintenance-plan.ts). */
export const ExpireSnapshotsPlan = z.object({ ...ExpireSnapshotsFields, ...common });
/** CleanupFilesPlan deletes scheduled and orphan objects (api/maintenance-plan.ts). */
export const CleanupFilesPlan = z.object({ ...CleanupFilesFields, ...common });
/** ExpireRowsPlan removes rows past a table's TTL (api/maintenance-plan.ts). */
export const ExpireRowsPlan = z.object({ ...ExpireRowsFields, ...common });
/** CompactPlan merges small files of a table (api/maintenance-plan.ts). */
export const CompactPlan = z.object({ ...CompactFields, ...common });

/** Plan is the runner's input: one operation, validated at the boundary. */
export const Plan = z.discriminatedUnion('op', [
  InitCatalogPlan, ApplyTablePlan, IngestPlan, QueryPlan,
  BackupPlan, RestorePlan, CheckPlan, ExpireSnapshotsPlan, CleanupFilesPlan, ExpireRowsPlan, CompactPlan,
]);
export type Plan = z.infer<typeof Plan>;
export type PlanInput = z.input<typeof Plan>;
export type InitCatalogPlan = z.infer<typeof InitCatalogPlan>;
export type ApplyTablePlan = z.infer<typeof ApplyTablePlan>;
export type IngestPlan = z.infer<typeof IngestPlan>;
export type QueryPlan = z.infer<typeof QueryPlan>;
export type BackupPlan = z.infer<typeof BackupPlan>;
export type RestorePlan = z.infer<typeof RestorePlan>;
export type CheckPlan = z.infer<typeof CheckPlan>;
export type ExpireSnapshotsPlan = z.infer<typeof ExpireSnapshotsPlan>;
export type CleanupFilesPlan = z.infer<typeof CleanupFilesPlan>;
export type ExpireRowsPlan = z.infer<typeof ExpireRowsPlan>;
export type CompactPlan = z.infer<typeof CompactPlan>;

/** sqlSchemaName re-exports the identifier rule for callers that validate schema names. */
export const sqlSchemaName = sqlIdentifier;
