import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CreateMultipartUploadCommand, S3Client } from '@aws-sdk/client-s3';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';

const HOUR = 3_600_000;
const LAKE_FILE = 'main/events/region=EU/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000001.parquet';
const BACKUP = '_backups/lake/20261125T140000000Z.ducklake';

async function beginUploads(world: MaintainWorld, keys: readonly string[]): Promise<void> {
  const client = new S3Client({ ...world.s3.storeOptions, maxAttempts: 1 });
  try {
    for (const key of keys) await client.send(new CreateMultipartUploadCommand({ Bucket: world.s3.bucket, Key: key }));
  } finally {
    client.destroy();
  }
}

async function openKeys(world: MaintainWorld): Promise<string[]> {
  const keys: string[] = [];
  for await (const upload of world.s3.store.listUploads('')) keys.push(upload.key);
  return keys.sort();
}

test('cleanup-files aborts abandoned uploads of lake files and of this catalog\'s backups, and no other upload', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const rows = await world.rowsAt('events');
  const others = ['_backups/other/20261125T140000000Z.ducklake', 'landing/big.csv', 'main/events/notes.bin'];
  await beginUploads(world, [LAKE_FILE, BACKUP, ...others]);
  const later = () => new Date(Date.now() + 25 * HOUR);

  const young = await world.runOp({ op: 'check' });
  assert.equal(young.details?.abandonedUploadCount, 0);
  assert.equal(young.details?.inFlightUploadCount, 2, 'ours, younger than the grace period');
  const old = await world.runOp({ op: 'check' }, { now: later });
  assert.equal(old.details?.abandonedUploadCount, 2);
  assert.deepEqual(old.details?.abandonedUploads, [`s3://lake/${BACKUP}`, `s3://lake/${LAKE_FILE}`]);
  assert.match(old.summary, /2 abandoned uploads/);

  const kept = await world.runOp({ op: 'cleanup-files', orphans: false }, { now: later });
  assert.equal(kept.details?.abandonedUploadsAborted, 0, 'orphans: false leaves uploads alone too');
  assert.equal((await openKeys(world)).length, 5);

  const cleaned = await world.runOp({ op: 'cleanup-files' }, { now: later });
  assert.equal(cleaned.details?.abandonedUploadsAborted, 2);
  assert.match(cleaned.summary, /aborted 2 abandoned uploads/);
  assert.deepEqual(await openKeys(world), [...others].sort(), 'uploads of keys Featherman does not write are not its to abort');
  assert.deepEqual(await world.rowsAt('events'), rows);
});

test('a store that cannot list multipart uploads: check and cleanup-files say so and do the rest of their work', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  const proxy = await startFaultProxy({
    target: world.s3.endpoint, failRate: 1, seed: 3, mode: '500',
    eligible: (method, url) => method === 'GET' && /[?&]uploads(=|&|$)/.test(url),
  });
  t.after(() => proxy.close());
  const store = world.s3.makeStore({ endpoint: proxy.endpoint });
  const ctx = { store, storeFor: () => store, now: () => new Date(Date.now() + 25 * HOUR) };
  await world.put(LAKE_FILE, 'orphan');

  const check = await world.runOp({ op: 'check' }, ctx);
  assert.equal(check.details?.uploadsListed, false);
  assert.equal(check.details?.orphanCount, 1);
  assert.equal(check.details?.healthy, true);
  assert.ok(world.logs.some((line) => line.level === 40 && /multipart uploads could not be listed: listing of the multipart uploads under s3:\/\/lake\/main\/events\/ failed: HTTP 500/.test(String(line.msg))));
  const cleaned = await world.runOp({ op: 'cleanup-files' }, ctx);
  assert.equal(cleaned.details?.uploadsListed, false);
  assert.equal(cleaned.details?.orphansDeleted, 1);
  assert.deepEqual(await world.keys('main/events/region=EU/ducklake-0193aaaa'), []);
  assert.ok(proxy.counters.faults > 0, 'the listing went through the proxy');
});

test('an abort the store refuses is logged and left for the next cleanup-files, which aborts it', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  await beginUploads(world, [LAKE_FILE]);
  const orphan = LAKE_FILE.replace('000000000001', '000000000002');
  await world.put(orphan, 'orphan');
  const proxy = await startFaultProxy({
    target: world.s3.endpoint, failRate: 1, seed: 5, mode: '500',
    eligible: (method, url) => method === 'DELETE' && /[?&]uploadId=/.test(url),
  });
  t.after(() => proxy.close());
  const store = world.s3.makeStore({ endpoint: proxy.endpoint });
  const later = () => new Date(Date.now() + 25 * HOUR);

  const refused = await world.runOp({ op: 'cleanup-files' }, { store, storeFor: () => store, now: later });
  assert.equal(refused.details?.orphansDeleted, 1, 'the rest of the cleanup went ahead');
  assert.equal(refused.details?.abandonedUploadsAborted, 0);
  assert.equal(refused.details?.abandonedUploadsLeft, 1);
  assert.ok(world.logs.some((line) => line.level === 40 && /1 abandoned multipart uploads could not be aborted: abort of multipart upload .* failed: HTTP 500/.test(String(line.msg))));
  assert.deepEqual(await openKeys(world), [LAKE_FILE]);

  const retried = await world.runOp({ op: 'cleanup-files' }, { now: later });
  assert.equal(retried.details?.abandonedUploadsAborted, 1);
  assert.deepEqual(await openKeys(world), []);
});
