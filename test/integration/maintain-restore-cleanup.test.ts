import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const HOUR = 3_600_000;

test('after a restore to an older backup, cleanup-files keeps the objects the newer backup needs, and that backup restores whole', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const older = String((await world.runOp({ op: 'backup' }, { now: () => new Date(Date.now() - 2 * HOUR) })).details?.backupName);
  await world.ingestCsv(eventsTable(), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'US', 2]]));
  const newer = String((await world.runOp({ op: 'backup' }, { now: () => new Date(Date.now() - HOUR) })).details?.backupName);
  const bothRows = await world.rowsAt('events');
  assert.deepEqual(bothRows.map((row) => row.id), [1, 2]);
  const filesOfB = (await world.keys('main/events/')).filter((key) => key.endsWith('.parquet'));

  await world.runOp({ op: 'restore', fromBackup: older, overwrite: true });
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1], 'the older backup holds a.csv only');
  // An orphan made after the restore (a crashed ingest) is the restored catalog's own garbage.
  await sleep(1100);
  const crashed = 'main/events/region=EU/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000009.parquet';
  await world.put(crashed, 'crashed ingest');

  const later = () => new Date(Date.now() + 25 * HOUR);
  const cleaned = await world.runOp({ op: 'cleanup-files' }, { now: later });
  assert.equal(cleaned.details?.orphansDeleted, 1, 'the orphan from after the restore');
  assert.deepEqual(cleaned.details?.orphans, [`s3://lake/${crashed}`]);
  assert.ok(Number(cleaned.details?.orphansKeptFromBeforeRestore) >= 1, 'b.csv\'s files are not the restored catalog\'s, but are kept');
  assert.equal(typeof cleaned.details?.restoredAt, 'string');
  assert.ok(world.logs.some((line) => /older than the catalog's restore/.test(String(line.msg))));
  const left = await world.keys('main/events/');
  for (const key of filesOfB) assert.ok(left.includes(key), `${key} kept`);
  assert.ok(!left.includes(crashed));

  await world.runOp({ op: 'restore', fromBackup: newer, overwrite: true });
  assert.deepEqual(await world.rowsAt('events'), bothRows, 'the newer backup still reads every row');
  const check = await world.runOp({ op: 'check' });
  assert.equal(check.details?.healthy, true);
});

test('a catalog that was never restored: cleanup-files keeps nothing back', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  await world.put('main/events/region=EU/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000001.parquet', 'orphan');
  const cleaned = await world.runOp({ op: 'cleanup-files' }, { now: () => new Date(Date.now() + 25 * HOUR) });
  assert.equal(cleaned.details?.orphansDeleted, 1);
  assert.equal(cleaned.details?.orphansKeptFromBeforeRestore, 0);
  assert.equal(cleaned.details?.restoredAt, undefined);
});
