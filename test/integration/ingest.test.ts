import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { quoteString } from '../../runner/lake/sql.ts';
import { bucketOf, murmur3Long } from '../../runner/lake/write/murmur3.ts';
import { salesTable, startIngestWorld, withScratchDuckDB, type IngestWorld } from './ingest-harness.ts';

async function downloadTableFiles(world: IngestWorld, prefix: string): Promise<Map<string, string>> {
  const local = new Map<string, string>();
  const dir = join(world.dir, 'check');
  await mkdir(dir, { recursive: true });
  let n = 0;
  for (const key of await world.keys(prefix)) {
    const path = join(dir, `f${n++}.parquet`);
    await world.s3.store.getToFile(key, path);
    local.set(key.slice(prefix.length), path);
  }
  return local;
}

test('ingests CSV, JSON and Parquet landing files into a partitioned table, with format-exact catalog rows', async (t) => {
  const world = await startIngestWorld(t);
  const duck = await withScratchDuckDB(t);
  await world.applyTable(salesTable());
  await world.putFixture('landing/sales/csv/a.csv', 'sales-a.csv');
  await world.putFixture('landing/sales/json/b.json', 'sales-b.json');
  const parquetPath = join(world.dir, 'c.parquet');
  await duck.run(`COPY (SELECT 200 + i AS id, TIMESTAMP '2026-11-04 00:00:00' + INTERVAL (i) HOUR AS ts, 'EU' AS region, i * 1.5 AS amount
    FROM range(3) t(i)) TO ${quoteString(parquetPath)} (FORMAT parquet)`);
  await world.s3.store.putFile('landing/sales/parquet/c.parquet', parquetPath);

  const csv = await world.ingest(salesTable({ ingest: { prefix: 'landing/sales/csv/', format: 'csv' } }));
  assert.equal(csv.rows, 6);
  assert.match(csv.summary, /^Table main\.sales: \+\d+ files, .+, 6 rows, snapshot 2$/);
  const json = await world.ingest(salesTable({ ingest: { prefix: 'landing/sales/json/', format: 'json', options: { jsonFormat: 'newline_delimited' } } }));
  assert.equal(json.rows, 4);
  const parquet = await world.ingest(salesTable({ ingest: { prefix: 'landing/sales/parquet/', format: 'parquet' } }));
  assert.equal(parquet.rows, 3);
  assert.equal(parquet.snapshotId, 4);
  assert.equal(parquet.table?.rowCount, 13);

  const [table] = await world.catalogRows("SELECT table_id FROM ducklake_table WHERE table_name = 'sales'");
  const tableId = Number(table?.table_id);
  const files = await world.catalogRows('SELECT * FROM ducklake_data_file WHERE table_id = ? ORDER BY data_file_id', [tableId]);
  assert.equal(files.reduce((sum, file) => sum + Number(file.record_count), 0), 13);
  let nextRowId = 0;
  for (const file of files) {
    assert.equal(file.file_order, null);
    assert.equal(file.path_is_relative, true);
    assert.equal(file.file_format, 'parquet');
    assert.equal(file.end_snapshot, null);
    assert.ok(Number(file.footer_size) > 0);
    assert.equal(file.row_id_start, nextRowId, 'row ids are consecutive across files and commits');
    nextRowId += Number(file.record_count);
    assert.match(String(file.path), /^region=[^/]+\/day=[^/]+\/bucket=\d\/ducklake-[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}\.parquet$/);
  }
  const [partition] = await world.catalogRows('SELECT partition_id FROM ducklake_partition_info WHERE table_id = ? AND end_snapshot IS NULL', [tableId]);
  assert.ok(files.every((file) => file.partition_id === partition?.partition_id));

  // Read every object back with plain DuckDB and compare with the landing rows.
  const local = await downloadTableFiles(world, 'main/sales/');
  assert.equal(local.size, files.length, 'one object per data file, nothing else under the table');
  const columns = (await world.catalogRows('SELECT column_id, column_name FROM ducklake_column WHERE table_id = ? ORDER BY column_id', [tableId]));
  const fileRows = new Map<string, Record<string, unknown>[]>();
  for (const file of files) {
    const path = local.get(String(file.path));
    assert.ok(path, `object for ${file.path} exists`);
    const objectInfo = await world.s3.store.head(`main/sales/${file.path}`);
    assert.equal(objectInfo?.size, Number(file.file_size_bytes));
    const schema = (await duck.runAndReadAll(`SELECT name, field_id FROM parquet_schema(${quoteString(path)}) WHERE field_id IS NOT NULL ORDER BY field_id`)).getRowObjectsJS();
    assert.deepEqual(schema.map((row) => [row.name, Number(row.field_id)]), columns.map((column) => [column.column_name, column.column_id]), 'field ids = column ids; no hidden partition columns stored');
    const codecs = (await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${quoteString(path)})`)).getRowObjectsJS();
    assert.deepEqual(codecs.map((row) => row.compression), ['ZSTD']);
    fileRows.set(String(file.path), (await duck.runAndReadAll(`SELECT * FROM read_parquet(${quoteString(path)})`)).getRowObjectsJS());
  }
  const all = [...fileRows.values()].flat().map((row) => `${row.id}|${String(row.region)}|${row.amount}`).sort();
  assert.deepEqual(all, [
    '-103|EU|null', '1|US|474.19', '101|US|24.6', '102|EU|138.87', '104|APAC|410.39', '2|EU|327.21', '200|EU|0', '201|EU|1.5', '202|EU|3',
    '3|EU|411.53', '4|null|186.02', '5|APAC|-0.5', '6|a/b=c%|1000',
  ].sort());

  // Partition values: every row of a file transforms to the file's values.
  const values = await world.catalogRows('SELECT data_file_id, partition_key_index, partition_value FROM ducklake_file_partition_value WHERE table_id = ? ORDER BY data_file_id, partition_key_index', [tableId]);
  for (const file of files) {
    const mine = values.filter((value) => value.data_file_id === file.data_file_id).map((value) => value.partition_value);
    assert.equal(mine.length, 3);
    for (const row of fileRows.get(String(file.path)) ?? []) {
      const ts = row.ts as { toString(): string } | null;
      const day = ts === null ? null : String(Number(String(ts).slice(8, 10)));
      assert.deepEqual(mine, [row.region === null ? null : String(row.region), day, String(bucketOf(murmur3Long(BigInt(Number(row.id))), 4))]);
    }
  }
  const nullFile = files.find((file) => String(file.path).startsWith('region=__HIVE_DEFAULT_PARTITION__/'));
  assert.ok(nullFile, 'the NULL region went to the default partition directory');
  assert.ok(files.some((file) => String(file.path).startsWith('region=a%2Fb%3Dc%25/')), 'a value with / and = is escaped');

  // File column stats, as text per format §8.
  const stats = await world.catalogRows('SELECT * FROM ducklake_file_column_stats WHERE table_id = ? ORDER BY data_file_id, column_id', [tableId]);
  assert.equal(stats.length, files.length * 4);
  for (const file of files) {
    const rows = fileRows.get(String(file.path)) ?? [];
    const byColumn = new Map(stats.filter((row) => row.data_file_id === file.data_file_id).map((row) => [Number(row.column_id), row]));
    const ids = rows.map((row) => Number(row.id));
    assert.equal(byColumn.get(1)?.min_value, String(Math.min(...ids)));
    assert.equal(byColumn.get(1)?.max_value, String(Math.max(...ids)));
    assert.equal(byColumn.get(1)?.value_count, rows.length);
    assert.equal(byColumn.get(1)?.contains_nan, null);
    const amounts = rows.map((row) => row.amount).filter((value) => value !== null);
    assert.equal(byColumn.get(4)?.null_count, rows.length - amounts.length);
    assert.equal(byColumn.get(4)?.value_count, amounts.length);
    assert.equal(byColumn.get(4)?.contains_nan, false);
  }
  const third = stats.find((row) => row.column_id === 2 && String(row.max_value).includes('23:59:59'));
  assert.equal(third?.max_value, '2026-11-01 23:59:59.5', 'timestamps carry a fraction only when non-zero');
  assert.ok(stats.some((row) => row.column_id === 2 && row.min_value === '2026-11-01 00:37:00'));

  // Table-level stats.
  const [tableStats] = await world.catalogRows('SELECT * FROM ducklake_table_stats WHERE table_id = ?', [tableId]);
  assert.deepEqual(tableStats, { table_id: tableId, record_count: 13, next_row_id: 13, file_size_bytes: files.reduce((sum, file) => sum + Number(file.file_size_bytes), 0) });
  const columnStats = await world.catalogRows('SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake_table_column_stats WHERE table_id = ? ORDER BY column_id', [tableId]);
  assert.deepEqual(columnStats, [
    { column_id: 1, contains_null: false, contains_nan: null, min_value: '-103', max_value: '202' },
    { column_id: 2, contains_null: false, contains_nan: null, min_value: '2026-11-01 00:37:00', max_value: '2026-11-04 05:48:00' },
    { column_id: 3, contains_null: true, contains_nan: null, min_value: 'APAC', max_value: 'a/b=c%' },
    { column_id: 4, contains_null: true, contains_nan: false, min_value: '-0.5', max_value: '1000.0' },
  ]);
  const changes = await world.catalogRows('SELECT snapshot_id, changes_made FROM ducklake_snapshot_changes WHERE snapshot_id >= 2 ORDER BY snapshot_id');
  assert.deepEqual(changes.map((row) => row.changes_made), [`inserted_into_table:${tableId}`, `inserted_into_table:${tableId}`, `inserted_into_table:${tableId}`]);
  const [snapshot] = await world.catalogRows('SELECT next_file_id FROM ducklake_snapshot ORDER BY snapshot_id DESC LIMIT 1');
  assert.equal(Number(snapshot?.next_file_id), Math.max(...files.map((file) => Number(file.data_file_id))) + 1);

  // Logs: phases at DEBUG in order, one summary shape.
  const phases = world.logs.filter((line) => typeof line.phase === 'string' && line.level === 20).map((line) => line.phase);
  for (const phase of ['read', 'write', 'upload', 'commit', 'done']) assert.ok(phases.includes(phase), `phase ${phase} logged`);
  assert.ok(phases.lastIndexOf('commit') > phases.lastIndexOf('upload'), 'commit starts after the last upload');
  assert.ok(world.logs.some((line) => line.level === 30 && line.phase === 'upload' && typeof line.bytes === 'number'), 'upload progress at INFO with bytes');
});
