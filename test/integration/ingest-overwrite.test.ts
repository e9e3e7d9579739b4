import assert from 'node:assert/strict';
import { test } from 'node:test';
import { commitSnapshot } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import { salesTable, startIngestWorld } from './ingest-harness.ts';

const plainTable = (overrides = {}) => salesTable({ format: { compression: 'ZSTD', partitioning: [] }, ...overrides });

test('overwrite mode ends the visible files in the same snapshot and logs both changes', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.ingest(plainTable());
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n90,2026-11-09 00:00:00,US,5\n');
  const result = await world.ingest(plainTable({ mode: 'overwrite' }));
  assert.equal(result.filesRemoved, 1);
  assert.equal(result.table?.rowCount, 1);
  const files = await world.catalogRows('SELECT data_file_id, begin_snapshot, end_snapshot, record_count FROM ducklake_data_file ORDER BY data_file_id');
  assert.deepEqual(files.map((row) => [row.begin_snapshot, row.end_snapshot, row.record_count]), [[2, 3, 6], [3, null, 1]]);
  const [changes] = await world.catalogRows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 3');
  const tableId = (await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'sales'"))[0]?.table_id;
  assert.equal(changes?.changes_made, `deleted_from_table:${tableId},inserted_into_table:${tableId}`);
  const [stats] = await world.catalogRows('SELECT next_row_id FROM ducklake_table_stats');
  assert.equal(stats?.next_row_id, 7, 'next_row_id never decreases');
});

test('overwrite mode also ends the rows the extension inlined into the catalog', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  const tableId = Number((await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'sales'"))[0]?.table_id);
  // What the extension's small INSERT leaves: two rows in ducklake_inlined_data_<table>_<schema version>.
  const handle = await openDuckDB(world.catalogPath);
  let name = '';
  try {
    const version = Number((await queryRows(handle.connection, 'SELECT max(schema_version) AS v FROM ducklake_snapshot'))[0]?.v);
    name = `ducklake_inlined_data_${tableId}_${version}`;
    await commitSnapshot(handle.connection, { message: 'as the extension inlines a small insert' }, async (tx) => {
      await tx.run(`CREATE TABLE ${name} (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id INTEGER, ts TIMESTAMP, region VARCHAR, amount DOUBLE)`);
      await tx.run('INSERT INTO ducklake_inlined_data_tables VALUES (?, ?, ?)', [tableId, name, version]);
      await tx.run(`INSERT INTO ${name} VALUES (0, ?, NULL, 1, '2026-10-01 00:00:00', 'EU', 1), (1, ?, NULL, 2, NULL, 'US', 2)`, [tx.snapshotId, tx.snapshotId]);
      await tx.run('INSERT INTO ducklake_table_stats VALUES (?, 2, 2, 0)', [tableId]);
      tx.addChange('inlined_insert', tableId);
    });
  } finally {
    await handle.close();
  }
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n90,2026-11-09 00:00:00,US,5\n');
  const result = await world.ingest(plainTable({ mode: 'overwrite' }));
  const inlined = await world.catalogRows(`SELECT row_id, end_snapshot FROM ${name} ORDER BY row_id`);
  assert.deepEqual(inlined.map((row) => row.end_snapshot), [result.snapshotId, result.snapshotId]);
  const [changes] = await world.catalogRows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = ?', [result.snapshotId]);
  assert.equal(changes?.changes_made, `inlined_delete:${tableId},inserted_into_table:${tableId}`);
});
