import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplyTablePlan, type PlanInput } from '../../api/plan.ts';
import { operation as applyTable } from '../../runner/ops/apply-table.ts';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const DAY = 86_400_000;

test('expire-snapshots drops old snapshots, keeps the latest and pinned ones, schedules unseen files and touches no object', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const at = (days: number) => () => new Date(base + days * DAY);
  await world.applyTable(eventsTable());
  world.ctx.now = at(1);
  const a = await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'US', 2]]));
  world.ctx.now = at(10);
  const b = await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'b.csv', csvRows([[3, '2026-11-02 10:00:00', 'EU', 3]]));
  world.ctx.now = at(20);
  const c = await world.ingestCsv(eventsTable(), 'c.csv', csvRows([[4, '2026-11-03 10:00:00', 'US', 4]]));
  assert.equal(a.filesAdded, 2);
  const objectsBefore = await world.keys('main/');
  const latestRows = await world.rowsAt('events');
  assert.deepEqual(latestRows.map((row) => row.id), [3, 4]);

  // Pinned snapshot a survives with its files; everything else older than 7 days goes.
  const pinned = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7, keepSnapshots: [Number(a.snapshotId)] }, { now: at(25) });
  assert.deepEqual((await world.catalogRows('SELECT snapshot_id FROM ducklake_snapshot ORDER BY 1')).map((row) => row.snapshot_id), [a.snapshotId, c.snapshotId]);
  assert.equal(pinned.details?.scheduledFiles, 0);
  assert.deepEqual((await world.rowsAt('events', a.snapshotId)).map((row) => row.id), [1, 2], 'time travel to a kept snapshot still works');

  const full = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7 }, { now: at(25) });
  assert.equal(full.details?.expiredCount, 1);
  assert.equal(full.details?.scheduledFiles, 2);
  assert.deepEqual((await world.catalogRows('SELECT snapshot_id FROM ducklake_snapshot')).map((row) => row.snapshot_id), [c.snapshotId]);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_snapshot_changes'))[0]?.n, 1);
  // The a files are gone from the file tables and scheduled, relative to data_path.
  const scheduled = await world.catalogRows('SELECT data_file_id, path, path_is_relative FROM ducklake_files_scheduled_for_deletion ORDER BY data_file_id');
  assert.equal(scheduled.length, 2);
  for (const row of scheduled) {
    assert.match(String(row.path), /^main\/events\/region=(EU|US)\/ducklake-[0-9a-f-]{36}\.parquet$/);
    assert.equal(row.path_is_relative, true);
  }
  const ids = scheduled.map((row) => row.data_file_id);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file WHERE list_contains(?::BIGINT[], data_file_id)', [`[${ids.join(",")}]`]))[0]?.n, 0);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_file_column_stats WHERE list_contains(?::BIGINT[], data_file_id)', [`[${ids.join(",")}]`]))[0]?.n, 0);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file'))[0]?.n, 2, 'the live b and c files stay');
  // Readers of the latest snapshot see the same rows; no object was deleted.
  assert.deepEqual(await world.rowsAt('events'), latestRows);
  assert.deepEqual(await world.keys('main/'), objectsBefore);
  assert.ok(b.snapshotId !== undefined);

  // Running it again changes nothing.
  const again = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7 }, { now: at(25) });
  assert.equal(again.details?.expiredCount, 0);
});

test('expire-snapshots wipes the rows of a dropped table once no snapshot sees it', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const other = eventsTable({ name: 'other', ingest: { prefix: 'landing/other/', format: 'csv' } });
  await world.applyTable(eventsTable());
  await world.applyTable(other);
  await world.ingestCsv(other, 'o.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  await world.ingestCsv(eventsTable(), 'e.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const tableId = (await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'other'"))[0]?.table_id;
  await applyTable.run(ApplyTablePlan.parse({ op: 'apply-table', ...world.common, table: other, drop: true } satisfies PlanInput), world.ctx);
  // Dropping a column of a live table: its ended row must survive expiry (ids are never reused).
  const narrowed = eventsTable({ columns: eventsTable().columns.filter((column) => column.name !== 'amount') });
  await world.applyTable(narrowed);
  const result = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: () => new Date(base + 2 * 86_400_000) });
  assert.deepEqual(result.details?.droppedTables, [tableId]);
  for (const table of ['ducklake_table', 'ducklake_column', 'ducklake_table_stats', 'ducklake_table_column_stats', 'ducklake_partition_info', 'ducklake_partition_column', 'ducklake_data_file', 'ducklake_schema_versions']) {
    assert.equal((await world.catalogRows(`SELECT count(*) AS n FROM ${table} WHERE table_id = ?`, [tableId]))[0]?.n, 0, table);
  }
  assert.equal(result.details?.scheduledFiles, 1);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1]);
  assert.equal((await world.catalogRows("SELECT count(*) AS n FROM ducklake_table WHERE table_name = 'events'"))[0]?.n, 1);
  const amount = await world.catalogRows("SELECT end_snapshot FROM ducklake_column WHERE column_name = 'amount' AND table_id <> ?", [tableId]);
  assert.equal(amount.length, 1);
  assert.notEqual(amount[0]?.end_snapshot, null);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_partition_info WHERE table_id <> ?', [tableId]))[0]?.n, 1);
});

test('expire-snapshots keeps the snapshot a retained backup holds, unless told otherwise', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const at = (days: number) => () => new Date(base + days * DAY);
  await world.applyTable(eventsTable());
  world.ctx.now = at(1);
  const a = await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  await world.runOp({ op: 'backup' }, { now: at(1) });
  world.ctx.now = at(2);
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'EU', 2]]));
  world.ctx.now = at(3);
  await world.ingestCsv(eventsTable(), 'c.csv', csvRows([[3, '2026-11-03 10:00:00', 'US', 3]]));
  const kept = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: at(20) });
  assert.deepEqual(kept.details?.keptForBackups, [a.snapshotId]);
  assert.equal(kept.details?.scheduledFiles, 0, "the backup's files stay referenced");
  assert.deepEqual((await world.rowsAt('events', a.snapshotId)).map((row) => row.id), [1]);
  const all = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1, keepBackupSnapshots: false }, { now: at(20) });
  assert.equal(all.details?.scheduledFiles, 1);
});
