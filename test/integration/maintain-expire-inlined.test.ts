import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApplyTablePlan, type PlanInput } from '../../api/plan.ts';
import { commitSnapshot, type CommitTx } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import { quoteIdentifier, quoteString } from '../../runner/lake/sql.ts';
import { operation as applyTable } from '../../runner/ops/apply-table.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';

const DAY = 86_400_000;
const byFileThenRow = (a: unknown[], b: unknown[]) => Number(a[0]) - Number(b[0]) || Number(a[1]) - Number(b[1]);

/** commitAsExtension writes one snapshot the way the extension would, at the given time. */
async function commitAsExtension(world: MaintainWorld, at: Date, build: (tx: CommitTx) => Promise<void>): Promise<number> {
  const handle = await openDuckDB(world.catalogPath);
  try {
    return (await commitSnapshot(handle.connection, { message: 'as the extension writes it', now: at }, build)).snapshotId;
  } finally {
    await handle.close();
  }
}

/** positionsOf maps each id to [data_file_id, row position] by reading the table's files. */
async function positionsOf(world: MaintainWorld): Promise<Map<number, [number, number]>> {
  const files = await world.catalogRows('SELECT data_file_id, path FROM ducklake_data_file ORDER BY data_file_id');
  const scratch = await openDuckDB(':memory:');
  const out = new Map<number, [number, number]>();
  try {
    for (const file of files) {
      const local = `${world.dir}/pos-${Number(file.data_file_id)}.parquet`;
      await world.s3.store.getToFile(`main/events/${String(file.path)}`, local);
      const rows = await queryRows(scratch.connection, `SELECT id, file_row_number AS pos FROM read_parquet(${quoteString(local)}, file_row_number = true)`);
      for (const row of rows) out.set(Number(row.id), [Number(file.data_file_id), Number(row.pos)]);
    }
  } finally {
    await scratch.close();
  }
  return out;
}

async function idsAt(world: MaintainWorld, snapshot: number): Promise<string> {
  const out = await world.runOp({ op: 'query', sql: "SELECT string_agg(id::VARCHAR, ',' ORDER BY id) AS ids FROM events", snapshot: { id: snapshot } });
  return (JSON.parse(String(out.query?.preview).split('\n')[0] ?? '{}') as { ids: string }).ids;
}

