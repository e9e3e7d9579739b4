/**
 * The exactly-once ledger: Featherman's own table in the catalog file recording which
 * landing objects (key + ETag) each table has ingested, and in which snapshot. It is not
 * a `ducklake_*` table, so the stock extension ignores it. Rows are written inside the
 * snapshot's transaction: either the data files and the ledger rows commit together, or
 * neither does. The primary key refuses a second row for the same object version.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { runBound } from '../catalog/statements.ts';
import { queryRows, runSql } from '../duckdb.ts';

/** LEDGER_TABLE is the ledger's table name in the catalog database. */
export const LEDGER_TABLE = 'featherman_ingested_object';

/** LedgerEntry is one landing object version: what identifies it and its size. */
export interface LedgerEntry {
  key: string;
  etag: string;
  size: number;
}

/** ensureLedger creates the ledger table if it is missing (side effect: DDL in the catalog file). */
export async function ensureLedger(connection: DuckDBConnection): Promise<void> {
  await runSql(connection, `CREATE TABLE IF NOT EXISTS ${LEDGER_TABLE} (
    table_id BIGINT NOT NULL,
    object_key VARCHAR NOT NULL,
    etag VARCHAR NOT NULL,
    size BIGINT NOT NULL,
    snapshot_id BIGINT NOT NULL,
    ingested_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (table_id, object_key, etag))`);
}

/** ledgerKey is the identity of an object version in maps and sets (pure). */
export function ledgerKey(entry: { key: string; etag: string }): string {
  return `${entry.etag}\u0000${entry.key}`;
}

/**
 * readIngested returns which of the given object versions the table has already ingested
 * (read only). Keys are looked up in batches of bound parameters.
 */
export async function readIngested(connection: DuckDBConnection, tableId: number, entries: readonly LedgerEntry[]): Promise<Set<string>> {
  const done = new Set<string>();
  const batch = 500;
  for (let start = 0; start < entries.length; start += batch) {
    const slice = entries.slice(start, start + batch);
    const placeholders = slice.map(() => '?').join(', ');
    const rows = await queryRows(
      connection,
      `SELECT object_key, etag FROM ${LEDGER_TABLE} WHERE table_id = ? AND object_key IN (${placeholders})`,
      [tableId, ...slice.map((entry) => entry.key)],
    );
    for (const row of rows) done.add(ledgerKey({ key: String(row.object_key), etag: String(row.etag) }));
  }
  return done;
}

/**
 * recordIngested inserts the ledger rows of one snapshot (side effect; call it inside the
 * commit transaction). The primary key refuses an object version that is already
 * recorded — another writer got there first — which becomes FM_ERR_CONFLICT, and the
 * caller's transaction rolls back. (No read first: the index check is the point lookup.)
 */
export async function recordIngested(connection: DuckDBConnection, tableId: number, snapshotId: number, at: Date, entries: readonly LedgerEntry[]): Promise<void> {
  const batch = 200;
  for (let start = 0; start < entries.length; start += batch) {
    const slice = entries.slice(start, start + batch);
    const params = slice.flatMap((entry) => [tableId, entry.key, entry.etag, entry.size, snapshotId, at.toISOString()]);
    try {
      await runBound(connection, `INSERT INTO ${LEDGER_TABLE} VALUES ${slice.map(() => '(?, ?, ?, ?, ?, ?::TIMESTAMPTZ)').join(', ')}`, params);
    } catch (error) {
      if (error instanceof Error && /constraint|duplicate key/i.test(error.message)) {
        throw new FeathermanError('FM_ERR_CONFLICT', `a landing object among ${slice[0]?.key ?? ''}… was already ingested into table ${tableId} by another run; nothing was committed`, { cause: error });
      }
      throw error;
    }
  }
}
