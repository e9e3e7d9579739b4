import { z } from 'zod';
import { isColumnTypeError, parseColumnType } from './column-type.ts';
import { isSafeRelativePath, isSafeS3Url, S3_URL, sqlIdentifier } from './identifiers.ts';
import { parsePartitionKey } from './partition-spec.ts';

/** ColumnSpec is one declared column of a DuckLake table. */
export const ColumnSpec = z.object({
  name: sqlIdentifier.describe('SQL name of the column.'),
  type: z
    .string()
    .min(1)
    .max(1024)
    .superRefine((text, ctx) => {
      const parsed = parseColumnType(text);
      if (isColumnTypeError(parsed)) ctx.addIssue({ code: 'custom', message: `${parsed.error}; got ${JSON.stringify(text)}` });
    })
    .describe('DuckLake column type in DuckDB spelling, any letter case: INTEGER, VARCHAR, DECIMAL(10,2), TIMESTAMP, INTEGER[], STRUCT(a INTEGER), MAP(VARCHAR, INTEGER), …'),
  nullable: z.boolean().default(true).describe('Whether the column accepts NULL.'),
  comment: z.string().max(1024).optional().describe('Free-text comment stored as a column tag.'),
  renamedFrom: sqlIdentifier.optional().describe('The previous name of this column: renames it, keeping its data.'),
});
export type ColumnSpec = z.infer<typeof ColumnSpec>;

/** IngestOptions are the reader options for landing files. */
export const IngestOptions = z.object({
  header: z.boolean().optional().describe('CSV: the first line holds column names (default true).'),
  delimiter: z.string().min(1).max(4).optional().describe('CSV: field delimiter (default ",").'),
  quote: z.string().length(1).optional().describe('CSV: quote character (default \'"\').'),
  escape: z.string().length(1).optional().describe('CSV: escape character.'),
  nullString: z.string().max(64).optional().describe('CSV: the text that means NULL.'),
  dateFormat: z.string().max(64).optional().describe('CSV/JSON: strptime format of DATE values.'),
  timestampFormat: z.string().max(64).optional().describe('CSV/JSON: strptime format of TIMESTAMP values.'),
  jsonFormat: z.enum(['auto', 'newline_delimited', 'array']).optional().describe('JSON: records one per line or one array.'),
});
export type IngestOptions = z.infer<typeof IngestOptions>;

/** IngestSpec says where landing files arrive and how to read them. */
export const IngestSpec = z.object({
  prefix: z
    .string()
    .refine(isSafeRelativePath, 'must be a relative key prefix made of letters, digits, ".", "_", "=", "-" and "/" (no "..")')
    .describe('Key prefix (in the catalog bucket) under which landing files arrive.'),
  format: z.enum(['csv', 'parquet', 'json']).default('csv').describe('Format of the landing files.'),
  options: IngestOptions.default({}).describe('Reader options for the landing files.'),
  deleteAfterIngest: z.boolean().default(false).describe('Delete landing files once their rows are committed.'),
});
export type IngestSpec = z.infer<typeof IngestSpec>;

/** FormatSpec is how the table's Parquet files are written. */
export const FormatSpec = z.object({
  compression: z.enum(['ZSTD', 'SNAPPY']).default('ZSTD').describe('Parquet compression codec.'),
  partitioning: z
    .array(z.string().max(128))
    .max(8)
    .default([])
    .superRefine((keys, ctx) => {
      keys.forEach((key, index) => {
        const parsed = parsePartitionKey(key);
        if ('error' in parsed) ctx.addIssue({ code: 'custom', path: [index], message: `${parsed.error}; got ${JSON.stringify(key)}` });
      });
    })
    .describe('Partition keys: a column, year(col), month(col), day(col), hour(col) or bucket(N, col).'),
  targetFileSizeMB: z.number().int().min(1).max(4096).default(128).describe('Target size of a data file in MiB.'),
});
export type FormatSpec = z.infer<typeof FormatSpec>;

/**
 * TableLocation is where a table's files live: a relative path under its schema's folder in
 * the catalog data path, or an absolute `s3://bucket/path/` URL. A bucket root is refused:
 * a table's folder is what its drop deletes and what its catalog's cleanup lists.
 */
export const TableLocation = z
  .string()
  .max(1024)
  .refine((value) => isSafeRelativePath(value) || (isSafeS3Url(value) && S3_URL.exec(value)?.[2] !== ''), 'must be a relative path under the catalog data path or an absolute s3://bucket/path/ URL with a folder, without ".."');

/**
 * LakeTableSpec is the engine's view of a DuckLakeTable: everything the runner needs to
 * create, evolve, fill and expire one table. The CRD spec (api/ducklake-table.ts) adds
 * the Kubernetes-only fields (catalogRef, deletionPolicy, objectStore override).
 */
export const LakeTableSpec = z.object({
  name: sqlIdentifier.describe('SQL name of the table.'),
  schema: sqlIdentifier.default('main').describe('SQL schema of the table.'),
  columns: z.array(ColumnSpec).min(1).max(1000).describe('The columns, in order.'),
  format: FormatSpec.default({ compression: 'ZSTD', partitioning: [], targetFileSizeMB: 128 }).describe('How data files are written.'),
  location: TableLocation.optional().describe('Where the table\'s files live: a path under the catalog data path, or an absolute s3:// URL.'),
  ttlDays: z.number().int().min(1).max(36500).optional().describe('Rows older than this many days are expired.'),
  ttlColumn: sqlIdentifier.optional().describe('The TIMESTAMP or DATE column that ages a row.'),
  mode: z.enum(['append', 'overwrite']).default('append').describe('append adds rows; overwrite replaces the table contents on each ingest.'),
  ingest: IngestSpec.optional().describe('Landing files to ingest.'),
  comment: z.string().max(4096).optional().describe('Free-text comment stored as a table tag.'),
}).superRefine((spec, ctx) => {
  const names = new Set<string>();
  spec.columns.forEach((column, index) => {
    const key = column.name.toLowerCase();
    if (names.has(key)) ctx.addIssue({ code: 'custom', path: ['columns', index, 'name'], message: `must be unique; got ${JSON.stringify(column.name)} twice` });
    names.add(key);
  });
  spec.format.partitioning.forEach((text, index) => {
    const parsed = parsePartitionKey(text);
    if (!('error' in parsed) && !names.has(parsed.column.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['format', 'partitioning', index], message: `must name a declared column; got ${JSON.stringify(parsed.column)}` });
    }
  });
  if (spec.ttlColumn !== undefined && !names.has(spec.ttlColumn.toLowerCase())) {
    ctx.addIssue({ code: 'custom', path: ['ttlColumn'], message: `must name a declared column; got ${JSON.stringify(spec.ttlColumn)}` });
  }
  if ((spec.ttlDays === undefined) !== (spec.ttlColumn === undefined)) {
    ctx.addIssue({ code: 'custom', path: [spec.ttlDays === undefined ? 'ttlDays' : 'ttlColumn'], message: 'must be set together with ttlDays and ttlColumn' });
  }
});
export type LakeTableSpec = z.infer<typeof LakeTableSpec>;
export type LakeTableSpecInput = z.input<typeof LakeTableSpec>;
