import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test, type TestContext } from 'node:test';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';

const HOUR = 3_600_000;
const CRASHED = 'main/events/region=EU/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000009.parquet';
const later = () => new Date(Date.now() + 25 * HOUR);

interface Lineages {
  world: MaintainWorld;
  olderBackup: string;
  newerBackup: string;
  bothRows: Array<Record<string, unknown>>;
  /** Objects that only the newer backup references after the restore. */
  onlyNewer: string[];
}

/** Two backups (a.csv; a.csv + b.csv), then a restore of the older one over the catalog, then an orphan of a crashed run. */
async function restoreOlder(t: TestContext): Promise<Lineages> {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const filesOfA = (await world.keys('main/events/')).filter((key) => key.endsWith('.parquet'));
  const olderBackup = String((await world.runOp({ op: 'backup' }, { now: () => new Date(Date.now() - 2 * HOUR) })).details?.backupName);
  await world.ingestCsv(eventsTable(), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'US', 2]]));
  const newerBackup = String((await world.runOp({ op: 'backup' }, { now: () => new Date(Date.now() - HOUR) })).details?.backupName);
  const bothRows = await world.rowsAt('events');
  const onlyNewer = (await world.keys('main/events/')).filter((key) => key.endsWith('.parquet') && !filesOfA.includes(key));
  assert.ok(onlyNewer.length > 0);
  await world.runOp({ op: 'restore', fromBackup: olderBackup, overwrite: true });
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1], 'the older backup holds a.csv only');
  // Listings give seconds: the crashed run's orphan is clearly younger than the restore.
  await sleep(1100);
  await world.put(CRASHED, 'crashed ingest');
  return { world, olderBackup, newerBackup, bothRows, onlyNewer };
}

test('after a restore to an older backup, cleanup-files deletes nothing older than the restore while the newer backup is kept, and that backup restores whole', async (t) => {
  const { world, newerBackup, bothRows, onlyNewer } = await restoreOlder(t);
  const [scheduled] = onlyNewer;
  assert.ok(scheduled);
  await world.catalogRows("INSERT INTO ducklake_files_scheduled_for_deletion VALUES (999, ?, true, '2000-01-01 00:00:00+00')", [scheduled.slice('main/events/'.length)]);

  const cleaned = await world.runOp({ op: 'cleanup-files' }, { now: later });
  assert.deepEqual(cleaned.details?.orphans, [`s3://lake/${CRASHED}`], 'only the orphan from after the restore');
  assert.equal(cleaned.details?.orphansKeptFromBeforeRestore, onlyNewer.length);
  assert.equal(cleaned.details?.scheduledDeferred, 1);
  assert.equal(cleaned.details?.scheduledDeleted, 0);
  assert.deepEqual((cleaned.details?.restoreGuard as { newerBackups: string[] }).newerBackups, [newerBackup]);
  assert.ok(world.logs.some((line) => /deleting nothing older than the restore/.test(String(line.msg))));
  const left = await world.keys('main/events/');
  for (const key of onlyNewer) assert.ok(left.includes(key), `${key} kept`);
  assert.ok(!left.includes(CRASHED));

  await world.runOp({ op: 'restore', fromBackup: newerBackup, overwrite: true });
  assert.deepEqual(await world.rowsAt('events'), bothRows, 'the newer backup still reads every row');
  assert.equal((await world.runOp({ op: 'check' })).details?.healthy, true);
});

test('once the newer backups are gone, cleanup-files deletes what only they referenced', async (t) => {
  const { world, newerBackup, onlyNewer } = await restoreOlder(t);
  await world.s3.store.deleteMany([`_backups/lake/${newerBackup}`]);
  const cleaned = await world.runOp({ op: 'cleanup-files' }, { now: later });
  assert.equal(cleaned.details?.restoreGuard, undefined);
  assert.equal(cleaned.details?.orphansKeptFromBeforeRestore, 0);
  assert.equal(cleaned.details?.orphansDeleted, onlyNewer.length + 1);
  const left = await world.keys('main/events/');
  for (const key of [...onlyNewer, CRASHED]) assert.ok(!left.includes(key), `${key} deleted`);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1]);
});
