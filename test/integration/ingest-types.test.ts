import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { quoteString } from '../../runner/lake/sql.ts';
import { assertFieldIds } from '../../runner/lake/write/parquet-writer.ts';
import { buildColumnTree, fieldIdsLiteral } from '../../runner/lake/write/table-columns.ts';
import { tempDir } from '../support/temp-dir.ts';
import { startIngestWorld, withScratchDuckDB } from './ingest-harness.ts';

test('nested and typed columns: field ids for every leaf, stats rows for leaves only, format texts', async (t) => {
  const world = await startIngestWorld(t);
  const duck = await withScratchDuckDB(t);
  const table = {
    name: 'typed',
    columns: [
      { name: 'id', type: 'INTEGER' },
      { name: 'tags', type: 'VARCHAR[]' },
      { name: 'info', type: 'STRUCT(a INTEGER, b VARCHAR)' },
      { name: 'm', type: 'MAP(VARCHAR, INTEGER)' },
      { name: 'd', type: 'DATE' },
      { name: 'price', type: 'DECIMAL(10,2)' },
      { name: 'ok', type: 'BOOLEAN' },
      { name: 'at', type: 'TIMESTAMPTZ' },
    ],
    format: { partitioning: ['month(d)', 'bucket(3, price)'] },
    ingest: { prefix: 'landing/typed/', format: 'parquet' as const },
  };
  await world.applyTable(table);
  const path = join(world.dir, 'typed.parquet');
  await duck.run(`COPY (SELECT i AS id, ['x' || i, 'y'] AS tags, {'a': i * 10, 'b': 'b' || i} AS info, MAP {'k' || i: i} AS m,
    DATE '2026-02-27' + INTERVAL (i) DAY AS d, (12.34 + i)::DECIMAL(10,2) AS price, i % 2 = 0 AS ok,
    TIMESTAMPTZ '2026-01-01 10:00:00.5+00' + INTERVAL (i) HOUR AS at FROM range(4) t(i)) TO ${quoteString(path)} (FORMAT parquet)`);
  await world.s3.store.putFile('landing/typed/t.parquet', path);
  const result = await world.ingest(table);
  assert.equal(result.rows, 4);

  const columns = await world.catalogRows("SELECT c.column_id, c.column_name, c.column_type, c.parent_column FROM ducklake_column c JOIN ducklake_table t USING (table_id) WHERE t.table_name = 'typed' ORDER BY c.column_id");
  const parents = new Set(columns.map((column) => column.parent_column).filter((id) => id !== null).map(Number));
  const leaves = columns.filter((column) => !parents.has(Number(column.column_id))).map((column) => Number(column.column_id));
  const files = await world.catalogRows('SELECT data_file_id, path FROM ducklake_data_file ORDER BY data_file_id');
  assert.ok(files.length >= 2, 'two months → at least two files');
  for (const file of files) assert.match(String(file.path), /^month=[23]\/bucket=[0-2]\/ducklake-/);
  const local = join(world.dir, 'back.parquet');
  await world.s3.store.getToFile(`main/typed/${files[0]?.path}`, local);
  const schema = (await duck.runAndReadAll(`SELECT name, field_id FROM parquet_schema(${quoteString(local)}) WHERE field_id IS NOT NULL ORDER BY field_id`)).getRowObjectsJS();
  assert.deepEqual(schema.map((row) => Number(row.field_id)), columns.map((column) => Number(column.column_id)), 'every column, nested ones too, carries its column id');

  const stats = await world.catalogRows('SELECT data_file_id, column_id, value_count, null_count, min_value, max_value, contains_nan FROM ducklake_file_column_stats ORDER BY data_file_id, column_id');
  assert.deepEqual([...new Set(stats.map((row) => Number(row.column_id)))], leaves, 'stats for leaf columns only');
  const byName = new Map(columns.map((column) => [String(column.column_name), Number(column.column_id)]));
  const tableStats = new Map((await world.catalogRows('SELECT column_id, min_value, max_value, contains_null FROM ducklake_table_column_stats')).map((row) => [Number(row.column_id), row]));
  assert.deepEqual([tableStats.get(byName.get('price') ?? -1)?.min_value, tableStats.get(byName.get('price') ?? -1)?.max_value], ['12.34', '15.34']);
  assert.deepEqual([tableStats.get(byName.get('ok') ?? -1)?.min_value, tableStats.get(byName.get('ok') ?? -1)?.max_value], ['0', '1']);
  assert.deepEqual([tableStats.get(byName.get('d') ?? -1)?.min_value, tableStats.get(byName.get('d') ?? -1)?.max_value], ['2026-02-27', '2026-03-02']);
  assert.equal(tableStats.get(byName.get('at') ?? -1)?.min_value, '2026-01-01 10:00:00.5+00');
  const elementId = columns.find((column) => column.column_name === 'element')?.column_id;
  const elementRows = stats.filter((row) => row.column_id === elementId);
  assert.equal(elementRows.reduce((sum, row) => sum + Number(row.value_count), 0), 8, 'list elements are counted as values');
  const values = await world.catalogRows('SELECT DISTINCT partition_key_index, partition_value FROM ducklake_file_partition_value ORDER BY 1, 2');
  assert.deepEqual(values.filter((row) => row.partition_key_index === 0).map((row) => row.partition_value), ['2', '3']);
});

test('the field-id check refuses a Parquet file whose ids are not the column ids', async (t) => {
  const duck = await withScratchDuckDB(t);
  const dir = await tempDir(t, 'fm-fieldids-');
  const path = join(dir, 'x.parquet');
  await duck.run(`COPY (SELECT 1 AS id, {'a': 2} AS s) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS {id: 1, s: {__duckdb_field_id: 2, a: 4}})`);
  const columns = buildColumnTree([
    { columnId: 1, name: 'id', type: 'int32', nullable: true, parentColumn: null, order: 1, initialDefault: null, defaultValue: null, beginSnapshot: 1, comment: null },
    { columnId: 2, name: 's', type: 'struct', nullable: true, parentColumn: null, order: 2, initialDefault: null, defaultValue: null, beginSnapshot: 1, comment: null },
    { columnId: 3, name: 'a', type: 'int32', nullable: true, parentColumn: 2, order: 3, initialDefault: null, defaultValue: null, beginSnapshot: 1, comment: null },
  ]);
  await assert.rejects(assertFieldIds(duck, path, columns), /has field ids \[a:4, id:1, s:2\]; expected \[a:3, id:1, s:2\]/);
  await duck.run(`COPY (SELECT 1 AS id, {'a': 2} AS s) TO ${quoteString(path)} (FORMAT parquet, FIELD_IDS ${fieldIdsLiteral(columns)})`);
  await assertFieldIds(duck, path, columns);
});
