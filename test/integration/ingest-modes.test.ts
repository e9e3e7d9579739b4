import assert from 'node:assert/strict';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { IngestPlan } from '../../api/plan.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import { operation as ingestOperation } from '../../runner/ops/ingest.ts';
import { salesTable, startIngestWorld, withScratchDuckDB } from './ingest-harness.ts';

const plainTable = (overrides = {}) => salesTable({ format: { compression: 'ZSTD', partitioning: [] }, ...overrides });

test('ingests each landing object version once: a re-run adds nothing, a new or rewritten object is picked up', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  const first = await world.ingest(plainTable());
  assert.equal(first.rows, 6);
  // CSV streams into DuckDB without a cached copy, so the cache folder may not exist at all.
  const cached = await readdir(join(world.ctx.cacheDir, 'objects'), { recursive: true, withFileTypes: true }).catch(() => []);
  assert.deepEqual(cached.filter((entry) => entry.isFile()).map((entry) => entry.name), [], 'committed landing copies leave the cache');
  assert.deepEqual((await readdir(world.ctx.cacheDir)).filter((name) => name.startsWith('ingest-')), [], 'the work folder is removed');
  const again = await world.ingest(plainTable());
  assert.equal(again.rows, 0);
  assert.equal(again.snapshotId, undefined, 'no snapshot when nothing is new');
  assert.match(again.summary, /nothing new/);
  await world.put('landing/sales/more.csv', 'id,ts,region,amount\n50,2026-11-09 00:00:00,US,5\n');
  await world.put('landing/sales/_SUCCESS', '');
  const more = await world.ingest(plainTable());
  assert.equal(more.rows, 1);
  await world.put('landing/sales/more.csv', 'id,ts,region,amount\n51,2026-11-09 00:00:00,US,5\n52,2026-11-09 00:00:00,US,6\n');
  const rewritten = await world.ingest(plainTable());
  assert.equal(rewritten.rows, 2, 'a rewritten object (new ETag) is a new version');
  const [total] = await world.catalogRows('SELECT sum(record_count) AS n, count(*) AS files FROM ducklake_data_file');
  assert.equal(total?.n, 9);
  const ledger = await world.catalogRows('SELECT object_key, snapshot_id FROM featherman_ingested_object ORDER BY snapshot_id, object_key');
  assert.deepEqual(ledger.map((row) => [row.object_key, row.snapshot_id]), [
    ['landing/sales/a.csv', 2], ['landing/sales/more.csv', 3], ['landing/sales/more.csv', 4],
  ]);
  const snapshots = await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot');
  assert.equal(snapshots[0]?.s, 4);
});

test('a landing file that does not fit fails with its key and line; catalog and bucket stay unchanged', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(salesTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.putFixture('landing/sales/z-bad.csv', 'sales-bad.csv');
  const before = await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot');
  await assert.rejects(world.ingest(salesTable()), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_LANDING_FILE');
    assert.match(error.message, /s3:\/\/lake\/landing\/sales\/z-bad\.csv/);
    assert.match(error.message, /eight/);
    assert.match(error.message, /[Ll]ine.*3|row.*3|3/);
    assert.doesNotMatch(error.message, /\/tmp\//, 'no local cache paths leak into the message');
    return true;
  });
  assert.deepEqual(await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot'), before);
  assert.deepEqual(await world.catalogRows('SELECT * FROM featherman_ingested_object'), []);
  assert.deepEqual(await world.keys('main/'), [], 'nothing uploaded');

  await world.put('landing/sales/z-bad.csv', 'id,ts,region,amount\n,2026-11-05 00:00:00,US,1.5\n');
  await assert.rejects(world.ingest(salesTable()), /z-bad\.csv.*id is NOT NULL/);
});

test('refuses hostile plans before touching anything, and reads landing keys with quotes and spaces safely', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  const base = { op: 'ingest', ...world.common };
  assert.equal(IngestPlan.safeParse({ ...base, table: plainTable({ name: 'sales"; DROP TABLE x; --' }) }).success, false);
  assert.equal(IngestPlan.safeParse({ ...base, table: plainTable({ ingest: { prefix: '../etc/', format: 'csv' } }) }).success, false);
  assert.equal(IngestPlan.safeParse({ ...base, table: plainTable({ columns: [{ name: "a'b", type: 'INTEGER' }] }) }).success, false);
  await assert.rejects(world.ingest(plainTable(), { keys: ['other/x.csv'] }), /keys\[0\]: must be an object key under the ingest prefix "landing\/sales\/".*got "other\/x.csv"/);
  await assert.rejects(world.ingest(plainTable(), { keys: ['landing/sales/../../x.csv'] }), /keys\[0\]/);
  await world.put("landing/sales/it's \"odd\" ; x.csv", "id,ts,region,amount\n1,2026-11-09 00:00:00,'); DROP TABLE ducklake_snapshot; --,5\n");
  const result = await world.ingest(plainTable(), { keys: ["landing/sales/it's \"odd\" ; x.csv", 'landing/sales/missing.csv'] });
  assert.equal(result.rows, 1);
  const [row] = await world.catalogRows('SELECT max_value FROM ducklake_file_column_stats WHERE column_id = 3');
  assert.equal(row?.max_value, "'); DROP TABLE ducklake_snapshot; --");
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM ducklake_snapshot'))[0]?.n, 3);
});

