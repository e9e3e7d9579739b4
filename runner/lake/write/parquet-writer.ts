/**
 * Parquet writing with DuckDB's `COPY … TO` (format appendix): field ids = DuckLake column
 * ids, the table's compression, file names `ducklake-<uuidv7>.parquet`, files near the
 * target size, per-file statistics from RETURN_STATS. Partitioned tables are written with
 * hidden partition columns (PARTITION_BY, not stored in the file; identity columns stay in
 * the file as ordinary columns). DuckDB refuses FILE_SIZE_BYTES together with PARTITION_BY,
 * so a partition file bigger than the target is split by a second COPY of that file alone.
 */
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryRowsBig, runSql } from '../duckdb.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { MURMUR3_MACROS } from './murmur3.ts';
import { buildPartitionedSelect, partitionDirectory, type PartitionField, type PartitionSourceColumn } from './partition.ts';
import { buildFileColumnStats, mapEntries, toRawStats, type FileColumnStats } from './stats-text.ts';
import { duckdbType, fieldIdsLiteral, leafColumns, type ColumnNode } from './table-columns.ts';

/** WriteDataFilesOptions says what to write and where. */
export interface WriteDataFilesOptions {
  connection: DuckDBConnection;
  /** SQL of a relation that yields the table's top-level columns by name (built by us, never user text). */
  source: string;
  columns: readonly ColumnNode[];
  partitionFields: readonly PartitionField[];
  compression: 'zstd' | 'snappy';
  targetFileSizeBytes: number;
  /** An empty local folder the files are written under. */
  outDir: string;
  /**
   * watchDir, when set, is told the folder an unpartitioned COPY writes its files into,
   * before the COPY starts (to upload them while they grow).
   */
  watchDir?: (dir: string) => void;
}

/** WrittenFile is one Parquet file ready to upload and register. */
export interface WrittenFile {
  localPath: string;
  /** Path relative to the table directory: partition directories + file name. */
  relativePath: string;
  rowCount: number;
  sizeBytes: number;
  footerSize: number;
  columnStats: FileColumnStats[];
  /** Transformed partition values in key order (null for a NULL key); empty when unpartitioned. */
  partitionValues: (string | null)[];
}

/** FILE_NAME_PATTERN is DuckDB's name pattern for data files (format §6). */
export const FILE_NAME_PATTERN = 'ducklake-{uuidv7}';

/** SPLIT_FACTOR is how far above the target a partition file may grow before it is split. */
export const SPLIT_FACTOR = 1.25;

/**
 * castSelect renders `SELECT CAST("a" AS INTEGER) AS "a", … FROM (<source>)` (pure). A
 * column declared NOT NULL raises a DuckDB error naming the column when a row holds NULL.
 */
export function castSelect(source: string, columns: readonly ColumnNode[]): string {
  const list = columns.map((column) => {
    const name = quoteIdentifier(column.name);
    const cast = `CAST(${name} AS ${duckdbType(column)})`;
    const value = column.nullable ? cast : `CASE WHEN ${name} IS NULL THEN error(${quoteString(`column ${column.name} is NOT NULL but a row holds NULL`)}) ELSE ${cast} END`;
    return `${value} AS ${name}`;
  });
  return `SELECT ${list.join(', ')} FROM (${source})`;
}

/**
 * rowGroupBytes caps a row group at a quarter of the target (uncompressed bytes), so that
 * FILE_SIZE_BYTES, which DuckDB checks between row groups, can stop near the target.
 */
export function rowGroupBytes(targetFileSizeBytes: number): number {
  return Math.max(64 * 1024, Math.floor(targetFileSizeBytes / 4));
}

function copyOptions(options: WriteDataFilesOptions, extra: string[]): string {
  return [
    'FORMAT parquet',
    `COMPRESSION ${options.compression === 'snappy' ? 'snappy' : 'zstd'}`,
    `FIELD_IDS ${fieldIdsLiteral(options.columns)}`,
    `FILENAME_PATTERN ${quoteString(FILE_NAME_PATTERN)}`,
    'RETURN_STATS',
    `ROW_GROUP_SIZE_BYTES ${rowGroupBytes(options.targetFileSizeBytes)}`,
    ...extra,
  ].join(', ');
}

interface CopiedFile {
  path: string;
  rowCount: number;
  sizeBytes: number;
  footerSize: number;
  stats: Map<string, Map<string, string | null>>;
  partitionKeys: Map<string, string | null>;
}

async function copy(connection: DuckDBConnection, sql: string): Promise<CopiedFile[]> {
  const rows = await queryRowsBig(connection, sql);
  return rows.map((row) => ({
    path: String(row.filename),
    rowCount: Number(row.count),
    sizeBytes: Number(row.file_size_bytes),
    footerSize: Number(row.footer_size_bytes),
    stats: toRawStats(row.column_statistics),
    partitionKeys: new Map(mapEntries(row.partition_keys).map(([key, value]) => [key, value === null || value === undefined ? null : String(value)])),
  }));
}

