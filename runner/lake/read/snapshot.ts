import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { readRows, toNumber } from './rows.ts';

/** SnapshotChoice says which snapshot to read: the latest, one id, or the last one at or before a time. */
export type SnapshotChoice = { id: number } | { timestamp: string } | undefined;

/** ResolvedSnapshot is the snapshot a read sees. */
export interface ResolvedSnapshot {
  snapshotId: number;
  snapshotTime: Date;
  schemaVersion: number;
}

const COLUMNS = 'SELECT snapshot_id, snapshot_time, schema_version FROM ducklake_snapshot';

/**
 * resolveSnapshot picks the snapshot S of a read (catalog reads only; DuckLake §7.1):
 * the highest id, the given id (an unknown id is FM_ERR_INVALID_PLAN), or the last
 * snapshot whose snapshot_time is at or before the given time (none is FM_ERR_INVALID_PLAN).
 */
export async function resolveSnapshot(connection: DuckDBConnection, choice: SnapshotChoice): Promise<ResolvedSnapshot> {
  if (choice === undefined) {
    const rows = await readRows(connection, `${COLUMNS} ORDER BY snapshot_id DESC LIMIT 1`);
    const row = rows[0];
    if (!row) throw new FeathermanError('FM_ERR_CATALOG_MISSING', 'The catalog has no snapshot; it was never initialised.');
    return toSnapshot(row);
  }
  if ('id' in choice) {
    const rows = await readRows(connection, `${COLUMNS} WHERE snapshot_id = ?`, [BigInt(choice.id)]);
    const row = rows[0];
    if (row) return toSnapshot(row);
    const range = await readRows(connection, 'SELECT min(snapshot_id) AS lo, max(snapshot_id) AS hi FROM ducklake_snapshot');
    const lo = toNumber(range[0]?.lo);
    const hi = toNumber(range[0]?.hi);
    throw new FeathermanError(
      'FM_ERR_INVALID_PLAN',
      `snapshot.id: must name an existing snapshot (${lo ?? '-'}..${hi ?? '-'}, expired ones excluded); got ${choice.id}.`,
    );
  }
  const at = new Date(choice.timestamp);
  if (Number.isNaN(at.getTime())) {
    throw new FeathermanError('FM_ERR_INVALID_PLAN', `snapshot.timestamp: must be an ISO 8601 time with an offset; got ${JSON.stringify(choice.timestamp)}.`);
  }
  // The text carries its offset, so the session time zone cannot shift the instant.
  const rows = await readRows(
    connection,
    `${COLUMNS} WHERE snapshot_time <= CAST(? AS TIMESTAMPTZ) ORDER BY snapshot_time DESC, snapshot_id DESC LIMIT 1`,
    [choice.timestamp],
  );
  const row = rows[0];
  if (!row) {
    throw new FeathermanError('FM_ERR_INVALID_PLAN', `snapshot.timestamp: must not be before the catalog's first snapshot; got ${choice.timestamp}.`);
  }
  return toSnapshot(row);
}

function toSnapshot(row: Record<string, unknown>): ResolvedSnapshot {
  const time = row.snapshot_time;
  return {
    snapshotId: toNumber(row.snapshot_id as bigint) ?? 0,
    snapshotTime: time instanceof Date ? time : new Date(String(time)),
    schemaVersion: toNumber(row.schema_version as bigint) ?? 0,
  };
}
