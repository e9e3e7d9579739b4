import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { asNumber, queryRowsBig, runSql, type SqlParams } from '../duckdb.ts';
import { renderChanges, type ChangeEntry, type IdChangeKind, type NameChangeKind } from './changes.ts';
import { nextSnapshotTime } from './snapshot-time.ts';
import type { SnapshotRow } from './state.ts';
import { runBound } from './statements.ts';

/** CommitInfo is the optional author and message recorded in ducklake_snapshot_changes. */
export interface CommitInfo {
  author?: string;
  message?: string;
  /** Free text stored as commit_extra_info. */
  extraInfo?: string;
  /** Commit time; default now. The snapshot records it, or 1 µs after the previous snapshot's time if that is later (snapshot-time.ts). */
  now?: Date;
}

/** CommitResult is the snapshot a commit made and the schema version it carries. */
export interface CommitResult {
  snapshotId: number;
  schemaVersion: number;
  nextCatalogId: number;
  nextFileId: number;
  changesMade: string | null;
}

/**
 * CommitTx is what a commit builder gets: the new snapshot id, the snapshot it builds on,
 * the id counters, the schema-version switch, the changes log and the connection (inside
 * the open transaction). Builders write their change rows with `run` in the order of
 * ducklake-format.md §5.1 step 4.
 */
export interface CommitTx {
  readonly connection: DuckDBConnection;
  /** The snapshot being written (previous + 1). */
  readonly snapshotId: number;
  /** The latest snapshot when the commit started: its id, schema version and id counters. */
  readonly previous: SnapshotHead;
  /** allocCatalogId takes the next id for a schema, table, view, macro, partition or sort spec. */
  allocCatalogId(): number;
  /** allocFileId takes the next id for a data file, delete file or name mapping. */
  allocFileId(): number;
  /**
   * bumpSchemaVersion marks this commit as DDL (schema_version = previous + 1, once per
   * commit). With `schemaVersionsRow` it also records a ducklake_schema_versions row for
   * tableId (new tables, and column, default, NULL-ability or partitioning changes).
   */
  bumpSchemaVersion(tableId: number | null, options?: { schemaVersionsRow: boolean }): void;
  /** addChange logs one entry of changes_made (names are quoted when rendered). */
  addChange(kind: 'created_schema', value: { schema: string }): void;
  addChange(kind: Exclude<NameChangeKind, 'created_schema'>, value: { schema: string; name: string }): void;
  addChange(kind: IdChangeKind, value: number): void;
  /** run executes one statement of the commit with bound parameters. */
  run(sql: string, params?: SqlParams): Promise<void>;
}

/**
 * SnapshotHead is what a commit needs of the snapshot it builds on; its time in
 * microseconds since the epoch (NULL if it has none) keeps snapshot times increasing.
 */
export type SnapshotHead = Pick<SnapshotRow, 'snapshotId' | 'schemaVersion' | 'nextCatalogId' | 'nextFileId'> & { snapshotTimeMicros: bigint | null };

const HEAD_SQL = `SELECT snapshot_id, schema_version, next_catalog_id, next_file_id, epoch_us(snapshot_time) AS snapshot_time_us FROM ducklake_snapshot
  WHERE snapshot_id = (SELECT max(snapshot_id) FROM ducklake_snapshot)`;

/**
 * beginWithHead opens the commit's transaction and reads the latest snapshot's id, time and
 * counters in the same native call (side effect: BEGIN). The text has no bound values, so
 * both statements go in one round trip. The read touches ducklake_snapshot alone: a join
 * with the changes, or ORDER BY … LIMIT 1, would grow with the number of snapshots.
 */
async function beginWithHead(connection: DuckDBConnection): Promise<SnapshotHead | undefined> {
  const row = (await queryRowsBig(connection, `BEGIN TRANSACTION; ${HEAD_SQL}`))[0];
  if (!row) return undefined;
  return {
    snapshotId: asNumber(row.snapshot_id, 'snapshot_id'),
    schemaVersion: asNumber(row.schema_version, 'schema_version'),
    nextCatalogId: asNumber(row.next_catalog_id, 'next_catalog_id'),
    nextFileId: asNumber(row.next_file_id, 'next_file_id'),
    snapshotTimeMicros: typeof row.snapshot_time_us === 'bigint' ? row.snapshot_time_us : null,
  };
}