test('SNAPPY files split near the target size; deleteAfterIngest removes landing objects after the commit', async (t) => {
  const world = await startIngestWorld(t);
  const duck = await withScratchDuckDB(t);
  const table = plainTable({
    format: { compression: 'SNAPPY', partitioning: [], targetFileSizeMB: 1 },
    ingest: { prefix: 'landing/big/', format: 'parquet', deleteAfterIngest: true },
  });
  await world.applyTable(table);
  const path = join(world.dir, 'big.parquet');
  await duck.run(`COPY (SELECT i::INTEGER AS id, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS ts, md5(i::VARCHAR) AS region, random() AS amount
    FROM range(400000) t(i)) TO ${quoteString(path)} (FORMAT parquet)`);
  await world.s3.store.putFile('landing/big/big.parquet', path);
  const result = await world.ingest(table);
  assert.equal(result.rows, 400000);
  assert.ok(result.filesAdded >= 3, `split into ${result.filesAdded} files of ${result.bytesAdded} bytes`);
  const files = await world.catalogRows('SELECT path, file_size_bytes FROM ducklake_data_file');
  const sizes = files.map((file) => Number(file.file_size_bytes)).sort((a, b) => a - b);
  const mib = 1024 * 1024;
  assert.ok(sizes.every((size) => size < 1.6 * mib), `no file far above 1 MiB: ${sizes.join(', ')}`);
  assert.ok(sizes.filter((size) => size > 0.6 * mib).length >= sizes.length * 0.75, `most files near 1 MiB (the last of each writer thread is smaller): ${sizes.join(', ')}`);
  const local = join(world.dir, 'one.parquet');
  await world.s3.store.getToFile(`main/sales/${files[0]?.path}`, local);
  const codecs = (await duck.runAndReadAll(`SELECT DISTINCT compression FROM parquet_metadata(${quoteString(local)})`)).getRowObjectsJS();
  assert.deepEqual(codecs.map((row) => row.compression), ['SNAPPY']);
  assert.deepEqual(await world.keys('landing/big/'), [], 'landing object deleted after the commit');
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM featherman_ingested_object'))[0]?.n, 1);
});

