/**
 * Kill tests of the maintenance operations: the runner (runner/main.ts, a child process)
 * is SIGKILLed in the middle of each operation; the last committed snapshot must stay
 * intact, the rows read the same, and no object a remaining snapshot references may be
 * gone. Each run then completes when the operation is simply run again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvRows, eventsTable } from './maintain-harness.ts';
import { assertIntact, filled, killed } from './maintain-kill-harness.ts';

test('killed compaction (after uploading, before committing) leaves the catalog and the rows as they were', async (t) => {
  const world = await filled(t);
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  await killed(world, { op: 'compact', table: { name: 'events' }, minSmallFiles: 2 }, /INSERT INTO ducklake_data_file/);
  await assertIntact(world, snapshot, rows);
  const again = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(again.snapshotId, snapshot + 1);
  assert.deepEqual(await world.rowsAt('events'), rows);
});

test('killed expire-rows inside its commit changes nothing', async (t) => {
  const world = await filled(t);
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  const now = new Date('2026-12-08T00:00:00Z');
  await killed(world, { op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, /INSERT INTO ducklake_delete_file|UPDATE ducklake_data_file SET end_snapshot/, now);
  await assertIntact(world, snapshot, rows);
  const again = await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => now });
  assert.equal(again.rows, 6);
});

test('killed expire-snapshots inside its transaction keeps every snapshot and schedules nothing', async (t) => {
  const world = await filled(t);
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'o.csv', csvRows([[99, '2026-11-20 00:00:00', 'EU', 1]]));
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  const count = (await world.catalogRows('SELECT count(*) AS n FROM ducklake_snapshot'))[0]?.n;
  const later = new Date(Date.now() + 30 * 86_400_000);
  await killed(world, { op: 'expire-snapshots', olderThanDays: 1 }, /INSERT INTO ducklake_files_scheduled_for_deletion/, later);
  await assertIntact(world, snapshot, rows);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_snapshot'))[0]?.n, count);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_files_scheduled_for_deletion'))[0]?.n, 0);
  assert.deepEqual((await world.rowsAt('events', snapshot - 1)).length, 12, 'time travel before the overwrite still works');
});

test('killed cleanup-files while deleting never loses a referenced object, and a rerun finishes the job', async (t) => {
  const world = await filled(t);
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'o.csv', csvRows([[99, '2026-11-20 00:00:00', 'EU', 1]]));
  const later = Date.now() + 30 * 86_400_000;
  await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: () => new Date(later) });
  const scheduled = Number((await world.catalogRows('SELECT count(*) AS n FROM ducklake_files_scheduled_for_deletion'))[0]?.n);
  assert.equal(scheduled, 8);
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  await killed(world, { op: 'cleanup-files', graceHours: 1 }, /cleanup deleting/, new Date(later + 86_400_000));
  await assertIntact(world, snapshot, rows);
  const again = await world.runOp({ op: 'cleanup-files', graceHours: 1 }, { now: () => new Date(later + 86_400_000) });
  assert.equal(again.details?.scheduledDeleted, 8, 'rows survive a crash between deleting objects and removing rows');
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_files_scheduled_for_deletion'))[0]?.n, 0);
  assert.equal((await world.keys('main/events/')).length, 1);
});
