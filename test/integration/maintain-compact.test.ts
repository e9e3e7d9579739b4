import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { acquireCatalogLock } from '../../runner/lock.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';

const DAY = 86_400_000;

async function fill(world: MaintainWorld, batches: number, perBatch = 3): Promise<void> {
  let id = 0;
  for (let batch = 0; batch < batches; batch += 1) {
    const rows: Array<[number, string, string, number]> = [];
    for (let i = 0; i < perBatch; i += 1) {
      id += 1;
      rows.push([id, `2026-11-${String(1 + (id % 28)).padStart(2, '0')} 10:00:00`, id % 2 === 0 ? 'EU' : 'US', id * 1.5]);
    }
    await world.ingestCsv(eventsTable(), `batch-${batch}.csv`, csvRows(rows));
  }
}

test('compact merges small files per partition in one snapshot, applies deletes, keeps results and time travel', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, 5, 4);
  // Expire ids 1..6 (2026-11-02..07): the first batch's files end whole, the second batch's get delete files.
  await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => new Date('2026-12-08T00:00:00Z') });
  const before = await world.latestSnapshot();
  const rowsBefore = await world.rowsAt('events');
  assert.equal(rowsBefore.length, 14);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 2);
  const objectsBefore = await world.keys('main/');
  const tableId = (await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'events'"))[0]?.table_id;

  // Four small files per partition do not meet minSmallFiles 6: nothing happens.
  const skipped = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 6, deletedShare: 1 });
  assert.equal(skipped.details?.groups, 0);
  assert.equal(await world.latestSnapshot(), before);

  const statsBefore = (await world.catalogRows('SELECT record_count FROM ducklake_table_stats WHERE table_id = ?', [tableId]))[0];
  const result = await world.runOp({ op: 'compact', table: { name: 'events' } });
  const after = await world.latestSnapshot();
  assert.equal(after, before + 1);
  assert.equal(result.filesRemoved, 8);
  assert.equal(result.filesAdded, 2);
  assert.equal(result.rows, rowsBefore.length);
  assert.deepEqual(await world.rowsAt('events'), rowsBefore, 'same rows after compaction');
  assert.deepEqual(await world.rowsAt('events', before), rowsBefore, 'the previous snapshot reads the old files');
  assert.equal((await world.rowsAt('events', before - 1)).length, 20, 'before the TTL all 20 rows are visible');

  const live = await world.catalogRows(`SELECT d.data_file_id, d.path, d.begin_snapshot, d.record_count, v.partition_value FROM ducklake_data_file d
    JOIN ducklake_file_partition_value v USING (data_file_id) WHERE d.end_snapshot IS NULL ORDER BY v.partition_value`);
  assert.deepEqual(live.map((row) => row.partition_value), ['EU', 'US']);
  for (const row of live) {
    assert.equal(row.begin_snapshot, after);
    assert.ok(String(row.path).startsWith(`region=${String(row.partition_value)}/ducklake-`));
  }
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file WHERE end_snapshot = ?', [after]))[0]?.n, 8);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 0);
  assert.equal((await world.catalogRows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = ?', [after]))[0]?.changes_made, `merge_adjacent:${tableId}`);
  // record_count counts the rows ever inserted (deletes never lower it), so compaction leaves it alone.
  const stats = (await world.catalogRows('SELECT record_count FROM ducklake_table_stats WHERE table_id = ?', [tableId]))[0];
  assert.equal(stats?.record_count, Number(statsBefore?.record_count));
  const objectsAfter = await world.keys('main/');
  assert.deepEqual(objectsAfter.filter((key) => !objectsBefore.includes(key)).length, 2);
  assert.ok(objectsBefore.every((key) => objectsAfter.includes(key)), 'compaction deletes no object');

  // Once the old snapshots expire (the TTL commit is dated 2026-12-08), the replaced files
  // and delete files are scheduled and cleaned up; results stay.
  const later = new Date('2026-12-20T00:00:00Z').getTime();
  const expired = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: () => new Date(later) });
  assert.equal(expired.details?.scheduledFiles, 12);
  await world.runOp({ op: 'cleanup-files', graceHours: 1 }, { now: () => new Date(later + DAY) });
  assert.equal((await world.keys('main/')).length, 2);
  assert.deepEqual(await world.rowsAt('events'), rowsBefore);
  const check = await world.runOp({ op: 'check' }, { now: () => new Date(later + DAY) });
  assert.equal(check.details?.healthy, true);
  assert.equal(check.details?.orphanCount, 0);
});

