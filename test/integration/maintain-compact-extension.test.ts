import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { commitSnapshot, uuidV7 } from '../../runner/lake/catalog/index.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import type { OpOutcome } from '../../runner/ops/context.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';
import { readLineage } from './row-lineage-support.ts';

function previewLines(outcome: OpOutcome): Array<Record<string, unknown>> {
  return String(outcome.query?.preview ?? '').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * mergeLikeTheExtension does what the extension's merge_adjacent_files does to the first
 * two files (format §11): one file with _ducklake_internal_row_id and
 * _ducklake_internal_snapshot_id, begin_snapshot of the first source, partial_max of the
 * last, row_id_start NULL; the sources' rows are DELETEd and their objects scheduled.
 */
async function mergeLikeTheExtension(world: MaintainWorld): Promise<void> {
  const sources = await world.catalogRows('SELECT data_file_id, table_id, path, row_id_start, begin_snapshot, partition_id FROM ducklake_data_file ORDER BY data_file_id LIMIT 2');
  const tablePath = 'main/events/';
  const db = await openDuckDB(':memory:');
  const merged = join(world.dir, 'extension-merged.parquet');
  try {
    const parts: string[] = [];
    for (const [index, source] of sources.entries()) {
      const local = join(world.dir, `extension-source-${index}.parquet`);
      await world.s3.store.getToFile(`${tablePath}${String(source.path)}`, local);
      parts.push(`SELECT id, ts, region, amount, ${Number(source.row_id_start)} + file_row_number AS _ducklake_internal_row_id, ${Number(source.begin_snapshot)}::BIGINT AS _ducklake_internal_snapshot_id
        FROM read_parquet(${quoteString(local)}, file_row_number = true)`);
    }
    await db.connection.run(`COPY (${parts.join(' UNION ALL ')}) TO ${quoteString(merged)} (FORMAT parquet,
      FIELD_IDS {id: 1, ts: 2, region: 3, amount: 4, _ducklake_internal_row_id: 2147483540, _ducklake_internal_snapshot_id: 2147483539})`);
  } finally {
    await db.close();
  }
  const relative = `region=EU/ducklake-${uuidV7(Date.now())}.parquet`;
  await world.s3.store.putFile(`${tablePath}${relative}`, merged);
  const size = (await stat(merged)).size;
  const [first, second] = sources;
  const handle = await openDuckDB(world.catalogPath);
  try {
    await commitSnapshot(handle.connection, { message: 'as merge_adjacent_files does' }, async (tx) => {
      const ids = sources.map((source) => Number(source.data_file_id));
      for (const table of ['ducklake_data_file', 'ducklake_file_column_stats', 'ducklake_file_partition_value']) {
        await tx.run(`DELETE FROM ${table} WHERE data_file_id IN (?, ?)`, ids);
      }
      const id = tx.allocFileId();
      await tx.run("INSERT INTO ducklake_data_file VALUES (?, ?, ?, NULL, NULL, ?, true, 'parquet', 4, ?, NULL, NULL, ?, NULL, NULL, ?)", [
        id, Number(first?.table_id), Number(first?.begin_snapshot), relative, size, Number(first?.partition_id), Number(second?.begin_snapshot),
      ]);
      await tx.run("INSERT INTO ducklake_file_partition_value VALUES (?, ?, 0, 'EU')", [id, Number(first?.table_id)]);
      for (const source of sources) await tx.run('INSERT INTO ducklake_files_scheduled_for_deletion VALUES (?, ?, true, NOW())', [Number(source.data_file_id), `${tablePath}${String(source.path)}`]);
      tx.addChange('merge_adjacent', Number(first?.table_id));
    });
  } finally {
    await handle.close();
  }
}

test('compaction of a file the extension merged keeps its rows\' ids, and every snapshot reads through its per-row snapshots', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  const snapshots: number[] = [];
  for (let batch = 0; batch < 3; batch += 1) {
    const out = await world.ingestCsv(eventsTable(), `b${batch}.csv`, csvRows([1, 2].map((n) => [batch * 2 + n, '2026-11-20 10:00:00', 'EU', n] as const)));
    snapshots.push(Number(out.snapshotId));
  }
  const lineage = await readLineage(world, 'events');
  await mergeLikeTheExtension(world);
  const ids = async (snapshot?: number) => previewLines(await world.runOp({ op: 'query', sql: 'SELECT * FROM events ORDER BY id', ...(snapshot === undefined ? {} : { snapshot: { id: snapshot } }) }));
  const expectAt = async (want: Record<number, number[]>) => {
    for (const [snapshot, list] of Object.entries(want)) assert.deepEqual((await ids(Number(snapshot))).map((row) => row.id), list, `snapshot ${snapshot}`);
  };
  const [s1 = 0, s2 = 0, s3 = 0] = snapshots;
  await expectAt({ [s1]: [1, 2], [s2]: [1, 2, 3, 4], [s3]: [1, 2, 3, 4, 5, 6] });
  assert.deepEqual(Object.keys((await ids())[0] ?? {}), ['id', 'ts', 'region', 'amount'], 'hidden columns are no user columns');
  const extension = await readLineage(world, 'events');
  assert.deepEqual(extension.rows, lineage.rows);
  assert.deepEqual(extension.files.map((file) => [file.rowIdStart, file.hiddenFieldIds]), [[Number(lineage.files[2]?.rowIdStart), []], [null, [2147483539, 2147483540]]]);

  const result = await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  assert.equal(result.filesRemoved, 2);
  const after = await readLineage(world, 'events');
  assert.deepEqual(after.rows, lineage.rows, 'ids come from the merged file\'s hidden column and the other file\'s row_id_start');
  assert.deepEqual(after.files.map((file) => [file.rowIdStart, file.hiddenFieldIds]), [[null, [2147483540]]]);
  await expectAt({ [s1]: [1, 2], [s2]: [1, 2, 3, 4], [s3]: [1, 2, 3, 4, 5, 6], [s3 + 2]: [1, 2, 3, 4, 5, 6] });
});
