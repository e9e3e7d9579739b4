/**
 * Reads a catalog laid out exactly as the stock ducklake extension 1.0 writes it
 * (ducklake-format.md, appendix): local absolute DATA_PATH, hive partition directories,
 * uuid file names, snappy Parquet with field ids, a delete file whose file_path is the
 * absolute data-file path, and a second delete in the extension's 1.0 style (one file
 * with every position and a per-position snapshot column; the old row DELETEd).
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { QueryPlan } from '../../api/plan.ts';
import { createTableStatements } from '../../runner/lake/catalog/index.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import { createLogger } from '../../runner/log.ts';
import { operation } from '../../runner/ops/query.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

let s3: TestS3;
let dir: string;
let catalogPath: string;
const UUIDS = ['0199a1b2-0000-7000-8000-000000000001', '0199a1b2-0000-7000-8000-000000000002', '0199a1b2-0000-7000-8000-000000000003'];

before(async () => {
  s3 = await startTestS3();
  dir = await tempDir(undefined, 'fm-query-stock-');
  const dataPath = `${join(dir, 'data')}/`;
  const tableDir = `${dataPath}main/sales/`;
  catalogPath = join(dir, 'cat.ducklake');
  const db = await openDuckDB(catalogPath);
  const c = db.connection;
  const run = async (sql: string, params: (string | number | bigint | null | boolean)[] = []) => {
    await c.run(sql, params);
  };
  try {
    // The 28 tables with the extension's DDL column order (the part the extension and we share).
    for (const statement of createTableStatements()) await run(statement);
    await run("INSERT INTO ducklake_metadata VALUES ('version', '1.0', NULL, NULL), ('created_by', 'DuckDB d8cdaa33fd', NULL, NULL), ('data_path', ?, NULL, NULL), ('encrypted', 'false', NULL, NULL)", [dataPath]);
    const snap = async (id: number, sv: number, cat: number, file: number, changes: string) => {
      await run("INSERT INTO ducklake_snapshot VALUES (?, TIMESTAMPTZ '2026-04-20 10:00:00+00' + to_minutes(?), ?, ?, ?)", [id, id, sv, cat, file]);
      await run('INSERT INTO ducklake_snapshot_changes VALUES (?, ?, NULL, NULL, NULL)', [id, changes]);
    };
    await snap(0, 0, 1, 0, 'created_schema:"main"');
    await run("INSERT INTO ducklake_schema VALUES (0, uuid(), 0, NULL, 'main', 'main/', true)");
    await snap(1, 1, 2, 0, 'created_table:"main"."sales"');
    await run("INSERT INTO ducklake_table VALUES (1, ?::UUID, 1, NULL, 0, 'sales', 'sales/', true)", [UUIDS[0] ?? '']);
    const cols: [number, string, string][] = [[1, 'id', 'int32'], [2, 'ts', 'timestamp'], [3, 'region', 'varchar'], [4, 'amount', 'float64']];
    for (const [id, name, type] of cols) await run("INSERT INTO ducklake_column VALUES (?, 1, NULL, 1, ?, ?, ?, NULL, NULL, true, NULL, 'literal', 'duckdb')", [id, id, name, type]);
    await snap(2, 2, 3, 0, 'altered_table:1');
    await run('INSERT INTO ducklake_partition_info VALUES (2, 1, 2, NULL)');
    await run("INSERT INTO ducklake_partition_column VALUES (2, 1, 0, 3, 'identity')");
    // Inserts: one file per region per insert, uuid names under hive directories.
    const inserts: [number, number, string, string][] = [
      [3, 0, 'EU', "(1, TIMESTAMP '2024-01-01 10:00:00', 'EU', 10.5), (2, TIMESTAMP '2024-01-01 11:00:00', 'EU', 20.0)"],
      [3, 1, 'US', "(3, TIMESTAMP '2024-01-02 10:00:00', 'US', 30.0)"],
      [4, 2, 'EU', "(4, TIMESTAMP '2024-01-03 10:00:00', 'EU', 40.0), (5, TIMESTAMP '2024-01-03 11:00:00', 'EU', 50.0), (6, TIMESTAMP '2024-01-03 12:00:00', 'EU', 60.0)"],
    ];
    await snap(3, 2, 3, 2, 'inserted_into_table:1');
    await snap(4, 2, 3, 3, 'inserted_into_table:1');
    let rowId = 0;
    for (const [s, fileId, region, values] of inserts) {
      const relative = `region=${region}/ducklake-${UUIDS[fileId] ?? ''}.parquet`;
      await mkdir(join(tableDir, `region=${region}`), { recursive: true });
      const local = `${tableDir}${relative}`;
      const stats = await c.runAndReadAll(
        `COPY (SELECT col0::INTEGER AS id, col1 AS ts, col2 AS region, col3::DOUBLE AS amount FROM (VALUES ${values})) TO ${quoteString(local)}
         (FORMAT parquet, COMPRESSION snappy, FIELD_IDS {id: 1, ts: 2, region: 3, amount: 4}, RETURN_STATS)`,
      );
      const row = stats.getRowObjectsJS()[0];
      const count = Number(row?.count);
      await run("INSERT INTO ducklake_data_file VALUES (?, 1, ?, NULL, NULL, ?, true, 'parquet', ?, ?, ?, ?, 2, NULL, NULL, NULL)", [
        fileId, s, relative, count, Number(row?.file_size_bytes), Number(row?.footer_size_bytes), rowId,
      ]);
      rowId += count;
      await run("INSERT INTO ducklake_file_partition_value VALUES (?, 1, 0, ?)", [fileId, region]);
      await run(
        `INSERT INTO ducklake_file_column_stats SELECT ?, 1, cid, 10, ?, 0, mn, mx, CASE WHEN cid = 4 THEN false END, NULL
         FROM (VALUES (1, ?, ?), (3, ?, ?)) v(cid, mn, mx)`,
        [fileId, count, String(Math.min(...ids(values))), String(Math.max(...ids(values))), region, region],
      );
    }
    await snap(5, 3, 3, 3, 'altered_table:1');
    await run("INSERT INTO ducklake_column VALUES (5, 5, NULL, 1, 5, 'note', 'varchar', NULL, 'NULL', true, NULL, 'literal', 'duckdb')");
    // S6: DELETE id 5 (position 1 of file 2), spec style.
    const dataFile2 = `${tableDir}region=EU/ducklake-${UUIDS[2] ?? ''}.parquet`;
    const del6 = `${tableDir}ducklake-0199a1b2-0000-7000-8000-000000000006-delete.parquet`;
    await run(`COPY (SELECT ${quoteString(dataFile2)} AS file_path, 1::BIGINT AS pos) TO ${quoteString(del6)} (FORMAT parquet, FIELD_IDS {file_path: 2147483646, pos: 2147483645})`);
    await snap(6, 3, 3, 4, 'deleted_from_table:1');
    await run("INSERT INTO ducklake_delete_file VALUES (3, 1, 6, NULL, 2, 'ducklake-0199a1b2-0000-7000-8000-000000000006-delete.parquet', true, 'parquet', 1, 500, 100, NULL, NULL)");
    // S7: DELETE id 4 (position 0) the 1.0 way: one file with both positions and their snapshots; old row removed.
    const del7 = `${tableDir}ducklake-0199a1b2-0000-7000-8000-000000000007-delete.parquet`;
    await run(
      `COPY (SELECT ${quoteString(dataFile2)} AS file_path, pos::BIGINT AS pos, snap::BIGINT AS _ducklake_internal_snapshot_id FROM (VALUES (0, 7), (1, 6)) v(pos, snap) ORDER BY pos)
       TO ${quoteString(del7)} (FORMAT parquet, FIELD_IDS {file_path: 2147483646, pos: 2147483645, _ducklake_internal_snapshot_id: 2147483539})`,
    );
    await snap(7, 3, 3, 5, 'deleted_from_table:1');
    await run('DELETE FROM ducklake_delete_file WHERE delete_file_id = 3');
    await run("INSERT INTO ducklake_delete_file VALUES (4, 1, 6, NULL, 2, 'ducklake-0199a1b2-0000-7000-8000-000000000007-delete.parquet', true, 'parquet', 2, 600, 100, NULL, 7)");
    // Fix the recorded sizes to the real ones, as the extension records them.
    for (const [id, path] of [[3, del6], [4, del7]] as const) {
      await run(`UPDATE ducklake_delete_file SET file_size_bytes = (SELECT file_size_bytes FROM parquet_file_metadata(${quoteString(path)})) WHERE delete_file_id = ?`, [id]);
    }
    // S8: a small insert the extension inlines into the catalog; S9: inlined deletes of
    // an inlined row (end_snapshot) and of position 0 of the US file (inlined delete table).
    await snap(8, 3, 3, 5, 'inlined_insert:1');
    await run('CREATE TABLE ducklake_inlined_data_1_3 (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id INTEGER, ts TIMESTAMP, region VARCHAR, amount DOUBLE, note VARCHAR)');
    await run("INSERT INTO ducklake_inlined_data_1_3 VALUES (6, 8, NULL, 7, TIMESTAMP '2024-02-01 10:00:00', 'EU', 70.0, 'inl'), (7, 8, NULL, 8, TIMESTAMP '2024-02-02 10:00:00', 'APAC', 80.0, NULL)");
    await run("INSERT INTO ducklake_inlined_data_tables VALUES (1, 'ducklake_inlined_data_1_3', 3)");
    await snap(9, 3, 3, 5, 'inlined_delete:1,deleted_from_table:1');
    await run('UPDATE ducklake_inlined_data_1_3 SET end_snapshot = 9 WHERE id = 7');
    await run('CREATE TABLE ducklake_inlined_delete_1 (file_id BIGINT, row_id BIGINT, begin_snapshot BIGINT)');
    await run('INSERT INTO ducklake_inlined_delete_1 VALUES (1, 0, 9)');
    // S10/S11: table `merged` whose one file is the result of merge_adjacent_files over the
    // inserts of S10 and S11: rows carry their snapshot in _ducklake_internal_snapshot_id.
    await snap(10, 4, 5, 6, 'created_table:"main"."merged"');
    await run("INSERT INTO ducklake_table VALUES (4, uuid(), 10, NULL, 0, 'merged', 'merged/', true)");
    await run("INSERT INTO ducklake_column VALUES (1, 10, NULL, 4, 1, 'k', 'int64', NULL, NULL, true, NULL, 'literal', 'duckdb')");
    await snap(11, 4, 5, 6, 'inserted_into_table:4');
    await mkdir(`${dataPath}main/merged/`, { recursive: true });
    const merged = `${dataPath}main/merged/ducklake-0199a1b2-0000-7000-8000-000000000009.parquet`;
    const out = await c.runAndReadAll(
      `COPY (SELECT k::BIGINT AS k, k::BIGINT AS _ducklake_internal_row_id, s::BIGINT AS _ducklake_internal_snapshot_id FROM (VALUES (1, 10), (2, 10), (3, 11)) v(k, s))
       TO ${quoteString(merged)} (FORMAT parquet, FIELD_IDS {k: 1, _ducklake_internal_row_id: 2147483540, _ducklake_internal_snapshot_id: 2147483539}, RETURN_STATS)`,
    );
    const size = Number(out.getRowObjectsJS()[0]?.file_size_bytes);
    await run("INSERT INTO ducklake_data_file VALUES (9, 4, 10, NULL, NULL, 'ducklake-0199a1b2-0000-7000-8000-000000000009.parquet', true, 'parquet', 3, ?, 100, 0, NULL, NULL, NULL, 11)", [size]);
    // S12: ducklake_add_data_files registers a foreign file without field ids; its column
    // `key` maps to column id 1 (k) by name (mapping 20).
    await snap(12, 4, 5, 21, 'inserted_into_table:4');
    const foreign = join(dir, 'foreign.parquet');
    await run(`COPY (SELECT 100::INTEGER AS key, 'ignored' AS extra UNION ALL SELECT 101, 'x') TO ${quoteString(foreign)} (FORMAT parquet)`);
    const foreignSize = Number((await c.runAndReadAll(`SELECT file_size_bytes FROM parquet_file_metadata(${quoteString(foreign)})`)).getRowObjectsJS()[0]?.file_size_bytes);
    await run("INSERT INTO ducklake_column_mapping VALUES (20, 4, 'map_by_name')");
    await run("INSERT INTO ducklake_name_mapping VALUES (20, 0, 'key', 1, NULL, false)");
    await run("INSERT INTO ducklake_data_file VALUES (10, 4, 12, NULL, NULL, ?, false, 'parquet', 2, ?, 100, 3, NULL, NULL, 20, NULL)", [foreign, foreignSize]);
  } finally {
    await db.close();
  }
});

function ids(values: string): number[] {
  return [...values.matchAll(/\((\d+),/g)].map((m) => Number(m[1]));
}

after(async () => {
  await s3.close();
  await removeDir(dir);
});

async function rowsAt(sql: string, snapshot?: number): Promise<{ rows: Record<string, unknown>[]; details: Record<string, unknown> | undefined }> {
  const logs = new Writable({ write: (_c, _e, done) => done() });
  const outcome = await operation.run(
    QueryPlan.parse({
      op: 'query', catalog: { name: 'stock', path: catalogPath }, objectStore: { bucket: 'lake', endpoint: s3.endpoint, forcePathStyle: true },
      sql, previewRows: 100, ...(snapshot === undefined ? {} : { snapshot: { id: snapshot } }),
    }),
    { log: createLogger({}, logs), store: s3.store, storeFor: () => s3.store, cacheDir: join(dir, 'cache'), now: () => new Date() },
  );
  return { rows: (outcome.query?.preview ?? '').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>), details: outcome.details };
}

describe('query: a catalog as the stock extension writes it', () => {
  it('shows the rows of every snapshot', async () => {
    const sql = 'SELECT id, ts, region, amount FROM sales ORDER BY id';
    assert.deepEqual((await rowsAt(sql, 2)).rows, []);
    assert.deepEqual((await rowsAt(sql, 3)).rows.map((r) => r.id), [1, 2, 3]);
    assert.deepEqual((await rowsAt(sql, 4)).rows.map((r) => r.id), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual((await rowsAt(sql, 6)).rows.map((r) => r.id), [1, 2, 3, 4, 6]);
    assert.deepEqual((await rowsAt(sql, 7)).rows.map((r) => r.id), [1, 2, 3, 6]);
    assert.deepEqual((await rowsAt(sql, 8)).rows.map((r) => r.id), [1, 2, 3, 6, 7, 8]);
    assert.deepEqual((await rowsAt(sql)).rows.map((r) => r.id), [1, 2, 6, 8]);
    const inlined = await rowsAt('SELECT id, note FROM sales WHERE id >= 7 ORDER BY id', 8);
    assert.deepEqual(inlined.rows, [{ id: 7, note: 'inl' }, { id: 8, note: null }]);
    assert.equal(inlined.details?.inlinedRows, 2);
    assert.deepEqual((await rowsAt(sql, 3)).rows[0], { id: 1, ts: '2024-01-01 10:00:00', region: 'EU', amount: 10.5 });
  });

  it('hides rows of a merged file inserted after the snapshot', async () => {
    assert.deepEqual((await rowsAt('SELECT k FROM merged ORDER BY k', 10)).rows.map((r) => r.k), ['1', '2']);
    assert.deepEqual((await rowsAt('SELECT k FROM merged ORDER BY k', 11)).rows.map((r) => r.k), ['1', '2', '3']);
    assert.deepEqual(Object.keys((await rowsAt('SELECT * FROM merged', 11)).rows[0] ?? {}), ['k']);
  });

  it('reads a file registered without field ids through its name mapping', async () => {
    assert.deepEqual((await rowsAt('SELECT k FROM merged ORDER BY k', 12)).rows.map((r) => r.k), ['1', '2', '3', '100', '101']);
    assert.deepEqual((await rowsAt('SELECT k FROM merged ORDER BY k', 11)).rows.map((r) => r.k), ['1', '2', '3']);
  });

  it('reads the added column as NULL in older files and prunes by the partition', async () => {
    const { rows } = await rowsAt('SELECT id, note FROM sales WHERE region = \'US\'', 7);
    assert.deepEqual(rows, [{ id: 3, note: null }]);
    const { details } = await rowsAt("SELECT count(*) FROM sales WHERE region = 'US'");
    assert.equal(details?.filesRead, 1);
    assert.equal(details?.filesPruned, 2);
  });
});
