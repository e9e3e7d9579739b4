/**
 * The restore marker: Featherman's own table in a restored catalog, saying when it was
 * restored and from which backup (the stock extension ignores tables that are not
 * `ducklake_*`). After a restore, objects under the table directories that the catalog does
 * not reference are not all leftovers of crashed runs: some hold the rows committed after
 * the backup was taken, which a newer backup or the catalog the restore replaced still
 * reference, and which may exist nowhere else. While such a newer backup is kept,
 * cleanup-files deletes nothing older than the restore (cleanup.ts, restoreGuard).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { ObjectStore } from '../../storage/object-store.ts';
import { runBound } from '../catalog/statements.ts';
import { openDuckDB, queryRows, runSql } from '../duckdb.ts';
import { listBackups } from './backup-list.ts';
import { restoreGuard, type RestoreGuard } from './cleanup.ts';

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

/** Restore is the catalog's latest restore: when, and from which backup. */
export interface Restore {
  at: Date;
  backupName: string;
}

/** readRestore returns the catalog's latest restore, or undefined when it was never restored (read only). */
export async function readRestore(connection: DuckDBConnection): Promise<Restore | undefined> {
  const present = await queryRows(connection, 'SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_name = ?', [RESTORE_TABLE]);
  if (present.length === 0) return undefined;
  const rows = await queryRows(connection, `SELECT epoch_ms(restored_at) AS ms, backup_name FROM ${RESTORE_TABLE} ORDER BY restored_at DESC LIMIT 1`);
  const row = rows[0];
  return row ? { at: new Date(Number(row.ms)), backupName: String(row.backup_name) } : undefined;
}

/**
 * readRestoreGuard reads the catalog's restore and, when there is one, the backups under
 * `backupPrefix`, and returns the guard they make (reads only: one catalog query, one listing).
 */
export async function readRestoreGuard(connection: DuckDBConnection, store: ObjectStore, backupPrefix: string): Promise<RestoreGuard | undefined> {
  const restore = await readRestore(connection);
  return restore ? restoreGuard(restore, await listBackups(store, backupPrefix)) : undefined;
}
