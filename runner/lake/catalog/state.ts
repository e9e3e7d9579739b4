import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { asNumber, asString, asStringOrNull, queryOne, queryRows, type SqlRow } from '../duckdb.ts';

/** SnapshotRow is one ducklake_snapshot row joined with its changes row. */
export interface SnapshotRow {
  snapshotId: number;
  snapshotTime: Date;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
  changesMade: string | null;
  author: string | null;
  commitMessage: string | null;
}

/** CatalogState is the catalog at one snapshot: that snapshot and the global settings. */
export interface CatalogState {
  snapshot: SnapshotRow;
  /** The latest snapshot id (equal to snapshot.snapshotId unless time-travelling). */
  latestSnapshotId: number;
  /** ducklake_metadata data_path, ending in `/`. */
  dataPath: string;
  version: string;
  encrypted: boolean;
  /** Global ducklake_metadata rows (scope NULL), key → value. */
  settings: Record<string, string>;
}

/** visibleAt renders the SQL predicate of a versioned row visible at the snapshot bound to `param` (pure; format §1). */
export function visibleAt(alias = '', param = '$snapshot'): string {
  const prefix = alias === '' ? '' : `${alias}.`;
  return `(${param} >= ${prefix}begin_snapshot AND (${prefix}end_snapshot IS NULL OR ${param} < ${prefix}end_snapshot))`;
}

function toSnapshot(row: SqlRow): SnapshotRow {
  const time = row.snapshot_time;
  return {
    snapshotId: asNumber(row.snapshot_id, 'snapshot_id'),
    snapshotTime: time instanceof Date ? time : new Date(String(time)),
    schemaVersion: asNumber(row.schema_version, 'schema_version'),
    nextCatalogId: asNumber(row.next_catalog_id, 'next_catalog_id'),
    nextFileId: asNumber(row.next_file_id, 'next_file_id'),
    changesMade: asStringOrNull(row.changes_made, 'changes_made'),
    author: asStringOrNull(row.author, 'author'),
    commitMessage: asStringOrNull(row.commit_message, 'commit_message'),
  };
}

const SNAPSHOT_SELECT = `SELECT s.snapshot_id, s.snapshot_time, s.schema_version, s.next_catalog_id, s.next_file_id,
  c.changes_made, c.author, c.commit_message
  FROM ducklake_snapshot s LEFT JOIN ducklake_snapshot_changes c USING (snapshot_id)`;

/** readSnapshot reads the latest snapshot, or the given one; undefined when absent (read only). */
export async function readSnapshot(connection: DuckDBConnection, snapshotId?: number): Promise<SnapshotRow | undefined> {
  // The latest id first, then a point lookup: ORDER BY … LIMIT 1 over the join would
  // hash-join every snapshot's changes row, which grows with the catalog (commit cost).
  let id = snapshotId;
  if (id === undefined) {
    const latest = await queryOne(connection, 'SELECT max(snapshot_id) AS id FROM ducklake_snapshot');
    if (latest?.id === null || latest?.id === undefined) return undefined;
    id = Number(latest.id);
  }
  const row = await queryOne(connection, `${SNAPSHOT_SELECT} WHERE s.snapshot_id = ?`, [id]);
  return row ? toSnapshot(row) : undefined;
}

/**
 * readSnapshotAtTime reads the snapshot with the latest snapshot_time at or before `time`
 * (read only), as the extension resolves `AT (TIMESTAMP => …)`: by time, not by id, which
 * differ once a writer's clock went backwards.
 */
export async function readSnapshotAtTime(connection: DuckDBConnection, time: Date): Promise<SnapshotRow | undefined> {
  const row = await queryOne(connection, `${SNAPSHOT_SELECT} WHERE s.snapshot_time <= ?::TIMESTAMPTZ ORDER BY s.snapshot_time DESC, s.snapshot_id DESC LIMIT 1`, [time.toISOString()]);
  return row ? toSnapshot(row) : undefined;
}

/** listSnapshots reads every snapshot in id order (read only). */
export async function listSnapshots(connection: DuckDBConnection): Promise<SnapshotRow[]> {
  return (await queryRows(connection, `${SNAPSHOT_SELECT} ORDER BY s.snapshot_id`)).map(toSnapshot);
}

/**
 * readCatalogState reads the latest snapshot (or the given one) and the global metadata
 * (read only). A missing snapshot id is FM_ERR_INVALID_PLAN naming the id and the range.
 */
export async function readCatalogState(connection: DuckDBConnection, snapshotId?: number): Promise<CatalogState> {
  const latest = await readSnapshot(connection);
  if (latest === undefined) throw new FeathermanError('FM_ERR_CATALOG_MISSING', 'the catalog has no snapshot; run init-catalog first.');
  const snapshot = snapshotId === undefined ? latest : await readSnapshot(connection, snapshotId);
  if (snapshot === undefined) {
    throw new FeathermanError('FM_ERR_INVALID_PLAN', `snapshot ${snapshotId} does not exist; the catalog has snapshots up to ${latest.snapshotId}.`);
  }
  const rows = await queryRows(connection, 'SELECT key, value FROM ducklake_metadata WHERE scope IS NULL');
  const settings: Record<string, string> = {};
  for (const row of rows) settings[asString(row.key, 'ducklake_metadata.key')] = asString(row.value, 'ducklake_metadata.value');
  const dataPath = settings.data_path;
  if (dataPath === undefined) throw new FeathermanError('FM_ERR_CATALOG_VERSION', 'the catalog has no data_path metadata row.');
  return {
    snapshot,
    latestSnapshotId: latest.snapshotId,
    dataPath,
    version: settings.version ?? '',
    encrypted: settings.encrypted === 'true',
    settings,
  };
}