test('a partition bigger than the target is split, and a file bigger than the part size goes up in parts', async (t) => {
  const partSize = 5 * 1024 * 1024;
  const world = await startIngestWorld(t, { store: (s3) => s3.makeStore({ partSizeBytes: partSize }) });
  const duck = await withScratchDuckDB(t);
  const table = salesTable({
    format: { compression: 'ZSTD', partitioning: ['region'], targetFileSizeMB: 7 },
    ingest: { prefix: 'landing/big/', format: 'parquet' },
  });
  await world.applyTable(table);
  const path = join(world.dir, 'big.parquet');
  await duck.run(`COPY (SELECT i::INTEGER AS id, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS ts, CASE WHEN i < 10 THEN 'small' ELSE 'big' END AS region,
    random() AS amount FROM range(1500000) t(i)) TO ${quoteString(path)} (FORMAT parquet)`);
  await world.s3.store.putFile('landing/big/big.parquet', path);
  const result = await world.ingest(table);
  assert.equal(result.rows, 1500000);
  const files = await world.catalogRows('SELECT path, file_size_bytes, record_count FROM ducklake_data_file ORDER BY path');
  const big = files.filter((file) => String(file.path).startsWith('region=big/'));
  assert.ok(big.length >= 2, `the big partition is split: ${big.length} files`);
  assert.ok(big.some((file) => Number(file.file_size_bytes) > partSize), 'at least one file needs multipart');
  for (const file of big) {
    const head = await world.s3.store.head(`main/sales/${file.path}`);
    assert.equal(head?.size, Number(file.file_size_bytes));
  }
  const values = await world.catalogRows('SELECT DISTINCT partition_value FROM ducklake_file_partition_value ORDER BY 1');
  assert.deepEqual(values.map((row) => row.partition_value), ['big', 'small']);
});

test('a table at an absolute s3:// location in another bucket gets its files there', async (t) => {
  const world = await startIngestWorld(t, { buckets: ['lake', 'elsewhere'] });
  const table = plainTable({ location: 's3://elsewhere/tables/sales/' });
  await world.applyTable(table);
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  const result = await world.ingest(table);
  assert.equal(result.rows, 6);
  const [file] = await world.catalogRows('SELECT path, path_is_relative, file_size_bytes FROM ducklake_data_file');
  assert.equal(file?.path_is_relative, true);
  const other = world.s3.makeStore({ bucket: 'elsewhere' });
  const head = await other.head(`tables/sales/${file?.path}`);
  assert.equal(head?.size, Number(file?.file_size_bytes), 'the object is in the other bucket under the table path');
  assert.deepEqual(await world.keys('main/'), [], 'nothing in the catalog bucket');
});

test('an uploaded object whose HEAD disagrees with the upload fails the ingest before any commit', async (t) => {
  // Fault injection at the S3 boundary: a real store whose HEAD of data files reports another ETag.
  const world = await startIngestWorld(t, {
    store: (s3) => {
      const real = s3.store;
      return Object.assign(Object.create(real) as typeof real, {
        head: async (key: string) => {
          const info = await real.head(key);
          return info && key.startsWith('main/') ? { ...info, etag: 'ffffffffffffffffffffffffffffffff' } : info;
        },
      });
    },
  });
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  const before = await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot');
  await assert.rejects(world.ingest(plainTable()), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_OBJECT_MISMATCH');
    assert.match(error.message, /s3:\/\/lake\/main\/sales\/ducklake-.*\.parquet reads back as \d+ bytes with ETag ffff.*nothing was committed/);
    return true;
  });
  assert.deepEqual(await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot'), before);
  assert.deepEqual(await world.catalogRows('SELECT * FROM featherman_ingested_object'), []);
});

test('table column stats keep their rows when an append stays inside the bounds, and widen when it does not', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.ingest(plainTable());
  const query = 'SELECT column_id, contains_null, contains_nan, min_value, max_value FROM ducklake_table_column_stats ORDER BY column_id';
  const before = await world.catalogRows(query);
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n3,2026-11-01 12:00:00,EU,100\n');
  await world.ingest(plainTable());
  assert.deepEqual(await world.catalogRows(query), before);
  await world.put('landing/sales/c.csv', 'id,ts,region,amount\n77,2026-11-01 12:00:00,,NaN\n');
  await world.ingest(plainTable());
  const after = await world.catalogRows(query);
  assert.deepEqual(after.map((row) => [row.column_id, row.min_value, row.max_value, row.contains_null, row.contains_nan]), [
    [1, '1', '77', false, null],
    [2, before[1]?.min_value, before[1]?.max_value, false, null],
    [3, 'APAC', 'a/b=c%', true, null],
    [4, null, null, false, true],
  ], 'a NaN-only file has no bound, so the merged float bound becomes unknown (format §8)');
  assert.equal((await world.catalogRows('SELECT record_count FROM ducklake_table_stats'))[0]?.record_count, 8);
});