test('expire-snapshots deletes the inlined rows and inlined deletes only expired snapshots saw, and no read of a remaining snapshot changes', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const at = (days: number) => new Date(base + days * DAY);
  await world.applyTable(eventsTable());
  world.ctx.now = () => at(1);
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([
    [1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'EU', 2],
    [3, '2026-11-01 10:00:00', 'US', 3], [4, '2026-11-01 11:00:00', 'US', 4], [8, '2026-11-01 12:00:00', 'US', 8],
    [5, '2026-11-01 10:00:00', 'APAC', 5], [6, '2026-11-01 11:00:00', 'APAC', 6],
  ]));
  const pos = await positionsOf(world);
  const fileOf = (id: number) => pos.get(id)?.[0] ?? -1;
  const tableId = Number((await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'events'"))[0]?.table_id);
  const version = Number((await world.catalogRows('SELECT max(schema_version) AS v FROM ducklake_snapshot'))[0]?.v);
  const data = quoteIdentifier(`ducklake_inlined_data_${tableId}_${version}`);
  const deletes = quoteIdentifier(`ducklake_inlined_delete_${tableId}`);
  const inlineDelete = (tx: CommitTx, id: number) => tx.run(`INSERT INTO ${deletes} VALUES (?, ?, ?)`, [...(pos.get(id) ?? [-1, -1]), tx.snapshotId]);

  // S2: a small INSERT of 10, 11, 12 (inlined) and a small DELETE of 1 (inlined file delete).
  const s2 = await commitAsExtension(world, at(2), async (tx) => {
    await tx.run(`CREATE TABLE ${data} (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id INTEGER, ts TIMESTAMP, region VARCHAR, amount DOUBLE)`);
    await tx.run('INSERT INTO ducklake_inlined_data_tables VALUES (?, ?, ?)', [tableId, `ducklake_inlined_data_${tableId}_${version}`, version]);
    await tx.run(`INSERT INTO ${data} VALUES (7, ?, NULL, 10, '2026-11-02 00:00:00', 'EU', 10), (8, ?, NULL, 11, '2026-11-02 00:00:00', 'EU', 11), (9, ?, NULL, 12, '2026-11-02 00:00:00', 'EU', 12)`,
      [tx.snapshotId, tx.snapshotId, tx.snapshotId]);
    await tx.run('UPDATE ducklake_table_stats SET record_count = record_count + 3, next_row_id = next_row_id + 3 WHERE table_id = ?', [tableId]);
    await tx.run(`CREATE TABLE ${deletes} (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
    await inlineDelete(tx, 1);
    tx.addChange('inlined_insert', tableId);
    tx.addChange('deleted_from_table', tableId);
  });
  // S3: DELETE of 10 (an inlined row ends) and of 3 and 5 (inlined file deletes). S4: DELETE of 11.
  const s3 = await commitAsExtension(world, at(3), async (tx) => {
    await tx.run(`UPDATE ${data} SET end_snapshot = ? WHERE id = 10`, [tx.snapshotId]);
    await inlineDelete(tx, 3);
    await inlineDelete(tx, 5);
    tx.addChange('inlined_delete', tableId);
  });
  await commitAsExtension(world, at(4), async (tx) => {
    await tx.run(`UPDATE ${data} SET end_snapshot = ? WHERE id = 11`, [tx.snapshotId]);
    tx.addChange('inlined_delete', tableId);
  });
  // S5: DELETE of 2 empties the EU file, which ends (the US file gets an inlined delete of 4 first). S6: DELETE of 8 ends the US file.
  await commitAsExtension(world, at(5), async (tx) => {
    await inlineDelete(tx, 4);
    await tx.run('UPDATE ducklake_data_file SET end_snapshot = ? WHERE data_file_id = ?', [tx.snapshotId, fileOf(2)]);
    tx.addChange('deleted_from_table', tableId);
  });
  const s6 = await commitAsExtension(world, at(6), async (tx) => {
    await tx.run('UPDATE ducklake_data_file SET end_snapshot = ? WHERE data_file_id = ?', [tx.snapshotId, fileOf(8)]);
    tx.addChange('deleted_from_table', tableId);
  });
  assert.equal(await idsAt(world, s2), '2,3,4,5,6,8,10,11,12');
  assert.equal(await idsAt(world, s3), '2,4,6,8,11,12');
  assert.equal(await idsAt(world, s6), '6,12');
  const dataRows = async () => (await world.catalogRows(`SELECT id FROM ${data} ORDER BY id`)).map((row) => row.id);
  const deleteRows = async () => (await world.catalogRows(`SELECT file_id, row_id, begin_snapshot FROM ${deletes}`))
    .map((row) => [row.file_id, row.row_id, row.begin_snapshot]).sort(byFileThenRow);
  const deleteOf = (id: number, snapshot: number) => [...(pos.get(id) ?? []), snapshot];

  // Keeping S3: 10 ([S2, S3)) is seen by no remaining snapshot, 11 ([S2, S4)) is seen by S3.
  // The delete of 4 (from S5) fell on the US file while no remaining snapshot saw both.
  const first = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7, keepSnapshots: [s3] }, { now: () => at(30) });
  assert.deepEqual((await world.catalogRows('SELECT snapshot_id FROM ducklake_snapshot ORDER BY 1')).map((row) => row.snapshot_id), [s3, s6]);
  assert.equal(first.details?.inlinedRows, 1);
  assert.equal(first.details?.inlinedDeletes, 1);
  assert.equal(first.details?.scheduledFiles, 0, 'S3 still reads the EU and US files');
  assert.deepEqual(await dataRows(), [11, 12]);
  assert.deepEqual(await deleteRows(), [deleteOf(1, s2), deleteOf(3, s3), deleteOf(5, s3)].sort(byFileThenRow));
  assert.equal(await idsAt(world, s3), '2,4,6,8,11,12');
  assert.equal(await idsAt(world, s6), '6,12');

  // Only S6 left: 11 goes, and so do the inlined deletes of the two files expiry removed; the APAC file's stays.
  const second = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7 }, { now: () => at(30) });
  assert.equal(second.details?.scheduledFiles, 2);
  assert.equal(second.details?.inlinedRows, 1);
  assert.equal(second.details?.inlinedDeletes, 2);
  assert.deepEqual(await dataRows(), [12]);
  assert.deepEqual(await deleteRows(), [deleteOf(5, s3)]);
  assert.equal(await idsAt(world, s6), '6,12');

  const again = await world.runOp({ op: 'expire-snapshots', olderThanDays: 7 }, { now: () => at(30) });
  assert.equal(again.details?.expiredCount, 0);
  assert.deepEqual(await dataRows(), [12]);
});

test('expire-snapshots drops the inlined delete table of a dropped table once no snapshot sees it, as the extension does', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  const other = eventsTable({ name: 'other', ingest: { prefix: 'landing/other/', format: 'csv' } });
  await world.applyTable(eventsTable());
  await world.applyTable(other);
  await world.ingestCsv(other, 'o.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'EU', 2]]));
  await world.ingestCsv(eventsTable(), 'e.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1], [2, '2026-11-01 11:00:00', 'EU', 2]]));
  const files = await world.catalogRows('SELECT d.data_file_id, d.table_id, t.table_name FROM ducklake_data_file d JOIN ducklake_table t USING (table_id) ORDER BY t.table_name');
  for (const file of files) {
    await commitAsExtension(world, new Date(), async (tx) => {
      const name = quoteIdentifier(`ducklake_inlined_delete_${Number(file.table_id)}`);
      await tx.run(`CREATE TABLE ${name} (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
      await tx.run(`INSERT INTO ${name} VALUES (?, 0, ?)`, [Number(file.data_file_id), tx.snapshotId]);
      tx.addChange('deleted_from_table', Number(file.table_id));
    });
  }
  const [eventsId, otherId] = files.map((file) => Number(file.table_id));
  await applyTable.run(ApplyTablePlan.parse({ op: 'apply-table', ...world.common, table: other, drop: true } satisfies PlanInput), world.ctx);
  const tables = async () => (await world.catalogRows("SELECT table_name FROM information_schema.tables WHERE table_name LIKE 'ducklake_inlined_delete_%' ORDER BY 1")).map((row) => row.table_name);
  assert.deepEqual(await tables(), [`ducklake_inlined_delete_${eventsId}`, `ducklake_inlined_delete_${otherId}`].sort());
  const result = await world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: () => new Date(base + 2 * DAY) });
  assert.deepEqual(result.details?.droppedTables, [otherId]);
  assert.deepEqual(await tables(), [`ducklake_inlined_delete_${eventsId}`]);
  assert.equal((await world.catalogRows(`SELECT count(*) AS n FROM ${quoteIdentifier(`ducklake_inlined_delete_${eventsId}`)}`))[0]?.n, 1, "the live table's inlined delete stays");
  assert.match(await idsAt(world, await world.latestSnapshot()), /^[12]$/, 'the inlined delete of one of the two rows still applies');
});

