import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { OpOutcome } from '../../runner/ops/context.ts';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';
import { readLineage } from './row-lineage-support.ts';

const DAY = 86_400_000;
const T0 = new Date('2026-12-08T00:00:00.000Z').getTime();
const at = (days: number) => () => new Date(T0 + days * DAY);

function previewLines(outcome: OpOutcome): Array<Record<string, unknown>> {
  return String(outcome.query?.preview ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The table after evolution: ts renamed to event_ts (the TTL column), note added. */
const evolved = eventsTable({
  columns: [
    { name: 'id', type: 'INTEGER', nullable: false },
    { name: 'event_ts', type: 'TIMESTAMP', renamedFrom: 'ts' },
    { name: 'region', type: 'VARCHAR' },
    { name: 'amount', type: 'DOUBLE' },
    { name: 'note', type: 'VARCHAR' },
  ],
});

test('every maintenance op works on a lake with partitions, delete files, merged files and an evolved schema', async (t) => {
  const world = await startMaintainWorld(t);
  world.ctx.now = at(0);
  await world.applyTable(eventsTable());
  for (let batch = 0; batch < 3; batch += 1) {
    const rows = [1, 2, 3, 4].map((n) => batch * 4 + n).map((id) => [id, `2026-11-${String(1 + id).padStart(2, '0')} 10:00:00`, id % 2 === 0 ? 'EU' : 'US', id] as const);
    await world.ingestCsv(eventsTable(), `v1-${batch}.csv`, csvRows(rows));
  }
  await world.applyTable(evolved);
  await world.put('landing/events/v2.csv', 'id,event_ts,region,amount,note\n13,2026-11-20 10:00:00,EU,13,late\n14,2026-11-21 10:00:00,US,14,later\n');
  await world.ingest(evolved, { keys: ['landing/events/v2.csv'] });
  const ids = async (catalog?: { name: string; path: string }, snapshot?: number) => previewLines(await world.runOp({
    op: 'query', sql: "SELECT string_agg(id::VARCHAR || ':' || coalesce(note, '-'), ',' ORDER BY id) AS ids FROM events",
    ...(catalog ? { catalog } : {}), ...(snapshot === undefined ? {} : { snapshot: { id: snapshot } }),
  }))[0]?.ids;
  const ttl = (now: () => Date) => world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'event_ts' } }, { now });

  // TTL by the renamed column (older files carry it as `ts`, matched by field id): ids 1..6 expire.
  const first = await ttl(at(0));
  assert.equal(first.details?.filesDropped, 2);
  assert.equal(first.details?.deleteFiles, 2);
  assert.equal(await ids(), '7:-,8:-,9:-,10:-,11:-,12:-,13:late,14:later');
  const lineage = await readLineage(world, 'events');
  const compacted = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(compacted.filesAdded, 2);
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows);
  const backup = await world.runOp({ op: 'backup' }, { now: at(1) });
  const backupSnapshot = Number(backup.snapshotId);

  // A second TTL two days on hits the merged files: delete files on them, ids kept.
  const second = await ttl(at(2));
  assert.equal(second.rows, 2);
  assert.equal(second.details?.deleteFiles, 2);
  assert.equal(await ids(), '9:-,10:-,11:-,12:-,13:late,14:later');
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows.filter((row) => Number(row.key) >= 9));

  const healthy = await world.runOp({ op: 'check', graceHours: 1 }, { now: at(3) });
  assert.deepEqual([healthy.details?.healthy, healthy.details?.missingCount, healthy.details?.orphanCount], [true, 0, 0]);

  // Expiry keeps the latest and the backup's snapshot; the files only older snapshots read go.
  const expired = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: at(20) });
  assert.deepEqual(expired.details?.keptForBackups, [backupSnapshot]);
  // The 8 ingested files (2 ended by the TTL, 6 by the compaction) and the 2 delete files the compaction ended.
  assert.equal(expired.details?.scheduledFiles, 10);
  const cleaned = await world.runOp({ op: 'cleanup-files', graceHours: 1 }, { now: at(21) });
  assert.equal(cleaned.details?.scheduledDeleted, expired.details?.scheduledFiles);
  const after = await world.runOp({ op: 'check', graceHours: 1 }, { now: at(21) });
  assert.deepEqual([after.details?.healthy, after.details?.missingCount, after.details?.orphanCount], [true, 0, 0]);
  assert.equal(await ids(), '9:-,10:-,11:-,12:-,13:late,14:later');
  assert.equal(await ids(undefined, backupSnapshot), '7:-,8:-,9:-,10:-,11:-,12:-,13:late,14:later', "the backup's snapshot still reads its files");
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows.filter((row) => Number(row.key) >= 9));

  // The backup restores into a new catalog that reads the same bucket: its rows are all there.
  const restoredCatalog = { name: world.common.catalog.name, path: join(world.dir, 'restored', 'lake.ducklake') };
  const restored = await world.runOp({ op: 'restore', fromBackup: 'latest', catalog: restoredCatalog });
  assert.equal(restored.snapshotId, backupSnapshot);
  assert.equal(await ids(restoredCatalog), '7:-,8:-,9:-,10:-,11:-,12:-,13:late,14:later');
});
