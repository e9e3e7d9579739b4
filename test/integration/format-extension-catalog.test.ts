import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ApplyTablePlan, type PlanInput } from '../../api/plan.ts';
import {
  assertCatalogV1, createTableStatements, listSnapshots, listTables, parseChanges, readCatalogState, readTable, readTableStats,
} from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows, runSql, type DuckDBHandle } from '../../runner/lake/duckdb.ts';
import { operation as applyTable } from '../../runner/ops/apply-table.ts';
import { createObjectStoreFromPlan } from '../../runner/storage/from-plan.ts';

/**
 * The catalog the reference extension wrote in the format document's appendix (DuckDB
 * v1.5.5, ducklake 1.0, DATA_INLINING_ROW_LIMIT 0): CREATE TABLE sales(id INTEGER, ts
 * TIMESTAMP, region VARCHAR, amount DOUBLE) at 1, SET PARTITIONED BY (region) at 2, two
 * INSERTs at 3 and 4 (files 0-1 and 2-4, one per region), ADD COLUMN note VARCHAR at 5,
 * DELETE one row at 6 (delete file 5), rebuilt row by row with INSERTs.
 */
function extensionRows(dataPath: string): Array<[string, unknown[]]> {
  const uuid = '019a1b2c-3d4e-7f00-8a1b-2c3d4e5f6a7b';
  const column = (id: number, name: string, type: string, begin: number): [string, unknown[]] => [
    "INSERT INTO ducklake_column VALUES (?, ?, NULL, 1, ?, ?, ?, NULL, 'NULL', true, NULL, 'literal', 'duckdb')", [id, begin, id, name, type],
  ];
  const file = (id: number, begin: number, region: string, rows: number, rowStart: number): Array<[string, unknown[]]> => [
    ["INSERT INTO ducklake_data_file VALUES (?, 1, ?, NULL, NULL, ?, true, 'parquet', ?, 900, 400, ?, 2, NULL, NULL, NULL)",
      [id, begin, `region=${region}/ducklake-019a1b2c-0000-7000-8000-00000000000${id}.parquet`, rows, rowStart]],
    ['INSERT INTO ducklake_file_partition_value VALUES (?, 1, 0, ?)', [id, region]],
    ["INSERT INTO ducklake_file_column_stats VALUES (?, 1, 1, 40, ?, 0, '1', '6', NULL, NULL)", [id, rows]],
    ["INSERT INTO ducklake_file_column_stats VALUES (?, 1, 4, 40, ?, 0, '10.5', '20.0', false, NULL)", [id, rows]],
  ];
  return [
    ['INSERT INTO ducklake_metadata (key, value) VALUES (?, ?), (?, ?), (?, ?), (?, ?)', ['version', '1.0', 'created_by', 'DuckDB d8cdaa33fd', 'data_path', dataPath, 'encrypted', 'false']],
    ["INSERT INTO ducklake_snapshot VALUES (0, '2026-04-20 10:00:00+00', 0, 1, 0), (1, '2026-04-20 10:00:01+00', 1, 2, 0), (2, '2026-04-20 10:00:02+00', 2, 3, 0), (3, '2026-04-20 10:00:03+00', 2, 3, 2), (4, '2026-04-20 10:00:04+00', 2, 3, 5), (5, '2026-04-20 10:00:05+00', 3, 3, 5), (6, '2026-04-20 10:00:06+00', 3, 3, 6)", []],
    ["INSERT INTO ducklake_snapshot_changes VALUES (0, 'created_schema:\"main\"', NULL, NULL, NULL), (1, 'created_table:\"main\".\"sales\"', NULL, NULL, NULL), (2, 'altered_table:1', NULL, NULL, NULL), (3, 'inserted_into_table:1', NULL, NULL, NULL), (4, 'inserted_into_table:1', NULL, NULL, NULL), (5, 'altered_table:1', NULL, NULL, NULL), (6, 'deleted_from_table:1', NULL, NULL, NULL)", []],
    ["INSERT INTO ducklake_schema VALUES (0, '6f1d0c9e-2b7a-4c53-9d1e-0a6b5c4d3e2f'::UUID, 0, NULL, 'main', 'main/', true)", []],
    ["INSERT INTO ducklake_table VALUES (1, ?::UUID, 1, NULL, 0, 'sales', 'sales/', true)", [uuid]],
    column(1, 'id', 'int32', 1), column(2, 'ts', 'timestamp', 1), column(3, 'region', 'varchar', 1), column(4, 'amount', 'float64', 1), column(5, 'note', 'varchar', 5),
    ['INSERT INTO ducklake_schema_versions VALUES (1, 1, 1), (2, 2, 1), (5, 3, 1)', []],
    ['INSERT INTO ducklake_partition_info VALUES (2, 1, 2, NULL)', []],
    ["INSERT INTO ducklake_partition_column VALUES (2, 1, 0, 3, 'identity')", []],
    ...file(0, 3, 'EU', 2, 0), ...file(1, 3, 'US', 1, 2), ...file(2, 4, 'EU', 1, 3), ...file(3, 4, 'US', 1, 4), ...file(4, 4, 'APAC', 1, 5),
    ["INSERT INTO ducklake_delete_file VALUES (5, 1, 6, NULL, 0, 'ducklake-019a1b2c-0000-7000-8000-000000000005-delete.parquet', true, 'parquet', 1, 500, 200, NULL, NULL)", []],
    ['INSERT INTO ducklake_table_stats VALUES (1, 6, 6, 4500)', []],
    ["INSERT INTO ducklake_table_column_stats VALUES (1, 1, false, NULL, '1', '6', NULL), (1, 2, false, NULL, '2024-01-01 10:00:00', '2024-01-03 10:00:00', NULL), (1, 3, false, NULL, 'APAC', 'US', NULL), (1, 4, false, false, '10.5', '20.0', NULL)", []],
  ];
}

