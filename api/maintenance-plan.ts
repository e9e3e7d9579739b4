/**
 * The op-specific fields of the maintenance plans (issue "Keeping the lake"). api/plan.ts
 * combines each with the common plan fields (catalog, objectStore, lock timeout, …) into
 * BackupPlan, RestorePlan, CheckPlan, ExpireSnapshotsPlan, CleanupFilesPlan,
 * ExpireRowsPlan and CompactPlan, and adds them to the Plan union. This file imports
 * nothing from plan.ts, so the two modules never form an import cycle.
 *
 * Example plans (common fields elided):
 *   { "op": "backup", "retentionDays": 30 }
 *   { "op": "restore", "fromBackup": "latest" }
 *   { "op": "check", "graceHours": 24, "maxListed": 10 }
 *   { "op": "expire-snapshots", "olderThanDays": 7, "keepSnapshots": [12] }
 *   { "op": "cleanup-files", "graceHours": 48, "dryRun": true }
 *   { "op": "expire-rows", "table": { "schema": "main", "name": "sales", "ttlDays": 90, "ttlColumn": "ts" } }
 *   { "op": "compact", "table": { "schema": "main", "name": "sales" }, "targetFileSizeMB": 128 }
 */
import { z } from 'zod';
import { sqlIdentifier } from './identifiers.ts';

/** BACKUP_NAME is the shape of a backup object's file name: `<UTC time, colon-free>.ducklake`. */
export const BACKUP_NAME = /^\d{8}T\d{6}(\d{3})?Z\.ducklake$/;

/** TableRef names one table of the catalog. */
export const TableRef = z.object({
  schema: sqlIdentifier.default('main').describe('SQL schema of the table.'),
  name: sqlIdentifier.describe('SQL name of the table.'),
});
export type TableRef = z.infer<typeof TableRef>;

const graceHours = z.number().min(0).max(24 * 365).default(24)
  .describe('Objects younger than this many hours are never treated as orphans (an upload may be in flight).');

/** BackupFields: upload a consistent copy of the catalog file, then drop backups past the retention. */
export const BackupFields = {
  op: z.literal('backup'),
  retentionDays: z.number().int().min(0).max(36500).optional().describe('Delete backups older than this many days (never the one just made); default keep all.'),
};

/** RestoreFields: put a backup in place of a missing catalog. */
export const RestoreFields = {
  op: z.literal('restore'),
  fromBackup: z
    .string()
    .refine((value) => value === 'latest' || BACKUP_NAME.test(value), 'must be "latest" or a backup name such as 20261125T140000Z.ducklake')
    .default('latest')
    .describe('A backup name under <prefix>/_backups/<catalog>/, or "latest".'),
  overwrite: z.boolean().default(false).describe('Replace an existing catalog file (the old one is kept beside it as .replaced-<time>).'),
};

/** CheckFields: compare the catalog with the bucket. */
export const CheckFields = {
  op: z.literal('check'),
  graceHours,
  maxListed: z.number().int().min(0).max(200).default(10).describe('At most this many keys of each kind in the result (the counts are exact).'),
};

/** ExpireSnapshotsFields: drop old snapshots and schedule the files only they referenced. */
export const ExpireSnapshotsFields = {
  op: z.literal('expire-snapshots'),
  olderThanDays: z.number().min(0).max(36500).default(7).describe('Snapshots committed more than this many days ago are expired (never the latest).'),
  keepSnapshots: z.array(z.number().int().min(0)).max(10000).default([]).describe('Snapshot ids to keep whatever their age (pending queries, backups).'),
  keepBackupSnapshots: z.boolean().default(true).describe('Also keep the snapshot each retained backup holds (read from the backup manifests).'),
};

/** CleanupFilesFields: delete scheduled files past the grace period, and orphans. */
export const CleanupFilesFields = {
  op: z.literal('cleanup-files'),
  graceHours,
  orphans: z.boolean().default(true).describe('Also delete Parquet objects under table paths that no snapshot references, and abort abandoned multipart uploads of lake files and backups.'),
  dryRun: z.boolean().default(false).describe('Only list what would be deleted.'),
};

/** ExpireRowsFields: the TTL of one table. */
export const ExpireRowsFields = {
  op: z.literal('expire-rows'),
  table: TableRef.extend({
    ttlDays: z.number().int().min(1).max(36500).describe('Rows older than this many days are removed.'),
    ttlColumn: sqlIdentifier.describe('The TIMESTAMP, TIMESTAMPTZ or DATE column that ages a row.'),
  }),
};

/** CompactFields: merge small files of one table. */
export const CompactFields = {
  op: z.literal('compact'),
  table: TableRef,
  targetFileSizeMB: z.number().int().min(1).max(4096).default(128).describe('Size the merged files aim at, in MiB.'),
  smallFileRatio: z.number().gt(0).max(1).default(0.5).describe('A file smaller than this share of the target is small.'),
  minSmallFiles: z.number().int().min(2).max(100000).default(4).describe('A partition is merged when it holds at least this many small files.'),
  deletedShare: z.number().gt(0).max(1).default(0.2).describe('A file whose deleted rows reach this share is rewritten.'),
  compression: z.enum(['ZSTD', 'SNAPPY']).default('ZSTD').describe('Parquet compression of the merged files.'),
  force: z.boolean().default(false).describe('Merge every partition with two or more files, or with deletes, whatever the cost rule says.'),
};
