/**
 * TTL for rows the extension inlined into the catalog (`ducklake_inlined_data_<table>_<sv>`,
 * format §2 "Inlining"): an inlined row is deleted by setting its end_snapshot, exactly
 * what the extension's own DELETE does. Featherman never inlines, but it must expire the
 * rows of catalogs the extension wrote. The age column is found by every name its column id
 * ever had, since each inlined table keeps the names of its schema version.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { INLINED_DATA_TABLE } from '../catalog/inlined-names.ts';
import { asString, queryOne, queryRows, runSql } from '../duckdb.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { cutoffLiteral, type TtlKind } from './ttl.ts';


/** InlinedTarget is one inlined table and the predicate of its expired live rows. */
export interface InlinedTarget {
  table: string;
  where: string;
  rows: number;
}

function agedPredicate(column: string, kind: TtlKind, cutoff: Date): string {
  const literal = quoteString(cutoffLiteral(cutoff, kind));
  return kind === 'timestamptz' ? `${quoteIdentifier(column)} < ${literal}::TIMESTAMPTZ` : `CAST(${quoteIdentifier(column)} AS TIMESTAMP) < ${literal}::TIMESTAMP`;
}

/** findInlinedExpired counts, per inlined table of the table, the live rows past the cutoff (reads only). */
export async function findInlinedExpired(connection: DuckDBConnection, tableId: number, columnId: number, kind: TtlKind, cutoff: Date): Promise<InlinedTarget[]> {
  const listed = await queryRows(connection, 'SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ?', [tableId]);
  if (listed.length === 0) return [];
  const names = new Set((await queryRows(connection, 'SELECT DISTINCT lower(column_name) AS name FROM ducklake_column WHERE table_id = ? AND column_id = ?', [tableId, columnId]))
    .map((row) => asString(row.name, 'column_name')));
  const targets: InlinedTarget[] = [];
  for (const entry of listed) {
    const table = asString(entry.table_name, 'table_name');
    if (!INLINED_DATA_TABLE.test(table)) continue;
    const columns = await queryRows(connection, "SELECT column_name FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?", [table]);
    const column = columns.map((row) => asString(row.column_name, 'column_name')).find((name) => names.has(name.toLowerCase()) && !['row_id', 'begin_snapshot', 'end_snapshot'].includes(name));
    if (column === undefined) continue;
    const where = `end_snapshot IS NULL AND ${agedPredicate(column, kind, cutoff)}`;
    const counted = await queryOne(connection, `SELECT count(*) AS n FROM ${quoteIdentifier(table)} WHERE ${where}`);
    const rows = Number(counted?.n ?? 0);
    if (rows > 0) targets.push({ table, where, rows });
  }
  return targets;
}

/** endInlinedRows sets end_snapshot on the expired inlined rows (side effect; call inside the commit). */
export async function endInlinedRows(connection: DuckDBConnection, targets: readonly InlinedTarget[], snapshotId: number): Promise<void> {
  for (const target of targets) await runSql(connection, `UPDATE ${quoteIdentifier(target.table)} SET end_snapshot = ? WHERE ${target.where}`, [snapshotId]);
}

/**
 * endAllInlinedRows ends every live row the extension inlined for the table (side effect;
 * call inside the commit), as an overwrite must: ending the data files alone would leave
 * those rows visible. Returns how many rows it ended.
 */
export async function endAllInlinedRows(connection: DuckDBConnection, tableId: number, snapshotId: number): Promise<number> {
  const listed = await queryRows(connection, 'SELECT table_name FROM ducklake_inlined_data_tables WHERE table_id = ?', [tableId]);
  let ended = 0;
  for (const entry of listed) {
    const table = asString(entry.table_name, 'table_name');
    if (!INLINED_DATA_TABLE.test(table)) continue;
    const counted = await queryOne(connection, `SELECT count(*) AS n FROM ${quoteIdentifier(table)} WHERE end_snapshot IS NULL`);
    const rows = Number(counted?.n ?? 0);
    if (rows === 0) continue;
    await runSql(connection, `UPDATE ${quoteIdentifier(table)} SET end_snapshot = ? WHERE end_snapshot IS NULL`, [snapshotId]);
    ended += rows;
  }
  return ended;
}
