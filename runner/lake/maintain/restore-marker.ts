/**
 * The restore marker: Featherman's own table in a restored catalog, saying when it was
 * restored and from which backup (the stock extension ignores tables that are not
 * `ducklake_*`). After a restore, objects under the table directories that the catalog does
 * not reference are not all leftovers of crashed runs: some hold the rows committed after
 * the backup was taken, which a newer backup or the catalog the restore replaced still
 * reference, and which may exist nowhere else. cleanup-files keeps every unreferenced
 * object older than the restore for that reason, and says so.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { runBound } from '../catalog/statements.ts';
import { openDuckDB, queryRows, runSql } from '../duckdb.ts';

/** RESTORE_TABLE is the marker's table name in the catalog database. */
export const RESTORE_TABLE = 'featherman_restore';

/**
 * markRestored records a restore in the catalog file at `path`, which no one else has open
 * yet, and folds the write into the file (side effects: DDL, one row, a checkpoint).
 */
export async function markRestored(path: string, backupName: string, at: Date): Promise<void> {
  const handle = await openDuckDB(path);
  try {
    await runSql(handle.connection, `CREATE TABLE IF NOT EXISTS ${RESTORE_TABLE} (restored_at TIMESTAMPTZ NOT NULL, backup_name VARCHAR NOT NULL)`);
    await runBound(handle.connection, `INSERT INTO ${RESTORE_TABLE} VALUES (make_timestamptz(?::BIGINT), ?)`, [BigInt(at.getTime()) * 1000n, backupName]);
    await runSql(handle.connection, 'CHECKPOINT');
  } finally {
    await handle.close();
  }
}

/** readRestoredAt returns the time of the catalog's latest restore, or undefined when it was never restored (read only). */
export async function readRestoredAt(connection: DuckDBConnection): Promise<Date | undefined> {
  const present = await queryRows(connection, 'SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_name = ?', [RESTORE_TABLE]);
  if (present.length === 0) return undefined;
  const rows = await queryRows(connection, `SELECT epoch_ms(max(restored_at)) AS ms FROM ${RESTORE_TABLE}`);
  const ms = rows[0]?.ms;
  return ms === null || ms === undefined ? undefined : new Date(Number(ms));
}
