import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isFeathermanError } from '../../runner/errors.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';
import { assertMismatchCommitsNothing, salesTable, startIngestWorld, withScratchDuckDB } from './ingest-harness.ts';

const PART_SIZE = 5 * 1024 * 1024;
const ROWS = 400_000;
const plainTable = (overrides = {}) => salesTable({ format: { compression: 'ZSTD', partitioning: [], targetFileSizeMB: 64 }, ...overrides });

/**
 * withStream returns a store whose getStream runs `open` instead (fault injection at the S3
 * boundary over the real store). It cannot presign, so landing streams take the SDK's GET,
 * as they do against an https endpoint; ingest-stream-lean.test.ts covers the lean GET.
 */
function withStream(real: ObjectStore, open: (key: string) => ReturnType<ObjectStore['getStream']>): ObjectStore {
  return Object.assign(Object.create(real) as ObjectStore, { getStream: open, presignGet: undefined });
}

async function cachedFiles(cacheDir: string): Promise<string[]> {
  const entries = await readdir(join(cacheDir, 'objects'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((entry) => entry.isFile()).map((entry) => entry.name);
}

async function putRandomLanding(world: Awaited<ReturnType<typeof startIngestWorld>>, duck: Awaited<ReturnType<typeof withScratchDuckDB>>, format: 'csv' | 'parquet'): Promise<void> {
  for (const part of [0, 1]) {
    const path = join(world.dir, `part-${part}.${format}`);
    await duck.run(`COPY (SELECT (${part * (ROWS / 2)} + i)::INTEGER AS id, TIMESTAMP '2026-01-01' + INTERVAL (i) SECOND AS ts, md5(i::VARCHAR) AS region, random() AS amount
      FROM range(${ROWS / 2}) t(i)) TO ${quoteString(path)} (FORMAT ${format}${format === 'csv' ? ', HEADER true' : ''})`);
    await world.s3.store.putFile(`landing/sales/part-${part}.${format}`, path);
  }
}

test('CSV landing objects stream into the COPY: no cached copy, no fallback, every row once', async (t) => {
  const world = await startIngestWorld(t);
  const duck = await withScratchDuckDB(t);
  await world.applyTable(plainTable());
  await putRandomLanding(world, duck, 'csv');
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, ROWS);
  assert.deepEqual(await cachedFiles(world.ctx.cacheDir), [], 'nothing was downloaded to the cache');
  assert.deepEqual(world.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), [], 'the streams ended whole, with no fallback to downloads');
  assert.deepEqual(world.logs.filter((line) => line.msg === 'uploaded while written'), [], 'streamed writes upload after the COPY');
  const [sum] = await world.catalogRows('SELECT sum(record_count)::INTEGER AS n FROM ducklake_data_file');
  assert.equal(sum?.n, ROWS);
});

