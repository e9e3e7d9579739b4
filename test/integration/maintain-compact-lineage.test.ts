import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitSnapshot } from '../../runner/lake/catalog/index.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { quoteIdentifier } from '../../runner/lake/sql.ts';
import type { OpOutcome } from '../../runner/ops/context.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';
import { readLineage } from './row-lineage-support.ts';

const ROW_ID_FIELD_ID = 2147483540;

async function fill(world: MaintainWorld, table: ReturnType<typeof eventsTable>, batches: number, perBatch: number, firstId = 1): Promise<void> {
  let id = firstId - 1;
  for (let batch = 0; batch < batches; batch += 1) {
    const rows: Array<[number, string, string, number]> = [];
    for (let i = 0; i < perBatch; i += 1) {
      id += 1;
      rows.push([id, `2026-11-${String(1 + (id % 28)).padStart(2, '0')} 10:00:00`, id % 2 === 0 ? 'EU' : 'US', id * 1.5]);
    }
    await world.ingestCsv(table, `batch-${firstId}-${batch}.csv`, csvRows(rows));
  }
}

function previewLines(outcome: OpOutcome): Array<Record<string, unknown>> {
  return String(outcome.query?.preview ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function nextRowId(world: MaintainWorld): Promise<number> {
  return Number((await world.catalogRows('SELECT next_row_id FROM ducklake_table_stats'))[0]?.next_row_id);
}

test('compaction keeps each row its id: positions before deletes, per partition, hidden column never a user column', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, eventsTable(), 5, 4);
  // ids 1..6 expire: batch 0's files end whole, batch 1's get delete files at position 0.
  await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => new Date('2026-12-08T00:00:00Z') });
  const before = await readLineage(world, 'events');
  assert.equal(before.rows.length, 14);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 2);
  assert.ok(before.files.every((file) => !file.carriesRowIds && file.rowIdStart !== null), 'ingested files number rows by row_id_start');
  // id 8 sits at position 1 behind the deleted id 6: its id counts the deleted row.
  const eu = await world.catalogRows("SELECT d.row_id_start FROM ducklake_data_file d JOIN ducklake_delete_file x USING (data_file_id) WHERE d.path LIKE 'region=EU/%' AND x.end_snapshot IS NULL");
  assert.equal(before.rows.find((row) => row.key === '8')?.rowId, Number(eu[0]?.row_id_start) + 1);
  const idsBefore = await nextRowId(world);
  const rowsBefore = await world.rowsAt('events');

  const result = await world.runOp({ op: 'compact', table: { name: 'events' } });
  assert.equal(result.filesAdded, 2);
  const after = await readLineage(world, 'events');
  assert.deepEqual(after.rows, before.rows, 'every row keeps its id');
  assert.equal(new Set(after.rows.map((row) => row.rowId)).size, after.rows.length);
  assert.deepEqual(after.files.map((file) => [file.rowIdStart, file.carriesRowIds, file.hiddenFieldIds]), [[null, true, [ROW_ID_FIELD_ID]], [null, true, [ROW_ID_FIELD_ID]]],
    'merged files carry _ducklake_internal_row_id (no snapshot column: they begin at the compaction) and row_id_start NULL');
  assert.equal(await nextRowId(world), idsBefore, 'no row id is spent');
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_file_column_stats WHERE column_id >= ?', [ROW_ID_FIELD_ID]))[0]?.n, 0);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_table_column_stats WHERE column_id >= ?', [ROW_ID_FIELD_ID]))[0]?.n, 0);
  assert.deepEqual(await world.rowsAt('events'), rowsBefore);

  // The query path reads by field id: the hidden column is no user column, results are unchanged.
  const all = previewLines(await world.runOp({ op: 'query', sql: 'SELECT * FROM events ORDER BY id', previewRows: 50 }));
  assert.deepEqual(Object.keys(all[0] ?? {}), ['id', 'ts', 'region', 'amount']);
  assert.deepEqual(all.map((row) => Number(row.id)), rowsBefore.map((row) => row.id));
  await assert.rejects(world.runOp({ op: 'query', sql: 'SELECT _ducklake_internal_row_id FROM events' }), /_ducklake_internal_row_id/);

  // A later insert numbers its rows from next_row_id: fresh ids, none shared with merged rows.
  await fill(world, eventsTable(), 1, 2, 100);
  const later = await readLineage(world, 'events');
  assert.equal(later.rows.length, 16);
  assert.equal(new Set(later.rows.map((row) => row.rowId)).size, 16);
  assert.deepEqual(later.rows.filter((row) => Number(row.key) >= 100).map((row) => row.rowId).sort((a, b) => a - b), [idsBefore, idsBefore + 1]);
});

