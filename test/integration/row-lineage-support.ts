/**
 * An independent reader of row lineage (ducklake-format.md §7.4) for the compaction
 * tests: from the catalog rows visible at a snapshot and the Parquet objects themselves
 * (read_parquet, no Featherman reader), each live row's key column (matched by field id)
 * and its row id: `_ducklake_internal_row_id` (field id 2147483540) when the file has it,
 * else row_id_start + position; positional deletes applied.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readTable } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows, type SqlRow } from '../../runner/lake/duckdb.ts';
import { quoteIdentifier, quoteString } from '../../runner/lake/sql.ts';
import type { MaintainWorld } from './maintain-harness.ts';

/** LineageRow is one live row: its key (as text) and its row id. */
export interface LineageRow {
  key: string;
  rowId: number;
}

/** LineageFile is one visible data file: its catalog row_id_start and whether it carries the hidden row id column. */
export interface LineageFile {
  dataFileId: number;
  rowIdStart: number | null;
  carriesRowIds: boolean;
  hiddenFieldIds: number[];
}

/** readLineage reads the live rows' (key, row id) at a snapshot (default latest), sorted by key then row id. */
export async function readLineage(world: MaintainWorld, tableName: string, snapshotId?: number, keyColumn = 'id'): Promise<{ rows: LineageRow[]; files: LineageFile[] }> {
  const handle = await openDuckDB(world.catalogPath, { readOnly: true });
  let files: SqlRow[];
  let location: string;
  let keyId: number;
  try {
    const snapshot = snapshotId ?? Number((await queryRows(handle.connection, 'SELECT max(snapshot_id) AS s FROM ducklake_snapshot'))[0]?.s);
    const table = await readTable(handle.connection, 'main', tableName, snapshot);
    if (!table) throw new Error(`no table ${tableName} at snapshot ${snapshot}`);
    const key = table.columns.find((column) => column.name === keyColumn && column.parentColumn === null);
    if (!key) throw new Error(`no column ${keyColumn}`);
    keyId = key.columnId;
    location = table.location;
    files = await queryRows(handle.connection, `
      SELECT d.data_file_id, d.path, d.row_id_start, del.path AS del_path FROM ducklake_data_file d
      LEFT JOIN (SELECT * FROM ducklake_delete_file WHERE $s >= begin_snapshot AND (end_snapshot IS NULL OR $s < end_snapshot)) del USING (data_file_id)
      WHERE d.table_id = $t AND $s >= d.begin_snapshot AND (d.end_snapshot IS NULL OR $s < d.end_snapshot)
      ORDER BY d.data_file_id`, { s: snapshot, t: table.tableId });
  } finally {
    await handle.close();
  }
  const local = join(world.dir, `lineage-${randomUUID()}`);
  await mkdir(local, { recursive: true });
  const keyOf = (path: string) => `${location}${path}`.replace(/^s3:\/\/[^/]+\//, '');
  const scratch = await openDuckDB(':memory:');
  try {
    const parts: string[] = [];
    const described: LineageFile[] = [];
    for (const [index, file] of files.entries()) {
      const dataPath = join(local, `${index}.parquet`);
      await world.s3.store.getToFile(keyOf(String(file.path)), dataPath);
      const schema = await queryRows(scratch.connection, `SELECT name, field_id FROM parquet_schema(${quoteString(dataPath)}) WHERE field_id IS NOT NULL`);
      const nameOf = (id: number) => schema.find((row) => Number(row.field_id) === id)?.name;
      const keyName = nameOf(keyId);
      const rowIdName = nameOf(2147483540);
      const start = file.row_id_start === null ? null : Number(file.row_id_start);
      described.push({
        dataFileId: Number(file.data_file_id), rowIdStart: start, carriesRowIds: rowIdName !== undefined,
        hiddenFieldIds: schema.map((row) => Number(row.field_id)).filter((id) => id >= 2147483539 && id <= 2147483540).sort(),
      });
      if (keyName === undefined) throw new Error(`file ${String(file.path)} has no field ${keyId}`);
      const rowId = rowIdName !== undefined ? quoteIdentifier(String(rowIdName)) : `${String(start)} + file_row_number`;
      let where = '';
      if (file.del_path !== null) {
        const deletePath = join(local, `${index}-delete.parquet`);
        await world.s3.store.getToFile(keyOf(String(file.del_path)), deletePath);
        where = ` WHERE file_row_number NOT IN (SELECT pos FROM read_parquet(${quoteString(deletePath)}))`;
      }
      parts.push(`SELECT CAST(${quoteIdentifier(String(keyName))} AS VARCHAR) AS key, CAST(${rowId} AS BIGINT) AS row_id
        FROM read_parquet(${quoteString(dataPath)}, file_row_number = true)${where}`);
    }
    if (parts.length === 0) return { rows: [], files: described };
    const rows = await queryRows(scratch.connection, `SELECT key, row_id FROM (${parts.join(' UNION ALL ')}) ORDER BY try_cast(key AS BIGINT), key, row_id`);
    return { rows: rows.map((row) => ({ key: String(row.key), rowId: Number(row.row_id) })), files: described };
  } finally {
    await scratch.close();
  }
}