test('a data file written from downloaded landing files goes up in parts while DuckDB writes it, byte for byte', async (t) => {
  const world = await startIngestWorld(t, { store: (s3) => s3.makeStore({ partSizeBytes: PART_SIZE }) });
  const duck = await withScratchDuckDB(t);
  const table = plainTable({ ingest: { prefix: 'landing/sales/', format: 'parquet' } });
  await world.applyTable(table);
  await putRandomLanding(world, duck, 'parquet');
  const result = await world.ingest(table);
  assert.equal(result.rows, ROWS);
  assert.equal(result.filesAdded, 1);
  const [file] = await world.catalogRows('SELECT path, file_size_bytes FROM ducklake_data_file');
  const key = `main/sales/${String(file?.path)}`;
  assert.ok(Number(file?.file_size_bytes) > PART_SIZE, `the data file needs parts: ${String(file?.file_size_bytes)} bytes`);
  const early = world.logs.filter((line) => line.msg === 'uploaded while written');
  assert.deepEqual(early.map((line) => [line.key, line.bytes]), [[key, Number(file?.file_size_bytes)]], 'the data file went up from the growing file');
  assert.deepEqual(world.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), [], 'no second upload');
  assert.equal((await world.s3.store.head(key))?.size, Number(file?.file_size_bytes));
  const local = join(world.dir, 'uploaded.parquet');
  await world.s3.store.getToFile(key, local);
  const [check] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n, sum(id)::BIGINT AS ids FROM read_parquet(${quoteString(local)})`)).getRowObjectsJS();
  assert.deepEqual(check, { n: ROWS, ids: BigInt((ROWS * (ROWS - 1)) / 2) }, 'the uploaded bytes are the whole file');
});

test('a landing object rewritten after the listing fails with FM_ERR_OBJECT_MISMATCH; nothing is committed or left in the bucket', async (t) => {
  const world = await startIngestWorld(t, {
    store: (s3) => withStream(s3.store, async (key) => {
      if (key.endsWith('b.csv')) await s3.store.putBytes(key, 'id,ts,region,amount\n9,2026-11-01 00:00:00,EU,1\n');
      return s3.store.getStream(key);
    }),
  });
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n8,2026-11-01 00:00:00,US,2\n');
  await assertMismatchCommitsNothing(world, world.ingest(plainTable()), 'landing/sales/b.csv');
});

test('a landing body that breaks mid-stream is downloaded and written again; only the committed files stay in the bucket', async (t) => {
  let broken = 0;
  const world = await startIngestWorld(t, {
    store: (s3) => withStream(s3.store, async (key) => {
      const stream = await s3.store.getStream(key);
      if (!key.endsWith('a.csv') || broken > 0) return stream;
      broken += 1;
      // Pass the first chunk on, then fail as a reset socket would.
      const body = new Readable({ read() {} });
      stream.body.once('data', (chunk: Buffer) => {
        stream.body.destroy();
        body.push(chunk.subarray(0, Math.min(chunk.length, 40)));
        body.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
      });
      return { info: stream.info, body };
    }),
  });
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n8,2026-11-01 00:00:00,US,2\n');
  const result = await world.ingest(plainTable());
  assert.equal(broken, 1);
  assert.equal(result.rows, 7);
  assert.ok(world.logs.some((line) => line.msg === 'the COPY over landing streams failed or a stream broke; writing again from downloaded files'));
  const paths = (await world.catalogRows('SELECT path FROM ducklake_data_file')).map((row) => `main/sales/${String(row.path)}`);
  assert.deepEqual(await world.keys('main/'), paths.sort(), 'the first COPY left no object');
  assert.deepEqual(await cachedFiles(world.ctx.cacheDir), [], 'committed landing copies leave the cache');
});

test('a gzip CSV landing object is downloaded, not streamed, so DuckDB decompresses it', async (t) => {
  const world = await startIngestWorld(t);
  await world.applyTable(plainTable());
  const lines = ['id,ts,region,amount', ...Array.from({ length: 5000 }, (_, i) => `${i},2026-11-01 00:00:00,EU,${i % 7}`)];
  await world.put('landing/sales/c.csv.gz', gzipSync(`${lines.join('\n')}\n`));
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, 5000);
  assert.deepEqual(world.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), [], 'no stream was tried and broken');
  const [sum] = await world.catalogRows('SELECT sum(record_count)::INTEGER AS n FROM ducklake_data_file');
  assert.equal(sum?.n, 5000);
});

test('a landing body that ends short of its listed size fails with FM_ERR_OBJECT_MISMATCH; nothing is committed', async (t) => {
  const world = await startIngestWorld(t, {
    store: (s3) => withStream(s3.store, async (key) => {
      const stream = await s3.store.getStream(key);
      const whole = Buffer.concat(await stream.body.toArray() as Buffer[]);
      // Cut at a line end so the short file still parses: only the byte count can tell.
      return { info: stream.info, body: Readable.from([whole.subarray(0, whole.lastIndexOf('\n', whole.length - 2) + 1)]) };
    }),
  });
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await assert.rejects(world.ingest(plainTable()), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_OBJECT_MISMATCH');
    assert.match(error.message, /s3:\/\/lake\/landing\/sales\/a\.csv streamed \d+ bytes; expected \d+/);
    return true;
  });
  assert.deepEqual(await world.catalogRows('SELECT * FROM featherman_ingested_object'), []);
  assert.deepEqual(await world.keys('main/'), []);
});
