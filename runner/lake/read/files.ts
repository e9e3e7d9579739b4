import { listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { readColumns, toNumber, toText } from './rows.ts';
import { joinLakePath, type LakeTable } from './tables.ts';

/** ColumnStats are one file's bounds for one leaf column, as text (DuckLake §8). */
export interface ColumnStats {
  min: string | null;
  max: string | null;
  nullCount: number | null;
  /** Non-NULL values (what the extension writes). */
  valueCount: number | null;
  containsNan: boolean | null;
}

/** LakeDeleteFile is the delete file that masks rows of one data file at the snapshot. */
export interface LakeDeleteFile {
  id: number;
  path: string;
  sizeBytes: number;
  format: string;
  deleteCount: number;
}

/** LakeDataFile is one data file visible at a snapshot, with its stats and partition values. */
export interface LakeDataFile {
  id: number;
  /** Full path: data_path + schema path + table path + file path (DuckLake §6). */
  path: string;
  recordCount: number;
  sizeBytes: number;
  partitionId: number | null;
  partialMax: number | null;
  mappingId: number | null;
  /** Transformed key values by partition_key_index; null entries are NULL keys. */
  partitionValues: (string | null)[];
  stats: Map<number, ColumnStats>;
  deleteFile: LakeDeleteFile | null;
}

/**
 * PartitionValueFilter keeps only files whose value for one partition key is in `values`
 * (or NULL when `allowNull`). It is a pre-filter that pruning later re-checks exactly.
 */
export interface PartitionValueFilter {
  keyIndex: number;
  values: readonly string[];
  allowNull: boolean;
}

/** ReadFilesOptions narrow what is read: stats of these column ids only (default all), files passing these key filters only. */
export interface ReadFilesOptions {
  statsColumnIds?: readonly number[];
  partitionFilters?: readonly PartitionValueFilter[];
}

/** PartitionCombo is one distinct (partition spec, key values) pair among a table's visible files. */
export interface PartitionCombo {
  partitionId: number | null;
  values: (string | null)[];
  files: number;
}

const VISIBLE = (alias: string): string =>
  `? >= ${alias}.begin_snapshot AND (${alias}.end_snapshot IS NULL OR ? < ${alias}.end_snapshot)`;

/**
 * readFiles lists the data files of one table visible at snapshot S, each with its
 * visible delete file (DuckLake §7.2), its column stats and its partition values, in
 * three catalog queries whatever the file count (catalog reads only).
 */
export async function readFiles(
  connection: DuckDBConnection,
  snapshotId: number,
  table: LakeTable,
  options: ReadFilesOptions = {},
): Promise<LakeDataFile[]> {
  const s = BigInt(snapshotId);
  const t = BigInt(table.tableId);
  const filter = buildFileFilter(t, options.partitionFilters ?? []);
  // Partition values ride along as one LEFT JOIN per key index (a handful at most).
  const keyCount = Math.max(0, ...[...table.partitionSpecs.values()].map((spec) => spec.length));
  const keyColumns: string[] = [];
  const keyJoins: string[] = [];
  const keyParams: DuckDBValue[] = [];
  for (let k = 0; k < keyCount; k += 1) {
    keyColumns.push(`, p${k}.partition_value AS pv${k}, p${k}.data_file_id IS NOT NULL AS has${k}`);
    keyJoins.push(`LEFT JOIN ducklake_file_partition_value p${k} ON p${k}.data_file_id = d.data_file_id AND p${k}.table_id = ? AND p${k}.partition_key_index = ${k}`);
    keyParams.push(t);
  }
  const files = await readColumns(
    connection,
    `SELECT d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.partition_id, d.partial_max, d.mapping_id,
            del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.format AS del_format,
            del.delete_count, del.file_size_bytes AS del_size${keyColumns.join('')}
     FROM ducklake_data_file d
     LEFT JOIN (SELECT * FROM ducklake_delete_file x WHERE x.table_id = ? AND ${VISIBLE('x')}) del USING (data_file_id)
     ${keyJoins.join(' ')}
     WHERE d.table_id = ? AND ${VISIBLE('d')}${filter.sql}
     ORDER BY d.file_order NULLS LAST, d.data_file_id`,
    [t, s, s, ...keyParams, t, s, s, ...filter.params],
  );
  const ids = files.data_file_id ?? [];
  const result: LakeDataFile[] = new Array<LakeDataFile>(ids.length);
  const index = new Map<number, LakeDataFile>();
  for (let i = 0; i < ids.length; i += 1) {
    const deleteId = toNumber(files.delete_file_id?.[i]);
    const file: LakeDataFile = {
      id: toNumber(ids[i]) ?? -1,
      path: joinLakePath(table.path, toText(files.path?.[i]), files.path_is_relative?.[i] as boolean | null),
      recordCount: toNumber(files.record_count?.[i]) ?? 0,
      sizeBytes: toNumber(files.file_size_bytes?.[i]) ?? 0,
      partitionId: toNumber(files.partition_id?.[i]),
      partialMax: toNumber(files.partial_max?.[i]),
      mappingId: toNumber(files.mapping_id?.[i]),
      partitionValues: [],
      stats: new Map(),
      deleteFile:
        deleteId === null
          ? null
          : {
              id: deleteId,
              path: joinLakePath(table.path, toText(files.del_path?.[i]), files.del_rel?.[i] as boolean | null),
              sizeBytes: toNumber(files.del_size?.[i]) ?? 0,
              format: toText(files.del_format?.[i]) ?? 'parquet',
              deleteCount: toNumber(files.delete_count?.[i]) ?? 0,
            },
    };
    // A key without a row stays a hole (unknown); a row with NULL is a NULL key.
    for (let k = 0; k < keyCount; k += 1) if (files[`has${k}`]?.[i] === true) file.partitionValues[k] = toText(files[`pv${k}`]?.[i]);
    result[i] = file;
    index.set(file.id, file);
  }
  if (result.length === 0) return result;
  // With partition filters, stats and values are narrowed by the same semi-joins on the
  // (small) partition-value table; rows of files not listed are ignored below. Without
  // them, the visibility join narrows to the listed files.
  const scope: FileFilter =
    filter.sql !== ''
      ? { sql: filter.sql.replaceAll('d.data_file_id IN', 'x.data_file_id IN'), params: filter.params }
      : {
          sql: ` AND x.data_file_id IN (SELECT d.data_file_id FROM ducklake_data_file d WHERE d.table_id = ? AND ${VISIBLE('d')})`,
          params: [t, s, s],
        };
  if (options.statsColumnIds === undefined || options.statsColumnIds.length > 0) {
    await attachStats(connection, t, index, options.statsColumnIds, scope);
  }
  return result;
}

interface FileFilter {
  sql: string;
  params: DuckDBValue[];
}

/** buildFileFilter renders the partition pre-filters as semi-joins on alias `d`, values bound (pure). */
function buildFileFilter(t: bigint, filters: readonly PartitionValueFilter[]): FileFilter {
  let sql = '';
  const params: DuckDBValue[] = [];
  for (const filter of filters) {
    sql += ` AND d.data_file_id IN (SELECT data_file_id FROM ducklake_file_partition_value
               WHERE table_id = ? AND partition_key_index = ? AND (list_contains(?::VARCHAR[], partition_value) OR (? AND partition_value IS NULL)))`;
    params.push(t, BigInt(filter.keyIndex), listValue([...filter.values]), filter.allowNull);
  }
  return { sql, params };
}

/**
 * readPartitionCombos counts a table's visible files per distinct partition spec and key
 * values (one catalog query; `keyCount` = the most keys any spec of the table has). Pruning
 * these few combos first lets readFiles list only the files of surviving partitions.
 */
export async function readPartitionCombos(connection: DuckDBConnection, snapshotId: number, tableId: number, keyCount: number): Promise<PartitionCombo[]> {
  const s = BigInt(snapshotId);
  const t = BigInt(tableId);
  const joins: string[] = [];
  const columns: string[] = [];
  const params: DuckDBValue[] = [];
  for (let k = 0; k < keyCount; k += 1) {
    joins.push(`LEFT JOIN ducklake_file_partition_value p${k} ON p${k}.data_file_id = d.data_file_id AND p${k}.table_id = ? AND p${k}.partition_key_index = ${k}`);
    columns.push(`p${k}.partition_value AS v${k}`);
    params.push(t);
  }
  const rows = await readColumns(
    connection,
    `SELECT d.partition_id, ${[...columns, 'count(*) AS n'].join(', ')} FROM ducklake_data_file d ${joins.join(' ')}
     WHERE d.table_id = ? AND ${VISIBLE('d')} GROUP BY ALL`,
    [...params, t, s, s],
  );
  const count = rows.n?.length ?? 0;
  const combos: PartitionCombo[] = [];
  for (let i = 0; i < count; i += 1) {
    const values: (string | null)[] = [];
    for (let k = 0; k < keyCount; k += 1) values.push(toText(rows[`v${k}`]?.[i]));
    combos.push({ partitionId: toNumber(rows.partition_id?.[i]), values, files: toNumber(rows.n?.[i]) ?? 0 });
  }
  return combos;
}

async function attachStats(
  connection: DuckDBConnection,
  t: bigint,
  index: Map<number, LakeDataFile>,
  columnIds: readonly number[] | undefined,
  scope: FileFilter,
): Promise<void> {
  const filter = columnIds === undefined ? '' : ' AND list_contains(?::BIGINT[], x.column_id)';
  const params: DuckDBValue[] = columnIds === undefined ? [t] : [t, listValue(columnIds.map((id) => BigInt(id)))];
  params.push(...scope.params);
  const stats = await readColumns(
    connection,
    `SELECT x.data_file_id, x.column_id, x.min_value, x.max_value, x.null_count, x.value_count, x.contains_nan
     FROM ducklake_file_column_stats x WHERE x.table_id = ?${filter}${scope.sql}`,
    params,
  );
  const fileIds = stats.data_file_id ?? [];
  for (let i = 0; i < fileIds.length; i += 1) {
    const file = index.get(toNumber(fileIds[i]) ?? -1);
    const columnId = toNumber(stats.column_id?.[i]);
    if (!file || columnId === null) continue;
    file.stats.set(columnId, {
      min: toText(stats.min_value?.[i]),
      max: toText(stats.max_value?.[i]),
      nullCount: toNumber(stats.null_count?.[i]),
      valueCount: toNumber(stats.value_count?.[i]),
      containsNan: (stats.contains_nan?.[i] as boolean | null | undefined) ?? null,
    });
  }
}