async function rollbackQuietly(connection: DuckDBConnection): Promise<void> {
  try {
    await runSql(connection, 'ROLLBACK');
  } catch {
    // No transaction is open (a failed COMMIT ends it); the original error is what matters.
  }
}

/** CommitBuilder writes a commit's change rows through the CommitTx. */
export type CommitBuilder = (tx: CommitTx) => Promise<void>;

/**
 * commitSnapshot writes one DuckLake snapshot in ONE catalog transaction (side effect;
 * ducklake-format.md §5.1): it reads the latest snapshot, lets `build` write the change
 * rows with ids from the counters, then inserts the ducklake_snapshot row with the final
 * counters, the ducklake_schema_versions rows and the ducklake_snapshot_changes row. Any
 * error rolls everything back and is rethrown; the catalog stays at its last snapshot.
 */
export async function commitSnapshot(connection: DuckDBConnection, info: CommitInfo, build: CommitBuilder): Promise<CommitResult> {
  let committed = false;
  let previous: SnapshotHead | undefined;
  try {
    previous = await beginWithHead(connection);
  } catch (error) {
    // Whatever failed (BEGIN inside an open transaction, or the read), DuckDB has aborted
    // the transaction: end it so the connection stays usable.
    await rollbackQuietly(connection);
    throw error;
  }
  try {
    if (previous === undefined) throw new FeathermanError('FM_ERR_CATALOG_MISSING', 'the catalog has no snapshot; run init-catalog first.');
    const snapshotId = previous.snapshotId + 1;
    let nextCatalogId = previous.nextCatalogId;
    let nextFileId = previous.nextFileId;
    let schemaChanged = false;
    const versionedTables: number[] = [];
    const changes: ChangeEntry[] = [];
    const tx: CommitTx = {
      connection,
      snapshotId,
      previous,
      allocCatalogId: () => nextCatalogId++,
      allocFileId: () => nextFileId++,
      bumpSchemaVersion(tableId, options) {
        schemaChanged = true;
        if (options?.schemaVersionsRow && tableId !== null && !versionedTables.includes(tableId)) versionedTables.push(tableId);
      },
      addChange(kind: string, value: number | { schema: string; name?: string }) {
        if (typeof value === 'number') changes.push({ kind: kind as IdChangeKind, id: value });
        else if (value.name === undefined) changes.push({ kind: 'created_schema', schema: value.schema });
        else changes.push({ kind: kind as Exclude<NameChangeKind, 'created_schema'>, schema: value.schema, name: value.name });
      },
      // Without values a statement may be several; those go the plain way.
      run: (sql, params) => (params === undefined ? runSql(connection, sql) : runBound(connection, sql, params)),
    };
    await build(tx);
    const schemaVersion = schemaChanged ? previous.schemaVersion + 1 : previous.schemaVersion;
    const changesMade = renderChanges(changes);
    await runBound(connection, 'INSERT INTO ducklake_snapshot VALUES (?, make_timestamptz(?::BIGINT), ?, ?, ?)', [
      snapshotId, nextSnapshotTime(info.now ?? new Date(), previous.snapshotTimeMicros), schemaVersion, nextCatalogId, nextFileId,
    ]);
    if (versionedTables.length > 0) {
      await runBound(connection, `INSERT INTO ducklake_schema_versions VALUES ${versionedTables.map(() => '(?, ?, ?)').join(', ')}`,
        versionedTables.flatMap((tableId) => [snapshotId, schemaVersion, tableId]));
    }
    await runBound(connection, 'INSERT INTO ducklake_snapshot_changes VALUES (?, ?, ?, ?, ?)', [
      snapshotId, changesMade, info.author ?? null, info.message ?? null, info.extraInfo ?? null,
    ]);
    await runSql(connection, 'COMMIT');
    committed = true;
    return { snapshotId, schemaVersion, nextCatalogId, nextFileId, changesMade };
  } finally {
    if (!committed) await rollbackQuietly(connection);
  }
}
