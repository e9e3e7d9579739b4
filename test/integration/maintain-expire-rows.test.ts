import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import { commitSnapshot } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

const NOW = new Date('2026-12-01T00:00:00.000Z');
const ttl = (days = 30) => ({ op: 'expire-rows', table: { name: 'events', ttlDays: days, ttlColumn: 'ts' } });
const ids = (rows: Array<Record<string, unknown>>) => rows.map((row) => row.id);

test('expire-rows drops old files unread, writes delete files for straddling ones, leaves the rest, and keeps time travel', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  // EU: all old (dropped whole). US: straddles the cutoff 2026-11-01. APAC: NULL ages and new rows.
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([
    [1, '2026-10-01 00:00:00', 'EU', 1], [2, '2026-10-02 00:00:00', 'EU', 2],
    [3, '2026-10-15 00:00:00', 'US', 3], [4, '2026-11-15 00:00:00', 'US', 4], [5, '2026-10-20 00:00:00', 'US', 5], [6, '2026-11-20 00:00:00', 'US', 6],
  ]));
  await world.ingestCsv(eventsTable(), 'b.csv', 'id,ts,region,amount\n7,,APAC,7\n8,2026-11-25 00:00:00,APAC,8\n');
  const before = await world.latestSnapshot();
  const rowsBefore = await world.rowsAt('events');
  const objectsBefore = new Map<string, string>();
  for await (const info of world.s3.store.list('main/')) objectsBefore.set(info.key, info.etag);
  const euKey = [...objectsBefore.keys()].find((key) => key.includes('region=EU'));
  assert.ok(euKey);

  const proxy = await startFaultProxy({ target: world.s3.endpoint, failRate: 0, seed: 1, mode: '500' });
  t.after(() => proxy.close());
  const store = world.s3.makeStore({ endpoint: proxy.endpoint });
  const result = await world.runOp(ttl(), { store, now: () => NOW, storeFor: () => store });
  assert.equal(result.rows, 4);
  assert.equal(result.details?.filesDropped, 1);
  assert.equal(result.details?.deleteFiles, 1);
  assert.equal(result.details?.filesRead, 1, 'only the straddling file is read');
  assert.equal(result.table?.rowCount, 4, 'the result carries the live row count for the table status (8 rows - 4 expired)');
  const gets = proxy.requests.filter((request) => request.method === 'GET').map((request) => request.url);
  const usName = [...objectsBefore.keys()].find((key) => key.includes('region=US'))?.split('/').pop();
  assert.ok(usName && gets.some((url) => url.includes(usName)), 'the straddling file is downloaded');
  assert.ok(!gets.some((url) => url.includes(String(euKey.split('/').pop()))), 'the old file is never downloaded');

  const after = await world.latestSnapshot();
  assert.equal(after, before + 1, 'one snapshot');
  assert.deepEqual(ids(await world.rowsAt('events')), [4, 6, 7, 8]);
  assert.deepEqual(await world.rowsAt('events', before), rowsBefore, 'readers of the older snapshot still see the old rows');
  const changes = await world.catalogRows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = ?', [after]);
  assert.match(String(changes[0]?.changes_made), /^deleted_from_table:\d+$/);
  const deleteRows = await world.catalogRows('SELECT delete_count, begin_snapshot, end_snapshot, path FROM ducklake_delete_file');
  assert.equal(deleteRows.length, 1);
  assert.equal(deleteRows[0]?.delete_count, 2);
  assert.equal(deleteRows[0]?.begin_snapshot, after);
  assert.match(String(deleteRows[0]?.path), /^ducklake-[0-9a-f-]{36}-delete\.parquet$/);
  const ended = await world.catalogRows('SELECT count(*) AS n FROM ducklake_data_file WHERE end_snapshot = ?', [after]);
  assert.equal(ended[0]?.n, 1);
  // No data object was rewritten or deleted; exactly one object (the delete file) was added.
  const objectsAfter = new Map<string, string>();
  for await (const info of world.s3.store.list('main/')) objectsAfter.set(info.key, info.etag);
  for (const [key, etag] of objectsBefore) assert.equal(objectsAfter.get(key), etag, key);
  assert.equal(objectsAfter.size, objectsBefore.size + 1);

  // Nothing more to expire at the same time: no snapshot.
  const again = await world.runOp(ttl(), { now: () => NOW });
  assert.equal(again.rows, 0);
  assert.equal(await world.latestSnapshot(), after);

  // Later, more of the US file expires: the new delete file holds old and new positions.
  const later = await world.runOp(ttl(), { now: () => new Date('2026-12-17T00:00:00.000Z') });
  assert.equal(later.rows, 1);
  const live = await world.catalogRows('SELECT delete_count FROM ducklake_delete_file WHERE end_snapshot IS NULL');
  assert.deepEqual(live.map((row) => row.delete_count), [3]);
  assert.deepEqual(ids(await world.rowsAt('events')), [6, 7, 8]);
  assert.deepEqual(ids(await world.rowsAt('events', after)), [4, 6, 7, 8]);
  const check = await world.runOp({ op: 'check' });
  assert.equal(check.details?.healthy, true);
});

