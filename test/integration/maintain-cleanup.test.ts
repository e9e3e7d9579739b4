import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const orphanName = (n: number) => `ducklake-0193aaaa-bbbb-7ccc-8ddd-${String(n).padStart(12, '0')}.parquet`;

test('cleanup-files deletes scheduled files after the grace period and old orphans, dry run first, never a referenced object', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const at = (days: number) => () => new Date(base + days * DAY);
  await world.applyTable(eventsTable());
  world.ctx.now = at(1);
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'US', 2]]));
  world.ctx.now = at(10);
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'b.csv', csvRows([[3, '2026-11-02 10:00:00', 'EU', 3]]));
  world.ctx.now = at(20);
  await world.ingestCsv(eventsTable(), 'c.csv', csvRows([[4, '2026-11-03 10:00:00', 'US', 4]]));
  await world.runOp({ op: 'expire-snapshots', olderThanDays: 7 }, { now: at(25) });
  const scheduledKeys = (await world.catalogRows('SELECT path FROM ducklake_files_scheduled_for_deletion ORDER BY path')).map((row) => String(row.path));
  assert.equal(scheduledKeys.length, 2);
  const liveRows = await world.rowsAt('events');

  await world.put(`main/events/region=EU/${orphanName(1)}`, 'orphan');
  await world.put('main/events/region=EU/notes.parquet', 'not a lake file name');
  await world.put('_backups/lake/20261125T140000000Z.ducklake', 'backup');
  // A scheduled row that names a live object (a reused path) must never lead to its deletion.
  const live = (await world.catalogRows("SELECT d.path FROM ducklake_data_file d WHERE end_snapshot IS NULL ORDER BY data_file_id LIMIT 1"))[0]?.path;
  await world.catalogRows("INSERT INTO ducklake_files_scheduled_for_deletion VALUES (999, ?, true, '2000-01-01 00:00:00+00')", [`main/events/${String(live)}`]);
  const all = await world.keys('');

  const dry = await world.runOp({ op: 'cleanup-files', graceHours: 24, dryRun: true }, { now: at(25) });
  assert.equal(dry.details?.orphansDeleted, 1);
  assert.deepEqual(dry.details?.orphans, [`s3://lake/main/events/region=EU/${orphanName(1)}`]);
  assert.equal(dry.details?.scheduledDeleted, 0, 'scheduled files wait for the grace period');
  assert.equal(dry.details?.waiting, 2);
  assert.equal(dry.details?.stillReferenced, 1);
  assert.ok(world.logs.some((line) => /would delete 1 objects/.test(String(line.msg))));
  assert.deepEqual(await world.keys(''), all, 'a dry run deletes nothing');

  const first = await world.runOp({ op: 'cleanup-files', graceHours: 24 }, { now: at(25) });
  assert.equal(first.details?.orphansDeleted, 1);
  assert.deepEqual(await world.keys(''), all.filter((key) => !key.endsWith(orphanName(1))));

  const second = await world.runOp({ op: 'cleanup-files', graceHours: 24 }, { now: () => new Date(at(25)().getTime() + 25 * HOUR) });
  assert.equal(second.details?.scheduledDeleted, 2);
  const remaining = await world.keys('');
  for (const key of scheduledKeys) assert.ok(!remaining.includes(key), `${key} deleted`);
  assert.ok(remaining.includes('main/events/region=EU/notes.parquet'));
  assert.ok(remaining.includes('_backups/lake/20261125T140000000Z.ducklake'));
  assert.deepEqual((await world.catalogRows('SELECT data_file_id FROM ducklake_files_scheduled_for_deletion')).map((row) => row.data_file_id), [999]);
  const check = await world.runOp({ op: 'check' }, { now: at(30) });
  assert.equal(check.details?.healthy, true, 'every referenced object survives');
  assert.equal(check.details?.orphanCount, 0);
  assert.deepEqual(await world.rowsAt('events'), liveRows);
});

test('cleanup-files pages through a table prefix with more than 1,000 objects', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const count = 1_050;
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < count) {
      const n = next++;
      await world.s3.store.putBytes(`main/events/region=XX/${orphanName(n)}`, 'x');
    }
  }));
  const result = await world.runOp({ op: 'cleanup-files', graceHours: 0 }, { now: () => new Date(Date.now() + HOUR) });
  assert.equal(result.details?.orphansDeleted, count);
  assert.deepEqual(await world.keys('main/events/region=XX/'), []);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1]);
});
