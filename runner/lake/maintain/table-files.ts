/**
 * The files of one table visible at a snapshot, as maintenance needs them: full URLs,
 * record and delete counts, partition values, and the stats of one chosen column.
 * One catalog query (plus one for partition values) whatever the file count.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { joinPath } from '../catalog/index.ts';
import { asNumber, asNumberOrNull, asString, asStringOrNull, queryRows } from '../duckdb.ts';

/** MaintainedFile is one visible data file with its visible delete file, if any. */
export interface MaintainedFile {
  dataFileId: number;
  url: string;
  path: string;
  recordCount: number;
  sizeBytes: number;
  /** First row id (format §7.4); null for a file that carries its ids in `_ducklake_internal_row_id`. */
  rowIdStart: number | null;
  partitionId: number | null;
  /** Name mapping of a file written without field ids (added by the extension), else null. */
  mappingId: number | null;
  /** Partition values joined as text, the grouping key of compaction ('' when unpartitioned). */
  partitionKey: string;
  partitionValues: (string | null)[];
  deleteFile: { deleteFileId: number; url: string; deleteCount: number; sizeBytes: number } | null;
  /** Rows the extension deleted through `ducklake_inlined_delete_<table>` (set by compaction; absent = 0). */
  inlinedDeleteCount?: number;
  /** min/max/null count of the column asked for (undefined when no stats row). */
  stats?: { min: string | null; max: string | null; nullCount: number | null };
}

/** readTableFiles lists the table's data files visible at the snapshot (reads only). */
export async function readTableFiles(connection: DuckDBConnection, tableId: number, tableLocation: string, snapshotId: number, statsColumnId?: number): Promise<MaintainedFile[]> {
  const rows = await queryRows(connection, `
    SELECT d.data_file_id, d.path, d.path_is_relative, d.record_count, d.file_size_bytes, d.row_id_start, d.partition_id, d.mapping_id,
           del.delete_file_id, del.path AS del_path, del.path_is_relative AS del_rel, del.delete_count, del.file_size_bytes AS del_size,
           c.min_value, c.max_value, c.null_count, c.data_file_id IS NOT NULL AS has_stats
    FROM ducklake_data_file d
    LEFT JOIN (SELECT * FROM ducklake_delete_file WHERE table_id = $t AND $s >= begin_snapshot AND (end_snapshot IS NULL OR $s < end_snapshot)) del USING (data_file_id)
    LEFT JOIN (SELECT * FROM ducklake_file_column_stats WHERE table_id = $t AND column_id = $c) c USING (data_file_id)
    WHERE d.table_id = $t AND $s >= d.begin_snapshot AND (d.end_snapshot IS NULL OR $s < d.end_snapshot)
    ORDER BY d.data_file_id`, { t: tableId, s: snapshotId, c: statsColumnId ?? -1 });
  const values = await queryRows(connection, `
    SELECT v.data_file_id, v.partition_key_index, v.partition_value FROM ducklake_file_partition_value v
    JOIN ducklake_data_file d USING (data_file_id)
    WHERE v.table_id = $t AND $s >= d.begin_snapshot AND (d.end_snapshot IS NULL OR $s < d.end_snapshot)
    ORDER BY v.data_file_id, v.partition_key_index`, { t: tableId, s: snapshotId });
  const partitionValues = new Map<number, (string | null)[]>();
  for (const row of values) {
    const id = asNumber(row.data_file_id, 'data_file_id');
    const list = partitionValues.get(id) ?? [];
    list[asNumber(row.partition_key_index, 'partition_key_index')] = asStringOrNull(row.partition_value, 'partition_value');
    partitionValues.set(id, list);
  }
  return rows.map((row) => {
    const dataFileId = asNumber(row.data_file_id, 'data_file_id');
    const deleteId = asNumberOrNull(row.delete_file_id, 'delete_file_id');
    const path = asString(row.path, 'path');
    const partitionId = asNumberOrNull(row.partition_id, 'partition_id');
    const valuesOfFile = partitionValues.get(dataFileId) ?? [];
    return {
      dataFileId,
      url: joinPath(tableLocation, path, row.path_is_relative !== false),
      path,
      recordCount: asNumber(row.record_count, 'record_count'),
      sizeBytes: asNumber(row.file_size_bytes, 'file_size_bytes'),
      rowIdStart: asNumberOrNull(row.row_id_start, 'row_id_start'),
      partitionId,
      mappingId: asNumberOrNull(row.mapping_id, 'mapping_id'),
      partitionKey: JSON.stringify([partitionId, valuesOfFile]),
      partitionValues: valuesOfFile,
      deleteFile: deleteId === null ? null : {
        deleteFileId: deleteId,
        url: joinPath(tableLocation, asString(row.del_path, 'delete path'), row.del_rel !== false),
        deleteCount: asNumber(row.delete_count, 'delete_count'),
        sizeBytes: asNumber(row.del_size, 'delete file_size_bytes'),
      },
      ...(row.has_stats === true ? {
        stats: {
          min: asStringOrNull(row.min_value, 'min_value'),
          max: asStringOrNull(row.max_value, 'max_value'),
          nullCount: asNumberOrNull(row.null_count, 'null_count'),
        },
      } : {}),
    };
  });
}