test('reader options: CSV delimiter, quote, escape, NULL text and date formats; JSON arrays; empty files', async (t) => {
  const world = await startIngestWorld(t);
  const table = plainTable({
    columns: [{ name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }],
    ingest: {
      prefix: 'landing/opts/', format: 'csv',
      options: { header: false, delimiter: ';', quote: "'", escape: '\\', nullString: 'n/a', timestampFormat: '%d/%m/%Y %H:%M' },
    },
  });
  await world.applyTable(table);
  await world.put('landing/opts/a.csv', "1;05/11/2026 10:30;'semi;colon';1.5\n2;06/11/2026 11:00;'it\\'s';n/a\n");
  await world.put('landing/opts/empty.csv', '');
  const csv = await world.ingest(table);
  assert.equal(csv.rows, 2);
  const json = plainTable({ ingest: { prefix: 'landing/json/', format: 'json', options: { jsonFormat: 'array', timestampFormat: '%Y%m%dT%H%M' } } });
  await world.put('landing/json/a.json', '[{"id": 3, "ts": "20261107T0800", "region": "EU", "amount": 2}, {"id": 4, "ts": null, "region": null}]');
  const jsonResult = await world.ingest(json);
  assert.equal(jsonResult.rows, 2);
  const duck = await withScratchDuckDB(t);
  const rows: string[] = [];
  for (const file of await world.catalogRows('SELECT path FROM ducklake_data_file ORDER BY data_file_id')) {
    const local = join(world.dir, `${rows.length}.parquet`);
    await world.s3.store.getToFile(`main/sales/${file.path}`, local);
    const read = (await duck.runAndReadAll(`SELECT id, strftime(ts, '%Y-%m-%d %H:%M') AS ts, region, amount FROM read_parquet(${quoteString(local)}) ORDER BY id`)).getRowObjectsJS();
    rows.push(...read.map((row) => `${row.id}|${row.ts}|${row.region}|${row.amount}`));
  }
  assert.deepEqual(rows, ['1|2026-11-05 10:30|semi;colon|1.5', "2|2026-11-06 11:00|it's|null", '3|2026-11-07 08:00|EU|2', '4|null|null|null']);
  assert.equal((await world.catalogRows('SELECT count(*) AS n FROM featherman_ingested_object'))[0]?.n, 3, 'the empty file is recorded too, so it is not read again');
});

test('refuses a missing catalog, a missing table and a table without ingest spec, creating nothing', async (t) => {
  const world = await startIngestWorld(t);
  const missing = join(world.dir, 'nope', 'lake.duckdb');
  const plan = IngestPlan.parse({ op: 'ingest', ...world.common, catalog: { name: 'lake', path: missing }, table: plainTable() });
  await assert.rejects(ingestOperation.run(plan, world.ctx), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_CATALOG_MISSING');
  await assert.rejects(stat(missing), /ENOENT/, 'no catalog file was created');
  await assert.rejects(world.ingest(plainTable({ name: 'ghost' })), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_TABLE_MISSING' && /main\.ghost/.test(error.message));
  const noIngest = plainTable();
  delete (noIngest as { ingest?: unknown }).ingest;
  await world.applyTable(noIngest);
  await assert.rejects(world.ingest(noIngest), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_INVALID_SPEC' && /table\.ingest: must be set/.test(error.message));
});

test('deleteAfterIngest also removes landing objects a crashed run committed but did not delete', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.ingest(plainTable());
  assert.deepEqual(await world.keys('landing/sales/'), ['landing/sales/a.csv'], 'kept while deleteAfterIngest is off');
  const deleting = plainTable({ ingest: { prefix: 'landing/sales/', format: 'csv', deleteAfterIngest: true } });
  const result = await world.ingest(deleting);
  assert.equal(result.rows, 0);
  assert.deepEqual(await world.keys('landing/sales/'), [], 'the ingested object is deleted although nothing new was read');
  assert.equal((await world.catalogRows('SELECT sum(record_count) AS n FROM ducklake_data_file'))[0]?.n, 6);
});