describe('a catalog written by the ducklake extension', () => {
  let dir = '';
  let path = '';
  let dataPath = '';
  let db: DuckDBHandle;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-format-ext-'));
    path = join(dir, 'ext.ducklake');
    dataPath = `${join(dir, 'data')}/`;
    db = await openDuckDB(path);
    for (const statement of createTableStatements()) await runSql(db.connection, statement);
    for (const [sql, params] of extensionRows(dataPath)) await runSql(db.connection, sql, params as never);
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('passes the 1.0 check even without a data_inlining_row_limit row', async () => {
    assert.deepEqual(await assertCatalogV1(db.connection, 'ext.ducklake'), { dataPath });
  });

  it('reads the snapshot state and every changes_made', async () => {
    const state = await readCatalogState(db.connection);
    assert.equal(state.snapshot.snapshotId, 6);
    assert.equal(state.snapshot.schemaVersion, 3);
    assert.equal(state.snapshot.nextFileId, 6);
    assert.equal(state.dataPath, dataPath);
    assert.equal(state.settings.created_by, 'DuckDB d8cdaa33fd');
    assert.equal(state.encrypted, false);
    const kinds = (await listSnapshots(db.connection)).map((snapshot) => parseChanges(snapshot.changesMade).map((entry) => entry.kind).join());
    assert.deepEqual(kinds, ['created_schema', 'created_table', 'altered_table', 'inserted_into_table', 'inserted_into_table', 'altered_table', 'deleted_from_table']);
    assert.deepEqual(await listTables(db.connection, 6), [{ schema: 'main', name: 'sales', tableId: 1 }]);
    assert.deepEqual(await listTables(db.connection, 0), []);
  });

  it('reads the table at each snapshot: columns, partition spec and paths', async () => {
    const latest = await readTable(db.connection, 'main', 'sales', 6);
    assert.ok(latest);
    assert.equal(latest.uuid, '019a1b2c-3d4e-7f00-8a1b-2c3d4e5f6a7b');
    assert.equal(latest.schemaPath, `${dataPath}main/`);
    assert.equal(latest.location, `${dataPath}main/sales/`);
    assert.deepEqual(latest.columns.map((c) => [c.columnId, c.name, c.type, c.nullable, c.parentColumn]), [
      [1, 'id', 'int32', true, null], [2, 'ts', 'timestamp', true, null], [3, 'region', 'varchar', true, null],
      [4, 'amount', 'float64', true, null], [5, 'note', 'varchar', true, null],
    ]);
    assert.deepEqual(latest.partition, { partitionId: 2, fields: [{ index: 0, columnId: 3, transform: 'identity' }] });
    const atTwo = await readTable(db.connection, 'main', 'sales', 2);
    assert.equal(atTwo?.columns.length, 4, 'AT (VERSION => 2) has the 4 original columns');
    assert.equal(atTwo?.partition?.partitionId, 2);
    assert.equal((await readTable(db.connection, 'main', 'sales', 1))?.partition, null);
    assert.equal(await readTable(db.connection, 'main', 'sales', 0), undefined);
    assert.deepEqual(await readTableStats(db.connection, 1), {
      recordCount: 6, nextRowId: 6, fileSizeBytes: 4500,
      columns: [
        { columnId: 1, containsNull: false, containsNan: null, minValue: '1', maxValue: '6', extraStats: null },
        { columnId: 2, containsNull: false, containsNan: null, minValue: '2024-01-01 10:00:00', maxValue: '2024-01-03 10:00:00', extraStats: null },
        { columnId: 3, containsNull: false, containsNan: null, minValue: 'APAC', maxValue: 'US', extraStats: null },
        { columnId: 4, containsNull: false, containsNan: false, minValue: '10.5', maxValue: '20.0', extraStats: null },
      ],
    });
  });

  it('evolves the extension table: the next column id follows the highest, counters carry over', async () => {
    await db.close();
    const lines: string[] = [];
    const log = pino({ level: 'info' }, new Writable({ write(chunk, _e, done) { lines.push(String(chunk)); done(); } }));
    const plan = ApplyTablePlan.parse({
      op: 'apply-table', catalog: { name: 'ext', path }, objectStore: { bucket: 'unused-bucket' },
      table: {
        name: 'sales',
        columns: [
          { name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' },
          { name: 'amount', type: 'DOUBLE' }, { name: 'note', type: 'VARCHAR' }, { name: 'qty', type: 'SMALLINT' },
        ],
        format: { partitioning: ['region'] },
      },
    } satisfies PlanInput);
    const store = createObjectStoreFromPlan(plan.objectStore, {});
    try {
      const outcome = await applyTable.run(plan, { log, store, storeFor: () => store, cacheDir: dir, now: () => new Date('2026-04-21T00:00:00Z') });
      assert.equal(outcome.summary, 'Table main.sales: add column qty SMALLINT, snapshot 7');
      assert.deepEqual(outcome.table, { rowCount: 5, fileCount: 5, bytes: 4500, schemaVersion: 4 });
    } finally {
      store.close();
    }
    db = await openDuckDB(path);
    assert.deepEqual(await queryRows(db.connection, 'SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot WHERE snapshot_id = 7'), [
      { snapshot_id: 7, schema_version: 4, next_catalog_id: 3, next_file_id: 6 },
    ]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT column_id, column_order, column_type FROM ducklake_column WHERE begin_snapshot = 7'), [
      { column_id: 6, column_order: 6, column_type: 'int16' },
    ]);
    assert.deepEqual(await queryRows(db.connection, 'SELECT * FROM ducklake_schema_versions WHERE begin_snapshot = 7'), [{ begin_snapshot: 7, schema_version: 4, table_id: 1 }]);
  });
});