/**
 * writeDataFiles runs the COPY statements and returns one entry per written file (side
 * effects: files under outDir, temp macros on the connection, and the instance setting
 * preserve_insertion_order=false, which ROW_GROUP_SIZE_BYTES needs and which lets DuckDB
 * write in parallel; row order within a batch carries no meaning). An empty source
 * writes no file.
 */
export async function writeDataFiles(options: WriteDataFilesOptions): Promise<WrittenFile[]> {
  const files = await writeAll(options);
  const first = files[0];
  if (first) await assertFieldIds(options.connection, first.localPath, options.columns);
  return files;
}

function expectedFieldIds(columns: readonly ColumnNode[]): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (node: ColumnNode) => {
    out.set(`${node.name}:${node.columnId}`, node.columnId);
    node.children.forEach(walk);
  };
  columns.forEach(walk);
  return out;
}

/**
 * assertFieldIds reads a written file's schema with parquet_schema() and checks that its
 * field ids are exactly the DuckLake column ids, nested ones included (read only). Every
 * file of one COPY shares the schema, so one file is checked per write.
 */
export async function assertFieldIds(connection: DuckDBConnection, path: string, columns: readonly ColumnNode[]): Promise<void> {
  const rows = await queryRowsBig(connection, `SELECT name, field_id FROM parquet_schema(${quoteString(path)}) WHERE field_id IS NOT NULL`);
  const got = rows.map((row) => `${String(row.name)}:${String(row.field_id)}`).sort();
  const want = [...expectedFieldIds(columns).keys()].sort();
  if (got.join(',') !== want.join(',')) {
    throw new Error(`Parquet file ${basename(path)} has field ids [${got.join(', ')}]; expected [${want.join(', ')}]`);
  }
}

async function writeAll(options: WriteDataFilesOptions): Promise<WrittenFile[]> {
  const { connection, columns, partitionFields } = options;
  const leaves = leafColumns(columns);
  const select = castSelect(options.source, columns);
  await mkdir(options.outDir, { recursive: true });
  await runSql(connection, 'SET preserve_insertion_order = false');
  const finish = (file: CopiedFile, values: (string | null)[], relativeDir: string): WrittenFile => ({
    localPath: file.path,
    relativePath: `${relativeDir}${basename(file.path)}`,
    rowCount: file.rowCount,
    sizeBytes: file.sizeBytes,
    footerSize: file.footerSize,
    columnStats: buildFileColumnStats(leaves, file.stats, file.rowCount),
    partitionValues: values,
  });
  if (partitionFields.length === 0) {
    const dir = join(options.outDir, 'files');
    options.watchDir?.(dir);
    const files = await copy(connection, `COPY (${select}) TO ${quoteString(dir)} (${copyOptions(options, [`FILE_SIZE_BYTES ${Math.max(1, Math.floor(options.targetFileSizeBytes))}`])})`);
    return files.filter((file) => file.rowCount > 0).map((file) => finish(file, [], ''));
  }
  for (const macro of MURMUR3_MACROS) await runSql(connection, macro);
  const sourceColumns: PartitionSourceColumn[] = columns.map((column) => ({ name: column.name, columnId: column.columnId, type: column.typeName }));
  const partitioned = buildPartitionedSelect(select, partitionFields, sourceColumns);
  const stageDir = join(options.outDir, 'stage');
  const hidden = partitionFields.map((field) => field.hidden);
  const staged = await copy(connection, `COPY (${partitioned}) TO ${quoteString(stageDir)} (${copyOptions(options, [
    `PARTITION_BY (${hidden.join(', ')})`, 'WRITE_PARTITION_COLUMNS false',
  ])})`);
  const out: WrittenFile[] = [];
  let split = 0;
  for (const file of staged) {
    if (file.rowCount === 0) continue;
    const values = hidden.map((name) => file.partitionKeys.get(name) ?? null);
    const relativeDir = partitionDirectory(partitionFields, values);
    if (file.sizeBytes <= options.targetFileSizeBytes * SPLIT_FACTOR) {
      out.push(finish(file, values, relativeDir));
      continue;
    }
    const splitDir = join(options.outDir, `split-${split++}`);
    const parts = await copy(connection, `COPY (${castSelect(`SELECT * FROM read_parquet(${quoteString(file.path)})`, columns)}) TO ${quoteString(splitDir)} (${copyOptions(options, [
      `FILE_SIZE_BYTES ${Math.max(1, Math.floor(options.targetFileSizeBytes))}`,
    ])})`);
    await rm(file.path, { force: true });
    for (const part of parts) if (part.rowCount > 0) out.push(finish(part, values, relativeDir));
  }
  return out;
}