test('expire-snapshots rolls the whole expiry back when the inlined step fails: snapshots, file rows and schedule stay', async (t) => {
  const world = await startMaintainWorld(t);
  const base = Date.now();
  await world.applyTable(eventsTable());
  world.ctx.now = () => new Date(base + DAY);
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-11-01 10:00:00', 'EU', 1]]));
  world.ctx.now = () => new Date(base + 2 * DAY);
  await world.ingestCsv(eventsTable({ mode: 'overwrite' }), 'b.csv', csvRows([[2, '2026-11-02 10:00:00', 'EU', 2]]));
  // A table named like an inlined data table but without its snapshot columns: the DELETE cannot bind.
  const handle = await openDuckDB(world.catalogPath);
  try {
    await handle.connection.run('CREATE TABLE ducklake_inlined_data_999_0 (id INTEGER)');
  } finally {
    await handle.close();
  }
  const snapshots = await world.catalogRows('SELECT snapshot_id FROM ducklake_snapshot ORDER BY 1');
  const files = await world.catalogRows('SELECT data_file_id FROM ducklake_data_file ORDER BY 1');
  await assert.rejects(world.runOp({ op: 'expire-snapshots', olderThanDays: 1 }, { now: () => new Date(base + 30 * DAY) }), /end_snapshot|begin_snapshot/);
  assert.deepEqual(await world.catalogRows('SELECT snapshot_id FROM ducklake_snapshot ORDER BY 1'), snapshots);
  assert.deepEqual(await world.catalogRows('SELECT data_file_id FROM ducklake_data_file ORDER BY 1'), files);
  assert.equal(files.length, 2, 'the ended file of a.csv is still there');
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_files_scheduled_for_deletion'))[0]?.n, 0);
});
