import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDuckDB, queryRows, type DuckDBHandle } from '../../runner/lake/duckdb.ts';
import { commitSnapshot, initCatalog, listSnapshots, readCatalogState, readSnapshotAtTime } from '../../runner/lake/catalog/index.ts';
import { insertDataFiles } from '../../runner/lake/write/commit-files.ts';

describe('commitSnapshot', () => {
  let dir = '';
  let db: DuckDBHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-catalog-commit-'));
    db = await openDuckDB(join(dir, 'cat.duckdb'));
    await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'test', now: new Date('2026-01-01T00:00:00Z') });
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('writes snapshot S = max + 1 with the final counters, schema_versions rows and changes_made', async () => {
    const now = new Date('2026-05-06T07:08:09.000Z');
    const result = await commitSnapshot(db.connection, { author: 'alice', message: 'create "x"', now }, async (tx) => {
      assert.equal(tx.snapshotId, 1);
      assert.equal(tx.previous.snapshotId, 0);
      const tableId = tx.allocCatalogId();
      const partitionId = tx.allocCatalogId();
      assert.deepEqual([tableId, partitionId], [1, 2]);
      assert.deepEqual([tx.allocFileId(), tx.allocFileId()], [0, 1]);
      tx.bumpSchemaVersion(tableId, { schemaVersionsRow: true });
      tx.bumpSchemaVersion(tableId, { schemaVersionsRow: true });
      tx.addChange('created_table', { schema: 'main', name: 'odd"name' });
      tx.addChange('inserted_into_table', tableId);
      tx.addChange('inserted_into_table', tableId);
    });
    assert.deepEqual(result, {
      snapshotId: 1, schemaVersion: 1, nextCatalogId: 3, nextFileId: 2,
      changesMade: 'created_table:"main"."odd""name",inserted_into_table:1',
    });
    const rows = await queryRows(db.connection, 'SELECT * FROM ducklake_snapshot WHERE snapshot_id = 1');
    assert.deepEqual(rows, [{ snapshot_id: 1, snapshot_time: now, schema_version: 1, next_catalog_id: 3, next_file_id: 2 }]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT * FROM ducklake_schema_versions'), [{ begin_snapshot: 1, schema_version: 1, table_id: 1 }]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT * FROM ducklake_snapshot_changes WHERE snapshot_id = 1'), [
      { snapshot_id: 1, changes_made: 'created_table:"main"."odd""name",inserted_into_table:1', author: 'alice', commit_message: 'create "x"', commit_extra_info: null },
    ]);
  });

  it('keeps schema_version on a data-only commit and stores NULL changes when nothing is logged', async () => {
    const result = await commitSnapshot(db.connection, { now: new Date('2026-06-01T00:00:00Z') }, async () => {});
    assert.equal(result.snapshotId, 2);
    assert.equal(result.schemaVersion, 1);
    assert.equal(result.changesMade, null);
    const state = await readCatalogState(db.connection);
    assert.equal(state.snapshot.snapshotId, 2);
    assert.equal(state.snapshot.nextCatalogId, 3);
    assert.equal(state.snapshot.changesMade, null);
    const older = await readCatalogState(db.connection, 1);
    assert.equal(older.snapshot.snapshotId, 1);
    assert.equal(older.latestSnapshotId, 2);
    await assert.rejects(readCatalogState(db.connection, 99), /snapshot 99 does not exist; the catalog has snapshots up to 2/);
  });

  it('rolls back everything when the builder throws, leaving the last snapshot', async () => {
    await assert.rejects(
      commitSnapshot(db.connection, {}, async (tx) => {
        await tx.run("INSERT INTO ducklake_tag VALUES (1, ?, NULL, 'comment', 'half')", [tx.snapshotId]);
        tx.bumpSchemaVersion(1, { schemaVersionsRow: true });
        throw new Error('builder failed');
      }),
      /builder failed/,
    );
    assert.deepEqual((await listSnapshots(db.connection)).map((s) => s.snapshotId), [0, 1, 2]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT count(*)::INTEGER AS n FROM ducklake_tag'), [{ n: 0 }]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT count(*)::INTEGER AS n FROM ducklake_schema_versions'), [{ n: 1 }]);
    const next = await commitSnapshot(db.connection, { now: new Date('2026-07-01T00:00:00Z') }, async (tx) => {
      tx.addChange('altered_table', 1);
      tx.bumpSchemaVersion(1);
    });
    assert.equal(next.snapshotId, 3);
    assert.equal(next.schemaVersion, 2);
    assert.deepEqual(await queryRows(db.connection, 'SELECT count(*)::INTEGER AS n FROM ducklake_schema_versions'), [{ n: 1 }]);
  });

  it('finds the last snapshot at or before a time (time travel)', async () => {
    assert.equal((await readSnapshotAtTime(db.connection, new Date('2026-05-06T07:08:09.000Z')))?.snapshotId, 1);
    assert.equal((await readSnapshotAtTime(db.connection, new Date('2026-05-06T07:08:10.000Z')))?.snapshotId, 1);
    assert.equal((await readSnapshotAtTime(db.connection, new Date('2026-03-01T00:00:00Z')))?.snapshotId, 0);
    assert.equal((await readSnapshotAtTime(db.connection, new Date('2026-06-15T00:00:00Z')))?.snapshotId, 2);
    assert.equal((await readSnapshotAtTime(db.connection, new Date('2000-01-01T00:00:00Z'))), undefined);
  });

  it('never stamps a snapshot before its predecessor when the writer clock went backwards, so time travel keeps id order', async () => {
    const skew = await openDuckDB(join(dir, 'skew.duckdb'));
    try {
      await initCatalog(skew.connection, { dataPath: 's3://bucket/lake/', createdBy: 'test', now: new Date('2026-01-01T00:00:00Z') });
      await commitSnapshot(skew.connection, { now: new Date('2026-01-10T00:00:00Z') }, async () => {});
      await commitSnapshot(skew.connection, { now: new Date('2026-01-05T00:00:00Z') }, async () => {});
      await commitSnapshot(skew.connection, { now: new Date('2026-01-05T00:00:00Z') }, async () => {});
      await commitSnapshot(skew.connection, { now: new Date('2026-01-11T00:00:00Z') }, async () => {});
      const times = await queryRows(skew.connection, "SELECT snapshot_id, strftime(snapshot_time AT TIME ZONE 'UTC', '%Y-%m-%d %H:%M:%S.%f') AS t FROM ducklake_snapshot ORDER BY snapshot_id");
      assert.deepEqual(times, [
        { snapshot_id: 0, t: '2026-01-01 00:00:00.000000' },
        { snapshot_id: 1, t: '2026-01-10 00:00:00.000000' },
        { snapshot_id: 2, t: '2026-01-10 00:00:00.000001' },
        { snapshot_id: 3, t: '2026-01-10 00:00:00.000002' },
        { snapshot_id: 4, t: '2026-01-11 00:00:00.000000' },
      ]);
      assert.equal((await readSnapshotAtTime(skew.connection, new Date('2026-01-07T00:00:00Z')))?.snapshotId, 0, 'no snapshot claims a time before the one committed first');
      assert.equal((await readSnapshotAtTime(skew.connection, new Date('2026-01-10T12:00:00Z')))?.snapshotId, 3);
      assert.equal((await readSnapshotAtTime(skew.connection, new Date('2026-01-12T00:00:00Z')))?.snapshotId, 4);
    } finally {
      await skew.close();
    }
  });

  it('resolves a time by snapshot_time, as the extension does, when another writer left times out of id order', async () => {
    const skew = await openDuckDB(join(dir, 'skew-foreign.duckdb'));
    try {
      await initCatalog(skew.connection, { dataPath: 's3://bucket/lake/', createdBy: 'test', now: new Date('2026-01-01T00:00:00Z') });
      await commitSnapshot(skew.connection, { now: new Date('2026-01-10T00:00:00Z') }, async () => {});
      // What the extension writes (NOW(), unguarded) after a clock went backwards.
      await skew.connection.run("INSERT INTO ducklake_snapshot VALUES (2, TIMESTAMPTZ '2026-01-05 00:00:00+00', 0, 1, 0)");
      assert.equal((await readSnapshotAtTime(skew.connection, new Date('2026-01-12T00:00:00Z')))?.snapshotId, 1);
      assert.equal((await readSnapshotAtTime(skew.connection, new Date('2026-01-07T00:00:00Z')))?.snapshotId, 2);
    } finally {
      await skew.close();
    }
  });

  it('collides on the snapshot primary key if another writer took the id (no silent overwrite)', async () => {
    await assert.rejects(
      commitSnapshot(db.connection, {}, async (tx) => {
        await tx.run('INSERT INTO ducklake_snapshot VALUES (?, now(), 0, 0, 0)', [tx.snapshotId]);
      }),
      /(PRIMARY KEY|Duplicate key|constraint)/i,
    );
    assert.equal((await readCatalogState(db.connection)).snapshot.snapshotId, 3);
  });

  it('fails inside a transaction the caller opened and leaves the connection usable', async () => {
    await db.connection.run('BEGIN TRANSACTION');
    await db.connection.run("INSERT INTO ducklake_tag VALUES (7, 3, NULL, 'comment', 'outer')");
    await assert.rejects(commitSnapshot(db.connection, {}, async () => {}), /transaction/i);
    // DuckDB aborts the enclosing transaction on the failed BEGIN; the commit ended it.
    assert.deepEqual(await queryRows(db.connection, 'SELECT count(*)::INTEGER AS n FROM ducklake_tag WHERE object_id = 7'), [{ n: 0 }]);
    assert.equal((await readCatalogState(db.connection)).snapshot.snapshotId, 3);
  });

  it('starts each insert\'s row ids where table_stats left them (UPDATE … RETURNING, the first insert creates the row)', async () => {
    const file = (n: number, rows: number) => ({
      localPath: '', relativePath: `f${n}.parquet`, rowCount: rows, sizeBytes: 100 * rows, footerSize: 10, partitionValues: [],
      columnStats: [{ columnId: 1, columnSizeBytes: 8, valueCount: rows, nullCount: 0, minValue: '1', maxValue: String(rows), containsNan: null }],
    });
    const leaves = [{ columnId: 1, path: ['id'], type: 'int64' }];
    const starts: number[] = [];
    for (const rows of [[10, 5], [7]]) {
      await commitSnapshot(db.connection, {}, async (tx) => {
        const planned = await insertDataFiles(tx, { tableId: 9, partitionId: null, files: rows.map((r, i) => file(tx.snapshotId * 10 + i, r)), leaves });
        starts.push(...planned.map((p) => p.rowIdStart));
      });
    }
    assert.deepEqual(starts, [0, 10, 15]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT record_count, next_row_id, file_size_bytes FROM ducklake_table_stats WHERE table_id = 9'), [
      { record_count: 22, next_row_id: 22, file_size_bytes: 2200 },
    ]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT row_id_start FROM ducklake_data_file WHERE table_id = 9 ORDER BY data_file_id'), [
      { row_id_start: 0 }, { row_id_start: 10 }, { row_id_start: 15 },
    ]);
  });
  it('marks a column with no table stats row, in a table that held rows, as maybe NULL (the extension adds columns without one)', async () => {
    const stats = (columnId: number) => ({ columnId, columnSizeBytes: 8, valueCount: 3, nullCount: 0, minValue: '1', maxValue: '3', containsNan: null });
    const file = (name: string, columnIds: number[]) => ({
      localPath: '', relativePath: name, rowCount: 3, sizeBytes: 300, footerSize: 10, partitionValues: [], columnStats: columnIds.map(stats),
    });
    const leaves = [{ columnId: 1, path: ['id'], type: 'int64' }, { columnId: 2, path: ['added'], type: 'int64' }];
    await commitSnapshot(db.connection, {}, async (tx) => {
      await insertDataFiles(tx, { tableId: 11, partitionId: null, files: [file('first.parquet', [1])], leaves: leaves.slice(0, 1) });
    });
    // Column 2 arrives later, as the extension's ALTER leaves it: no ducklake_table_column_stats row.
    await commitSnapshot(db.connection, {}, async (tx) => {
      await insertDataFiles(tx, { tableId: 11, partitionId: null, files: [file('second.parquet', [1, 2])], leaves });
    });
    assert.deepEqual(await queryRows(db.connection, 'SELECT column_id, contains_null FROM ducklake_table_column_stats WHERE table_id = 11 ORDER BY column_id'), [
      { column_id: 1, contains_null: false }, { column_id: 2, contains_null: true },
    ]);
  });
});
