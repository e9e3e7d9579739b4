import assert from 'node:assert/strict';
import { test } from 'node:test';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const HOUR = 3_600_000;
const orphanName = (n: number) => `ducklake-0193aaaa-bbbb-7ccc-8ddd-${String(n).padStart(12, '0')}.parquet`;

test('check finds missing objects, size mismatches and orphans, caps the lists, and deletes nothing', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'US', 2]]));
  await world.ingestCsv(eventsTable(), 'b.csv', csvRows([[3, '2026-11-02 10:00:00', 'EU', 3]]));

  const clean = await world.runOp({ op: 'check' });
  assert.equal(clean.details?.healthy, true);
  assert.equal(clean.details?.checkedFiles, 3);
  assert.equal(clean.details?.missingCount, 0);
  assert.equal(clean.details?.orphanCount, 0);

  // Three orphans, a non-lake file and a backup-looking key under the table directory.
  for (const n of [1, 2, 3]) await world.put(`main/events/region=EU/${orphanName(n)}`, `orphan ${n}`);
  await world.put('main/events/README.txt', 'not a lake file');
  await world.put('_backups/lake/20261125T140000000Z.ducklake', 'backup');
  const young = await world.runOp({ op: 'check' });
  assert.equal(young.details?.orphanCount, 0, 'objects younger than the grace period are not orphans');
  assert.equal(young.details?.recentUnreferencedCount, 3);
  const later = () => new Date(Date.now() + 25 * HOUR);
  const orphaned = await world.runOp({ op: 'check', maxListed: 2 }, { now: later });
  assert.equal(orphaned.details?.orphanCount, 3);
  assert.equal((orphaned.details?.orphans as string[]).length, 2);
  assert.equal(orphaned.details?.orphanBytes, 'orphan 1'.length * 3);
  assert.equal(orphaned.details?.healthy, true);

  // Lose one referenced object and corrupt another.
  const referenced = (await world.keys('main/events/')).filter((key) => !key.includes('0193aaaa') && key.endsWith('.parquet'));
  assert.equal(referenced.length, 3);
  const [lost, corrupt] = referenced;
  assert.ok(lost && corrupt);
  await world.s3.store.deleteMany([lost]);
  await world.put(corrupt, 'short');
  const before = await world.keys('');
  const broken = await world.runOp({ op: 'check' }, { now: later });
  assert.equal(broken.details?.healthy, false);
  assert.equal(broken.details?.missingCount, 1);
  assert.equal(broken.details?.liveMissingCount, 1);
  assert.deepEqual(broken.details?.missing, [`s3://lake/${lost}`]);
  assert.equal(broken.details?.sizeMismatchCount, 1);
  assert.deepEqual((broken.details?.sizeMismatch as Array<{ url: string; actual: number }>).map((each) => [each.url, each.actual]), [[`s3://lake/${corrupt}`, 5]]);
  assert.ok(world.logs.some((line) => line.level === 50 && /1 missing objects/.test(String(line.msg))));
  assert.deepEqual(await world.keys(''), before, 'check deletes nothing');
});

test('check tells a missing file of an older snapshot from one the latest snapshot reads', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const old = (await world.keys('main/events/')).filter((key) => key.endsWith('.parquet'));
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'US', 2]]));
  assert.equal(old.length, 1);
  await world.s3.store.deleteMany(old);
  const result = await world.runOp({ op: 'check' });
  assert.equal(result.details?.missingCount, 1);
  assert.equal(result.details?.liveMissingCount, 0, 'the latest snapshot reads nothing that is missing');
  assert.equal(result.details?.healthy, false);
});