test('expire-rows ends a straddling file whose rows all expire, and refuses a non-time column', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([[1, '2026-10-01 00:00:00', 'EU', 1], [2, '2026-11-20 00:00:00', 'EU', 2]]));
  await world.runOp(ttl(), { now: () => NOW });
  assert.deepEqual(ids(await world.rowsAt('events')), [2]);
  const result = await world.runOp(ttl(), { now: () => new Date('2027-01-01T00:00:00.000Z') });
  assert.equal(result.rows, 1);
  assert.equal(result.details?.filesDropped, 1);
  assert.deepEqual(await world.rowsAt('events'), []);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_delete_file WHERE end_snapshot IS NULL'))[0]?.n, 0);

  const snapshot = await world.latestSnapshot();
  await assert.rejects(world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 1, ttlColumn: 'region' } }),
    (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_INVALID_SPEC' && /ttlColumn/.test(error.message) && /varchar/.test(error.message));
  await assert.rejects(world.runOp({ op: 'expire-rows', table: { name: 'nope', ttlDays: 1, ttlColumn: 'ts' } }),
    (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_TABLE_MISSING');
  assert.equal(await world.latestSnapshot(), snapshot);
});

test('expire-rows ends expired rows the extension inlined into the catalog, and older snapshots still see them', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  const handle = await openDuckDB(world.catalogPath);
  let inserted: number;
  try {
    const table = (await queryRows(handle.connection, "SELECT table_id FROM ducklake_table WHERE table_name = 'events'"))[0];
    const version = (await queryRows(handle.connection, 'SELECT max(schema_version) AS v FROM ducklake_snapshot'))[0];
    const tableId = Number(table?.table_id);
    const name = `ducklake_inlined_data_${tableId}_${Number(version?.v)}`;
    const commit = await commitSnapshot(handle.connection, { message: 'as the extension inlines a small insert' }, async (tx) => {
      await tx.run(`CREATE TABLE ${name} (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id INTEGER, ts TIMESTAMP, region VARCHAR, amount DOUBLE)`);
      await tx.run('INSERT INTO ducklake_inlined_data_tables VALUES (?, ?, ?)', [tableId, name, Number(version?.v)]);
      await tx.run(`INSERT INTO ${name} VALUES (0, ?, NULL, 1, '2026-10-01 00:00:00', 'EU', 1), (1, ?, NULL, 2, '2026-11-20 00:00:00', 'EU', 2), (2, ?, NULL, 3, NULL, 'US', 3)`, [tx.snapshotId, tx.snapshotId, tx.snapshotId]);
      await tx.run('INSERT INTO ducklake_table_stats VALUES (?, 3, 3, 0)', [tableId]);
      tx.addChange('inlined_insert', tableId);
    });
    inserted = commit.snapshotId;
  } finally {
    await handle.close();
  }
  const count = async (snapshot?: number) => {
    const out = await world.runOp({ op: 'query', sql: 'SELECT string_agg(id::VARCHAR, \',\' ORDER BY id) AS ids FROM events', ...(snapshot === undefined ? {} : { snapshot: { id: snapshot } }) });
    return (JSON.parse(String(out.query?.preview).split('\n')[0] ?? '{}') as { ids: string }).ids;
  };
  assert.equal(await count(), '1,2,3');
  const result = await world.runOp(ttl(), { now: () => NOW });
  assert.equal(result.rows, 1);
  assert.equal(result.details?.inlinedRows, 1);
  assert.equal(await count(), '2,3', 'the NULL age and the young row stay');
  assert.equal(await count(inserted), '1,2,3');
  const changes = await world.catalogRows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = ?', [result.snapshotId]);
  assert.match(String(changes[0]?.changes_made), /^inlined_delete:\d+$/);
});

