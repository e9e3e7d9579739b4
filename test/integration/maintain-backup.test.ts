import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { verifyCatalogFile } from '../../runner/lake/maintain/catalog-copy.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const T0 = new Date('2026-11-25T14:00:00.000Z');
const DAY = 86_400_000;

test('backup uploads a checkpointed copy, keeps it within retention and deletes only older backups', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1.5], [2, '2026-11-02 10:00:00', 'US', 2.5]]));
  const latest = await world.latestSnapshot();

  const old = await world.runOp({ op: 'backup' }, { now: () => new Date(T0.getTime() - 40 * DAY) });
  const mid = await world.runOp({ op: 'backup' }, { now: () => new Date(T0.getTime() - 10 * DAY) });
  assert.equal(old.details?.backupKey, '_backups/lake/20261016T140000000Z.ducklake');
  const outcome = await world.runOp({ op: 'backup', retentionDays: 30 }, { now: () => T0 });
  assert.equal(outcome.snapshotId, latest);
  assert.equal(outcome.details?.backupKey, '_backups/lake/20261125T140000000Z.ducklake');
  assert.deepEqual(outcome.details?.deleted, [old.details?.backupKey]);
  const kept = [mid.details?.backupKey, outcome.details?.backupKey].map(String);
  assert.deepEqual(await world.keys('_backups/'), [...kept, ...kept.map((key) => `${key}.json`)].sort(), 'backups and their manifests; the old pair is gone');
  const manifest = JSON.parse(Buffer.from(await world.s3.store.getBytes(`${kept[1]}.json`)).toString('utf8')) as { snapshotId: number };
  assert.equal(manifest.snapshotId, latest);

  // The uploaded object is a self-contained DuckLake catalog at the same snapshot.
  const local = join(world.dir, 'downloaded.ducklake');
  await world.s3.store.getToFile(String(outcome.details?.backupKey), local);
  const facts = await verifyCatalogFile(local, 'downloaded backup');
  assert.equal(facts.snapshotId, latest);
  assert.equal(facts.dataPath, `s3://${world.s3.bucket}/`);
  // Data objects were not touched by the backup.
  assert.ok((await world.keys('main/events/')).length >= 2);
});

test('backup writes with SSE-KMS when the store has a key', async (t) => {
  const world = await startMaintainWorld(t);
  const proxy = await startFaultProxy({ target: world.s3.endpoint, failRate: 0, seed: 1, mode: '500' });
  t.after(() => proxy.close());
  const kmsKeyId = 'arn:aws:kms:us-east-1:111122223333:key/backup';
  const store = world.s3.makeStore({ endpoint: proxy.endpoint, kmsKeyId });
  await world.runOp({ op: 'backup' }, { store, now: () => T0 });
  const puts = proxy.requests.filter((request) => request.method === 'PUT' && request.url.includes('_backups'));
  assert.ok(puts.length >= 1);
  for (const put of puts) {
    assert.equal(put.headers['x-amz-server-side-encryption'], 'aws:kms');
    assert.equal(put.headers['x-amz-server-side-encryption-aws-kms-key-id'], kmsKeyId);
  }
});

test('restore refuses an existing catalog, restores the latest into a missing one, and replaces only with overwrite', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1.5]]));
  await world.runOp({ op: 'backup' }, { now: () => new Date(T0.getTime() - DAY) });
  await world.ingestCsv(eventsTable(), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'US', 2.5]]));
  const second = await world.runOp({ op: 'backup' }, { now: () => T0 });
  const before = await readFile(world.catalogPath);

  await assert.rejects(world.runOp({ op: 'restore' }), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_DATA_LOSS_REFUSED' && /overwrite: true/.test(error.message));
  assert.deepEqual(await readFile(world.catalogPath), before);

  await rm(world.catalogPath);
  await rm(`${world.catalogPath}.wal`, { force: true });
  await writeFile(`${world.catalogPath}.restore-left-by-a-killed-run`, 'partial download');
  const restored = await world.runOp({ op: 'restore', fromBackup: 'latest' });
  assert.deepEqual((await readdir(dirname(world.catalogPath))).filter((name) => name.includes('.restore-')), [], 'stale temp files are removed');
  assert.equal(restored.snapshotId, second.snapshotId);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1, 2]);

  // An older named backup replaces the catalog only with overwrite; the old file is kept.
  const olderName = '20261124T140000000Z.ducklake';
  const replaced = await world.runOp({ op: 'restore', fromBackup: olderName, overwrite: true }, { now: () => T0 });
  assert.equal(replaced.details?.backupName, olderName);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1]);
  assert.ok((await stat(String(replaced.details?.replacedCatalog))).size > 0);
});

test('restore refuses a missing backup name and a backup that is not a catalog, creating nothing', async (t) => {
  const world = await startMaintainWorld(t);
  await rm(world.catalogPath);
  await assert.rejects(world.runOp({ op: 'restore' }), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_CATALOG_MISSING');
  await world.put('_backups/lake/20261125T140000000Z.ducklake', 'this is not a database');
  await assert.rejects(world.runOp({ op: 'restore', fromBackup: '20261101T000000000Z.ducklake' }), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_INVALID_PLAN' && /20261101T000000000Z/.test(error.message));
  await assert.rejects(world.runOp({ op: 'restore' }), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_CATALOG_VERSION');
  await assert.rejects(stat(world.catalogPath), /ENOENT/);
  // A plain DuckDB database that is not a DuckLake catalog is refused as well.
  const plain = join(world.dir, 'plain.duckdb');
  const handle = await openDuckDB(plain);
  await handle.connection.run('CREATE TABLE t (x INTEGER)');
  await handle.close();
  await world.s3.store.putFile('_backups/lake/20261126T140000000Z.ducklake', plain);
  await assert.rejects(world.runOp({ op: 'restore' }), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_CATALOG_VERSION');
  await assert.rejects(stat(world.catalogPath), /ENOENT/);
  // A name outside the backup naming rule is refused by the plan schema.
  await assert.rejects(world.runOp({ op: 'restore', fromBackup: '../etc/passwd' }), /fromBackup|must be "latest"/);
});

test('restore into a missing catalog moves a WAL left beside it aside instead of replaying it onto the backup', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1.5]]));
  const backup = await world.runOp({ op: 'backup' }, { now: () => T0 });
  await world.ingestCsv(eventsTable(), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'US', 2.5]]));
  // Writers fold small WALs in later (catalog/open.ts): the last commit is still in it.
  assert.ok((await stat(`${world.catalogPath}.wal`)).size > 0, 'the catalog has a WAL');
  await rm(world.catalogPath);
  const restored = await world.runOp({ op: 'restore', fromBackup: 'latest' }, { now: () => T0 });
  assert.equal(restored.snapshotId, backup.snapshotId);
  const names = await readdir(dirname(world.catalogPath));
  assert.ok(names.some((name) => name.includes('.wal.orphaned-')), `the WAL is kept aside: ${names.join(', ')}`);
  assert.deepEqual((await world.rowsAt('events')).map((row) => row.id), [1], 'the restored catalog is the backup');
});