test('a second compaction (of merged files with deletes) keeps ids, and time travel before either returns the old rows', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, eventsTable(), 4, 3);
  const original = await world.latestSnapshot();
  const rows0 = await world.rowsAt('events');
  const lineage0 = await readLineage(world, 'events');
  await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  const first = await world.latestSnapshot();
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage0.rows);

  await fill(world, eventsTable(), 2, 3, 13);
  // ids 1..3 expire: they sit in the merged files, which get (positional) delete files.
  const expired = await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => new Date('2026-12-05T00:00:00Z') });
  assert.equal(expired.details?.deleteFiles, 2);
  const beforeSecond = await readLineage(world, 'events');
  assert.equal(beforeSecond.rows.length, 15);
  assert.deepEqual(beforeSecond.rows.filter((row) => Number(row.key) <= 12), lineage0.rows.filter((row) => Number(row.key) > 3));
  const rowsBeforeSecond = await world.rowsAt('events');

  const second = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(second.filesRemoved, 6, 'two merged files with deletes and four new files');
  const afterSecond = await readLineage(world, 'events');
  assert.deepEqual(afterSecond.rows, beforeSecond.rows, 'ids survive a merge of merged files');
  assert.ok(afterSecond.files.every((file) => file.carriesRowIds && file.rowIdStart === null));
  assert.deepEqual(await world.rowsAt('events'), rowsBeforeSecond);

  // Every older snapshot still reads its own files: rows and ids as they were.
  assert.deepEqual(await world.rowsAt('events', original), rows0);
  assert.deepEqual((await readLineage(world, 'events', original)).rows, lineage0.rows);
  assert.deepEqual((await readLineage(world, 'events', first)).rows, lineage0.rows);
  for (const [snapshot, n] of [[original, 12], [first, 12], [first + 2, 18]] as const) {
    const line = previewLines(await world.runOp({ op: 'query', sql: 'SELECT count(*) AS n FROM events', snapshot: { id: snapshot } }))[0];
    assert.equal(Number(line?.n), n, `snapshot ${snapshot}`);
  }
});

test('compaction across an evolved schema (a column added, one renamed) keeps values, defaults and ids', async (t) => {
  const world = await startMaintainWorld(t);
  const v1 = eventsTable();
  await world.applyTable(v1);
  await fill(world, v1, 2, 2);
  const beforeEvolution = await world.latestSnapshot();
  const v2 = eventsTable({
    columns: [
      { name: 'id', type: 'INTEGER', nullable: false },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'value', type: 'DOUBLE', renamedFrom: 'amount' },
      { name: 'note', type: 'VARCHAR' },
    ],
  });
  await world.applyTable(v2);
  await world.put('landing/events/v2.csv', 'id,ts,region,value,note\n5,2026-11-20 10:00:00,EU,7.5,five\n6,2026-11-21 10:00:00,US,9,six\n');
  await world.ingest(v2, { keys: ['landing/events/v2.csv'] });
  const sql = 'SELECT id, region, value, note FROM events ORDER BY id';
  const expected = previewLines(await world.runOp({ op: 'query', sql }));
  assert.deepEqual(expected.map((row) => [row.id, row.value, row.note]), [[1, 1.5, null], [2, 3, null], [3, 4.5, null], [4, 6, null], [5, 7.5, 'five'], [6, 9, 'six']]);
  const lineage = await readLineage(world, 'events');

  const result = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(result.filesRemoved, 6);
  assert.deepEqual(previewLines(await world.runOp({ op: 'query', sql })), expected);
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows);
  const fields = await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file WHERE end_snapshot IS NULL AND row_id_start IS NULL');
  assert.equal(fields[0]?.n, 2);
  // Time travel to before the evolution reads the old column name and the old files.
  const old = previewLines(await world.runOp({ op: 'query', sql: 'SELECT * FROM events ORDER BY id', snapshot: { id: beforeEvolution } }));
  assert.deepEqual(Object.keys(old[0] ?? {}), ['id', 'ts', 'region', 'amount']);
  assert.deepEqual(old.map((row) => row.amount), [1.5, 3, 4.5, 6]);
});

