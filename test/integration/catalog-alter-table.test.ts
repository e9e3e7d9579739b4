import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LakeTableSpec, type LakeTableSpecInput } from '../../api/table-spec.ts';
import { openDuckDB, queryRows, type DuckDBHandle } from '../../runner/lake/duckdb.ts';
import { commitSnapshot, diffTable, initCatalog, readTable, readTableStats, writeAlterTable, writeCreateTable } from '../../runner/lake/catalog/index.ts';
import { createUuidV7Generator } from '../../runner/lake/catalog/uuid7.ts';

function spec(name: string, columns: LakeTableSpecInput['columns']): LakeTableSpec {
  return LakeTableSpec.parse({ name, columns, format: {} });
}

describe('writeAlterTable against the rows the extension reads', () => {
  let dir = '';
  let db: DuckDBHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-catalog-alter-'));
    db = await openDuckDB(join(dir, 'cat.duckdb'));
    await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'test', now: new Date('2026-01-01T00:00:00Z') });
  });
  after(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function create(table: LakeTableSpec): Promise<number> {
    let tableId = 0;
    await commitSnapshot(db.connection, {}, async (tx) => {
      tableId = (await writeCreateTable(tx, table, { schemaId: 0, schemaPath: 's3://bucket/lake/main/', dataPath: 's3://bucket/lake/' }, { table: createUuidV7Generator() })).tableId;
    });
    return tableId;
  }

  async function alter(table: LakeTableSpec): Promise<number> {
    const latest = Number((await queryRows(db.connection, 'SELECT max(snapshot_id) AS s FROM ducklake_snapshot'))[0]?.s);
    const current = await readTable(db.connection, 'main', table.name, latest);
    assert.ok(current);
    const diff = diffTable(current, table, await readTableStats(db.connection, current.tableId));
    return (await commitSnapshot(db.connection, {}, (tx) => writeAlterTable(tx, current.tableId, diff))).snapshotId;
  }

  it('marks the leaves of a column added to a table with rows as possibly NULL, bounds unknown', async () => {
    const tableId = await create(spec('filled', [{ name: 'id', type: 'INTEGER' }]));
    // Three rows were inserted before the change (what insertDataFiles leaves behind).
    await db.connection.run(`INSERT INTO ducklake_table_stats VALUES (${tableId}, 3, 3, 100)`);
    await db.connection.run(`INSERT INTO ducklake_table_column_stats VALUES (${tableId}, 1, false, NULL, '1', '3', NULL)`);
    await alter(spec('filled', [{ name: 'id', type: 'INTEGER' }, { name: 'note', type: 'VARCHAR' }, { name: 's', type: 'STRUCT(a INTEGER, b DOUBLE)' }]));
    const rows = await queryRows(db.connection, 'SELECT column_id, contains_null, contains_nan, min_value, max_value, extra_stats FROM ducklake_table_column_stats WHERE table_id = ? ORDER BY column_id', [tableId]);
    assert.deepEqual(rows, [
      { column_id: 1, contains_null: false, contains_nan: null, min_value: '1', max_value: '3', extra_stats: null },
      { column_id: 2, contains_null: true, contains_nan: null, min_value: null, max_value: null, extra_stats: null },
      { column_id: 4, contains_null: true, contains_nan: null, min_value: null, max_value: null, extra_stats: null },
      { column_id: 5, contains_null: true, contains_nan: null, min_value: null, max_value: null, extra_stats: null },
    ]);
  });

  it('keeps an expression default, its kind and dialect when a change rewrites the column row', async () => {
    const tableId = await create(spec('defaults', [{ name: 'id', type: 'INTEGER' }, { name: 'n', type: 'INTEGER' }]));
    // The extension wrote `n INTEGER DEFAULT (42 + 1)` as an expression default.
    await db.connection.run(`UPDATE ducklake_column SET default_value = '(42 + 1)', default_value_type = 'expression' WHERE table_id = ${tableId} AND column_id = 2`);
    const snapshot = await alter(spec('defaults', [{ name: 'id', type: 'INTEGER' }, { name: 'n', type: 'BIGINT' }]));
    const rows = await queryRows(db.connection, 'SELECT column_type, default_value, default_value_type, default_value_dialect FROM ducklake_column WHERE table_id = ? AND column_id = 2 AND begin_snapshot = ?', [tableId, snapshot]);
    assert.deepEqual(rows, [{ column_type: 'int64', default_value: '(42 + 1)', default_value_type: 'expression', default_value_dialect: 'duckdb' }]);
  });

  it('writes no column stats for a column added to a table that never held a row', async () => {
    const tableId = await create(spec('empty', [{ name: 'id', type: 'INTEGER' }]));
    await alter(spec('empty', [{ name: 'id', type: 'INTEGER' }, { name: 'note', type: 'VARCHAR' }]));
    assert.deepEqual(await queryRows(db.connection, 'SELECT * FROM ducklake_table_column_stats WHERE table_id = ?', [tableId]), []);
  });
});
