/**
 * The partition facts a scan plan prunes before listing files: which partition specs the
 * table's visible files carry (and how many files each), and the distinct values of each
 * partition key. Both come from one catalog query that joins nothing: the spec counts scan
 * ducklake_data_file, the key values scan ducklake_file_partition_value alone.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { readColumns, toNumber, toText } from './rows.ts';

/** PartitionKeys are a table's visible files per partition spec and its distinct key values. */
export interface PartitionKeys {
  /** Visible files per partition_id (null = files written without a spec). */
  specs: Array<{ partitionId: number | null; files: number }>;
  /**
   * Distinct values per partition_key_index (null = a NULL key), over every file row of
   * the table, visible or not: a superset of the visible files' values, which is all that
   * pruning needs (each listed file is re-checked).
   */
  values: Map<number, Array<string | null>>;
}

/** readPartitionKeys reads the PartitionKeys of one table at snapshot S (one catalog query; read only). */
export async function readPartitionKeys(connection: DuckDBConnection, snapshotId: number, tableId: number): Promise<PartitionKeys> {
  const s = BigInt(snapshotId);
  const t = BigInt(tableId);
  const rows = await readColumns(
    connection,
    `SELECT 0 AS kind, partition_id AS id, NULL::VARCHAR AS value, count(*) AS files FROM ducklake_data_file
       WHERE table_id = ? AND ? >= begin_snapshot AND (end_snapshot IS NULL OR ? < end_snapshot) GROUP BY partition_id
     UNION ALL
     SELECT DISTINCT 1, partition_key_index, partition_value, NULL FROM ducklake_file_partition_value WHERE table_id = ?`,
    [t, s, s, t],
  );
  const keys: PartitionKeys = { specs: [], values: new Map() };
  const count = rows.kind?.length ?? 0;
  for (let i = 0; i < count; i += 1) {
    const id = toNumber(rows.id?.[i]);
    if (toNumber(rows.kind?.[i]) === 0) {
      keys.specs.push({ partitionId: id, files: toNumber(rows.files?.[i]) ?? 0 });
    } else if (id !== null) {
      const list = keys.values.get(id) ?? [];
      list.push(toText(rows.value?.[i]));
      keys.values.set(id, list);
    }
  }
  return keys;
}
