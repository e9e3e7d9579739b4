import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { INLINED_DATA_TABLE, inlinedDeleteTableName } from '../catalog/inlined-names.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { readRows, toNumber, toText } from './rows.ts';
import type { LakeTable } from './tables.ts';

/** InlinedRows is a local Parquet file holding a table's inlined rows visible at the snapshot. */
export interface InlinedRows {
  path: string;
  rows: number;
}

const HIDDEN = new Set(['row_id', 'begin_snapshot', 'end_snapshot']);
const VISIBLE = 'begin_snapshot <= ? AND (end_snapshot IS NULL OR end_snapshot > ?)';

async function tableExists(catalog: DuckDBConnection, name: string): Promise<boolean> {
  const rows = await readRows(catalog, "SELECT 1 FROM information_schema.tables WHERE table_schema = 'main' AND table_name = ?", [name]);
  return rows.length > 0;
}

/**
 * exportInlinedRows copies the rows the extension inlined into the catalog
 * (`ducklake_inlined_data_<table>_<schema version>`, DuckLake §7.2) that are visible at
 * S into local Parquet files with field ids, so the views read them like data files
 * (side effect: files under `dir`). Inlined columns are named as at their schema version;
 * each name is mapped to its column id through the columns visible then.
 */
export async function exportInlinedRows(catalog: DuckDBConnection, table: LakeTable, snapshotId: number, dir: string): Promise<InlinedRows[]> {
  const s = BigInt(snapshotId);
  const listed = await readRows(catalog, 'SELECT table_name, schema_version FROM ducklake_inlined_data_tables WHERE table_id = ?', [BigInt(table.tableId)]);
  const out: InlinedRows[] = [];
  for (const entry of listed) {
    const name = toText(entry.table_name) ?? '';
    if (!INLINED_DATA_TABLE.test(name) || !(await tableExists(catalog, name))) continue;
    const count = await readRows(catalog, `SELECT count(*) AS n FROM ${quoteIdentifier(name)} WHERE ${VISIBLE}`, [s, s]);
    const rows = toNumber(count[0]?.n) ?? 0;
    if (rows === 0) continue;
    const columns = await readRows(catalog, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [name]);
    const ids = await columnIdsAtVersion(catalog, table.tableId, toNumber(entry.schema_version) ?? 0);
    const mapped: [string, number][] = [];
    for (const column of columns) {
      const columnName = toText(column.column_name) ?? '';
      const id = ids.get(columnName.toLowerCase());
      if (!HIDDEN.has(columnName) && id !== undefined) mapped.push([columnName, id]);
    }
    if (mapped.length === 0) continue;
    const path = join(dir, `inlined-${table.tableId}-${name}-${snapshotId}.parquet`);
    const select = mapped.map(([column]) => quoteIdentifier(column)).join(', ');
    const fieldIds = mapped.map(([column, id]) => `${quoteIdentifier(column)}: ${Math.trunc(id)}`).join(', ');
    await catalog.run(
      `COPY (SELECT ${select} FROM ${quoteIdentifier(name)} WHERE ${VISIBLE} ORDER BY row_id) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {${fieldIds}})`,
      [s, s],
    );
    out.push({ path, rows });
  }
  return out;
}

/** columnIdsAtVersion maps top-level column names (lower case) to ids as of the first snapshot of a schema version (reads only). */
async function columnIdsAtVersion(catalog: DuckDBConnection, tableId: number, schemaVersion: number): Promise<Map<string, number>> {
  const rows = await readRows(
    catalog,
    `WITH v AS (SELECT coalesce(
        (SELECT min(begin_snapshot) FROM ducklake_schema_versions WHERE table_id = ? AND schema_version = ?),
        (SELECT min(snapshot_id) FROM ducklake_snapshot WHERE schema_version = ?)) AS s)
     SELECT column_id, column_name FROM ducklake_column, v
     WHERE table_id = ? AND parent_column IS NULL AND v.s >= begin_snapshot AND (end_snapshot IS NULL OR v.s < end_snapshot)`,
    [BigInt(tableId), BigInt(schemaVersion), BigInt(schemaVersion), BigInt(tableId)],
  );
  return new Map(rows.map((row) => [(toText(row.column_name) ?? '').toLowerCase(), toNumber(row.column_id) ?? -1]));
}

/**
 * readInlinedDeletes returns, per data file id, the row positions deleted through
 * `ducklake_inlined_delete_<table>` at or before S (reads only; empty when the extension
 * never inlined a delete for the table).
 */
export async function readInlinedDeletes(catalog: DuckDBConnection, tableId: number, snapshotId: number): Promise<Map<number, number[]>> {
  const name = inlinedDeleteTableName(tableId);
  const result = new Map<number, number[]>();
  if (!(await tableExists(catalog, name))) return result;
  const rows = await readRows(catalog, `SELECT file_id, row_id FROM ${quoteIdentifier(name)} WHERE begin_snapshot <= ?`, [BigInt(snapshotId)]);
  for (const row of rows) {
    const file = toNumber(row.file_id) ?? -1;
    result.set(file, [...(result.get(file) ?? []), toNumber(row.row_id) ?? -1]);
  }
  return result;
}