test('expire-rows counts the deletes the extension inlined into the catalog as done, and drops a file they and the TTL empty', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([
    [1, '2026-10-01 00:00:00', 'EU', 1], [2, '2026-11-20 00:00:00', 'EU', 2],
    [3, '2026-10-01 00:00:00', 'US', 3], [4, '2026-11-20 00:00:00', 'US', 4], [5, '2026-11-21 00:00:00', 'US', 5],
  ]));
  // The extension's small DELETE of ids 2 and 5 lands in ducklake_inlined_delete_<table> as file positions.
  const files = await world.catalogRows('SELECT data_file_id, table_id, path FROM ducklake_data_file ORDER BY path');
  const scratch = await openDuckDB(':memory:');
  const inlined: Array<[number, number]> = [];
  try {
    for (const [index, file] of files.entries()) {
      const local = `${world.dir}/inlined-${index}.parquet`;
      await world.s3.store.getToFile(`main/events/${String(file.path)}`, local);
      const hit = await queryRows(scratch.connection, `SELECT file_row_number AS pos FROM read_parquet(${quoteString(local)}, file_row_number = true) WHERE id IN (2, 5)`);
      for (const row of hit) inlined.push([Number(file.data_file_id), Number(row.pos)]);
    }
  } finally {
    await scratch.close();
  }
  assert.equal(inlined.length, 2);
  const tableId = Number(files[0]?.table_id);
  const handle = await openDuckDB(world.catalogPath);
  try {
    await commitSnapshot(handle.connection, { message: 'as the extension inlines a small delete' }, async (tx) => {
      await tx.run(`CREATE TABLE ducklake_inlined_delete_${tableId} (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
      for (const [fileId, pos] of inlined) await tx.run(`INSERT INTO ducklake_inlined_delete_${tableId} VALUES (?, ?, ?)`, [fileId, pos, tx.snapshotId]);
      tx.addChange('inlined_delete', tableId);
    });
  } finally {
    await handle.close();
  }
  const result = await world.runOp(ttl(), { now: () => NOW });
  assert.equal(result.rows, 2, 'ids 1 and 3 expire; 2 and 5 were deleted before');
  assert.equal(result.details?.filesDropped, 1, 'EU: the TTL takes id 1, the inlined delete took id 2');
  assert.equal(result.details?.deleteFiles, 1);
  const out = await world.runOp({ op: 'query', sql: 'SELECT string_agg(id::VARCHAR, \',\' ORDER BY id) AS ids FROM events' });
  assert.equal((JSON.parse(String(out.query?.preview).split('\n')[0] ?? '{}') as { ids: string }).ids, '4');
  const deleteFile = await world.catalogRows('SELECT delete_count FROM ducklake_delete_file WHERE end_snapshot IS NULL');
  assert.deepEqual(deleteFile.map((row) => row.delete_count), [1], 'the new delete file holds the TTL position only: the extension subtracts inlined deletes apart');
});

test('expire-rows leaves positions the extension deleted inline out of its delete file, so the extension does not subtract them twice', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  await world.ingestCsv(eventsTable(), 'a.csv', csvRows([
    [3, '2026-10-15 00:00:00', 'US', 3], [4, '2026-11-15 00:00:00', 'US', 4], [5, '2026-10-20 00:00:00', 'US', 5], [6, '2026-11-20 00:00:00', 'US', 6],
  ]));
  const file = (await world.catalogRows('SELECT data_file_id, table_id, path FROM ducklake_data_file'))[0];
  const key = (await world.keys('main/')).find((each) => each.endsWith(String(file?.path)));
  assert.ok(file && key);
  const local = `${world.dir}/us.parquet`;
  await world.s3.store.getToFile(key, local);
  const handle = await openDuckDB(world.catalogPath);
  try {
    const found = await queryRows(handle.connection, `SELECT file_row_number AS pos FROM read_parquet('${local}', file_row_number = true) WHERE id = 3`);
    // The extension's small DELETE of id 3, kept in the catalog.
    await handle.connection.run(`CREATE TABLE ducklake_inlined_delete_${Number(file.table_id)}(file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)`);
    await handle.connection.run(`INSERT INTO ducklake_inlined_delete_${Number(file.table_id)} VALUES (${Number(file.data_file_id)}, ${Number(found[0]?.pos)}, 2)`);
  } finally {
    await handle.close();
  }
  const result = await world.runOp(ttl(), { now: () => NOW });
  assert.equal(result.rows, 1, 'only id 5 newly expires');
  const deletes = await world.catalogRows('SELECT delete_count FROM ducklake_delete_file WHERE end_snapshot IS NULL');
  assert.deepEqual(deletes.map((row) => row.delete_count), [1]);
});
