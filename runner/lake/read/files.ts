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

/** ReadFilesOptions narrow what is read: only the stats of these column ids (default all). */
export interface ReadFilesOptions {
  statsColumnIds?: readonly number[];
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
  const files = await readColumns(
    connection,
    `SELECT d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.partition_id, d.partial_max, d.mapping_id,
            del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.format AS del_format,
            del.delete_count, del.file_size_bytes AS del_size
     FROM ducklake_data_file d
     LEFT JOIN (SELECT * FROM ducklake_delete_file x WHERE x.table_id = ? AND ${VISIBLE('x')}) del USING (data_file_id)
     WHERE d.table_id = ? AND ${VISIBLE('d')}
     ORDER BY d.file_order NULLS LAST, d.data_file_id`,
    [t, s, s, t, s, s],
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
    result[i] = file;
    index.set(file.id, file);
  }
  if (result.length === 0) return result;
  await attachPartitionValues(connection, s, t, index);
  if (options.statsColumnIds === undefined || options.statsColumnIds.length > 0) {
    await attachStats(connection, s, t, index, options.statsColumnIds);
  }
  return result;
}

async function attachPartitionValues(connection: DuckDBConnection, s: bigint, t: bigint, index: Map<number, LakeDataFile>): Promise<void> {
  const values = await readColumns(
    connection,
    `SELECT v.data_file_id, v.partition_key_index, v.partition_value
     FROM ducklake_file_partition_value v JOIN ducklake_data_file d USING (data_file_id)
     WHERE v.table_id = ? AND ${VISIBLE('d')}`,
    [t, s, s],
  );
  const fileIds = values.data_file_id ?? [];
  for (let i = 0; i < fileIds.length; i += 1) {
    const file = index.get(toNumber(fileIds[i]) ?? -1);
    const key = toNumber(values.partition_key_index?.[i]);
    if (file && key !== null) file.partitionValues[key] = toText(values.partition_value?.[i]);
  }
}

async function attachStats(
  connection: DuckDBConnection,
  s: bigint,
  t: bigint,
  index: Map<number, LakeDataFile>,
  columnIds: readonly number[] | undefined,
): Promise<void> {
  const filter = columnIds === undefined ? '' : 'AND list_contains(?::BIGINT[], c.column_id)';
  const params: DuckDBValue[] = columnIds === undefined ? [t, s, s] : [t, s, s, listValue(columnIds.map((id) => BigInt(id)))];
  const stats = await readColumns(
    connection,
    `SELECT c.data_file_id, c.column_id, c.min_value, c.max_value, c.null_count, c.value_count, c.contains_nan
     FROM ducklake_file_column_stats c JOIN ducklake_data_file d USING (data_file_id)
     WHERE c.table_id = ? AND ${VISIBLE('d')} ${filter}`,
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