test('compaction applies the deletes the extension inlined into the catalog (ducklake_inlined_delete_<table>) and keeps ids', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, eventsTable(), 3, 2);
  const lineage = await readLineage(world, 'events');
  // As the extension does for a small DELETE: the position of id 4 in its file, in the catalog.
  const target = (await world.catalogRows("SELECT data_file_id, table_id FROM ducklake_data_file WHERE path LIKE 'region=EU/%' ORDER BY data_file_id LIMIT 1 OFFSET 1"))[0];
  const handle = await openDuckDB(world.catalogPath);
  try {
    await commitSnapshot(handle.connection, { message: 'as the extension inlines a small delete' }, async (tx) => {
      await tx.run(`CREATE TABLE ${quoteIdentifier(`ducklake_inlined_delete_${Number(target?.table_id)}`)} (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
      await tx.run(`INSERT INTO ${quoteIdentifier(`ducklake_inlined_delete_${Number(target?.table_id)}`)} VALUES (?, 0, ?)`, [Number(target?.data_file_id), tx.snapshotId]);
      tx.addChange('inlined_delete', Number(target?.table_id));
    });
  } finally {
    await handle.close();
  }
  const ids = async () => previewLines(await world.runOp({ op: 'query', sql: 'SELECT id FROM events ORDER BY id' })).map((row) => Number(row.id));
  assert.deepEqual(await ids(), [1, 2, 3, 5, 6], 'the reader applies the inlined delete');
  const result = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(result.rows, 5);
  assert.deepEqual(await ids(), [1, 2, 3, 5, 6], 'the deleted row stays deleted');
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows.filter((row) => row.key !== '4'));
});

test('compaction after a partition spec change merges each spec\'s files apart, keeping spec ids, values and row ids', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await fill(world, eventsTable(), 2, 2);
  const byDay = eventsTable({ format: { compression: 'ZSTD', partitioning: ['day(ts)'] } });
  await world.applyTable(byDay);
  for (let batch = 0; batch < 2; batch += 1) {
    await world.ingestCsv(byDay, `day-${batch}.csv`, csvRows([5, 6].map((n) => [batch * 2 + n, '2026-11-20 10:00:00', n % 2 === 0 ? 'EU' : 'US', n] as const)));
  }
  const specs = async () => (await world.catalogRows(`SELECT d.partition_id, list(v.partition_value ORDER BY v.partition_key_index) AS vals, count(DISTINCT d.data_file_id) AS files
    FROM ducklake_data_file d JOIN ducklake_file_partition_value v USING (data_file_id) WHERE d.end_snapshot IS NULL GROUP BY d.partition_id, v.partition_value ORDER BY 1, 2`))
    .map((row) => [Number(row.partition_id), (row.vals as string[])[0], Number(row.files)]);
  const [regionSpec, daySpec] = [...new Set((await specs()).map(([spec]) => spec))];
  assert.deepEqual(await specs(), [[regionSpec, 'EU', 2], [regionSpec, 'US', 2], [daySpec, '20', 2]]);
  const lineage = await readLineage(world, 'events');
  const rows = await world.rowsAt('events');

  const result = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(result.details?.groups, 3);
  assert.deepEqual(await specs(), [[regionSpec, 'EU', 1], [regionSpec, 'US', 1], [daySpec, '20', 1]]);
  assert.deepEqual((await readLineage(world, 'events')).rows, lineage.rows);
  assert.deepEqual(await world.rowsAt('events'), rows);
  const paths = (await world.catalogRows('SELECT path FROM ducklake_data_file WHERE end_snapshot IS NULL ORDER BY path')).map((row) => String(row.path).replace(/ducklake-.*$/, ''));
  assert.deepEqual(paths, ['day=20/', 'region=EU/', 'region=US/']);
});