test('compaction that drops deleted rows keeps record_count above the live count, so the extension does not answer MIN/MAX from stale bounds', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, 5, 4);
  // Expire ids 1 and 2 (2026-11-02, 03): two files of the first batch get delete files; no file ends whole.
  await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => new Date('2026-12-04T00:00:00Z') });
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 2);
  const tableId = (await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'events'"))[0]?.table_id;
  const bounds = await world.catalogRows('SELECT min_value FROM ducklake_table_column_stats WHERE table_id = ? AND column_id = 2', [tableId]);
  assert.equal(bounds[0]?.min_value, '2026-11-02 10:00:00', 'the table bounds still hold the expired rows');
  await world.runOp({ op: 'compact', table: { name: 'events' } });
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 0);
  const live = await world.catalogRows('SELECT sum(record_count) AS n FROM ducklake_data_file WHERE table_id = ? AND end_snapshot IS NULL', [tableId]);
  assert.equal(Number(live[0]?.n), 18);
  const stats = await world.catalogRows('SELECT record_count FROM ducklake_table_stats WHERE table_id = ?', [tableId]);
  assert.equal(stats[0]?.record_count, 20, 'record_count stays the rows ever inserted, so it differs from the 18 live rows');
});

test('compaction leaves out the rows the extension deleted inline (ducklake_inlined_delete_<table>), so they do not come back', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, 5, 4);
  const tableId = Number((await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'events'"))[0]?.table_id);
  const first = Number((await world.catalogRows('SELECT min(data_file_id) AS id FROM ducklake_data_file WHERE table_id = ?', [tableId]))[0]?.id);
  // What the extension's small DELETE commits: positions 0 and 1 of one file, kept in the catalog.
  const catalog = await openDuckDB(world.catalogPath);
  try {
    await catalog.connection.run(`CREATE TABLE ducklake_inlined_delete_${tableId}(file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
    await catalog.connection.run(`INSERT INTO ducklake_inlined_delete_${tableId} VALUES (${first}, 0, 1), (${first}, 1, 1)`);
  } finally {
    await catalog.close();
  }
  assert.equal((await world.rowsAt('events')).length, 20, 'the harness reader ignores inlined deletes');
  await world.runOp({ op: 'compact', table: { name: 'events' } });
  const live = await world.catalogRows('SELECT sum(record_count) AS n FROM ducklake_data_file WHERE table_id = ? AND end_snapshot IS NULL', [tableId]);
  assert.equal(Number(live[0]?.n), 18);
  assert.equal((await world.rowsAt('events')).length, 18);
});

test('a concurrent ingest and compaction serialize through the catalog lock and keep exact row counts', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, 4, 2);
  await world.put('landing/events/late.csv', csvRows([[100, '2026-11-10 10:00:00', 'EU', 1], [101, '2026-11-11 10:00:00', 'US', 2]]));
  const locked = async <T>(mode: 'exclusive' | 'shared', fn: () => Promise<T>, order: string[], label: string): Promise<T> => {
    const lock = await acquireCatalogLock(world.catalogPath, mode, 30_000);
    order.push(`${label}:start`);
    try {
      return await fn();
    } finally {
      order.push(`${label}:end`);
      lock.release();
    }
  };
  const order: string[] = [];
  const [compacted, ingested] = await Promise.all([
    locked('exclusive', () => world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 }), order, 'compact'),
    locked('exclusive', () => world.ingest(eventsTable(), { keys: ['landing/events/late.csv'] }), order, 'ingest'),
  ]);
  // Each held the lock alone: one ended before the other started.
  assert.ok(order[1]?.endsWith(':end') && order[2]?.endsWith(':start'), order.join(' '));
  assert.notEqual(compacted.snapshotId, ingested.snapshotId);
  const rows = await world.rowsAt('events');
  assert.equal(rows.length, 10);
  assert.equal(new Set(rows.map((row) => row.id)).size, 10);
});

test('compact keeps transform partitions (identity, day, bucket): values, directories and rows', async (t) => {
  const world = await startMaintainWorld(t);
  const table = eventsTable({ format: { compression: 'ZSTD', partitioning: ['region', 'day(ts)', 'bucket(2, id)'] } });
  await world.applyTable(table);
  for (let batch = 0; batch < 3; batch += 1) {
    await world.ingestCsv(table, `t${batch}.csv`, csvRows([1, 2, 3, 4].map((n) => [batch * 10 + n, '2026-11-03 10:00:00', 'EU', n] as [number, string, string, number])));
  }
  const rowsBefore = await world.rowsAt('events');
  const filesBefore = await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file WHERE end_snapshot IS NULL');
  const result = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(result.filesRemoved, Number(filesBefore[0]?.n));
  assert.equal(result.filesAdded, 2, 'one file per bucket');
  assert.deepEqual(await world.rowsAt('events'), rowsBefore);
  const values = await world.catalogRows(`SELECT d.path, list(v.partition_value ORDER BY v.partition_key_index) AS vals FROM ducklake_data_file d
    JOIN ducklake_file_partition_value v USING (data_file_id) WHERE d.end_snapshot IS NULL GROUP BY d.path ORDER BY d.path`);
  assert.equal(values.length, 2);
  for (const row of values) {
    const [region, day, bucket] = row.vals as string[];
    assert.equal(region, 'EU');
    assert.equal(day, '3');
    assert.ok(String(row.path).startsWith(`region=EU/day=3/bucket=${bucket}/ducklake-`), String(row.path));
  }
});
