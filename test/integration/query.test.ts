import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { QueryPlan, type PlanInput } from '../../api/plan.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { createLogger } from '../../runner/log.ts';
import type { OpContext, OpOutcome } from '../../runner/ops/context.ts';
import { operation } from '../../runner/ops/query.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { TestLake, type TestTable } from './query-support.ts';

interface Fixture {
  s3: TestS3;
  dir: string;
  lake: TestLake;
  sales: TestTable;
  snaps: Record<string, number>;
  logs: string[];
}

let fx: Fixture;

function context(cacheDir = join(fx.dir, 'cache')): OpContext {
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      fx.logs.push(chunk.toString());
      done();
    },
  });
  return { log: createLogger({ op: 'query' }, sink), store: fx.s3.store, storeFor: () => fx.s3.store, cacheDir, now: () => new Date() };
}

function plan(sql: string, extra: Partial<PlanInput & { op: 'query' }> = {}): QueryPlan {
  return QueryPlan.parse({
    op: 'query',
    catalog: { name: 'shop', path: fx.lake.catalogPath },
    objectStore: { bucket: 'lake', endpoint: fx.s3.endpoint, forcePathStyle: true },
    sql,
    ...extra,
  });
}

async function query(sql: string, extra: Partial<PlanInput & { op: 'query' }> = {}, ctx = context()): Promise<OpOutcome> {
  return operation.run(plan(sql, extra), ctx);
}

function rowsOf(outcome: OpOutcome): Record<string, unknown>[] {
  const preview = outcome.query?.preview ?? '';
  return preview === '' ? [] : preview.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function refusedWith(sql: string, code: string): Promise<void> {
  await assert.rejects(query(sql, { output: { location: 's3://lake/out/refused.csv', format: 'csv' } }), (error: unknown) => {
    assert.ok(isFeathermanError(error), `not a FeathermanError: ${String(error)}`);
    assert.equal(error.code, code, `${sql}: ${error.message}`);
    assert.ok(!error.message.includes('\n'), 'one sentence');
    return true;
  });
}

before(async () => {
  const s3 = await startTestS3();
  const dir = await tempDir(undefined, 'fm-query-');
  const lake = await TestLake.create(dir, s3.store);
  const snaps: Record<string, number> = {};
  const sales = await lake.createTable(
    'sales',
    [
      { id: 1, name: 'id', type: 'int32' },
      { id: 2, name: 'ts', type: 'timestamp' },
      { id: 3, name: 'region', type: 'varchar' },
      { id: 4, name: 'amount', type: 'float64' },
    ],
    [{ columnId: 3, transform: 'identity' }],
  );
  const eu1 = await lake.insert(sales, "SELECT i::INTEGER AS id, TIMESTAMP '2024-03-01' + INTERVAL (i) DAY AS ts, 'EU' AS region, i * 10.0 AS amount FROM range(1, 4) t(i)", ['EU']);
  snaps.euInsert = eu1.snapshotId;
  snaps.usInsert = (await lake.insert(sales, "SELECT i::INTEGER AS id, TIMESTAMP '2024-06-01' + INTERVAL (i) DAY AS ts, 'US' AS region, i * 10.0 AS amount FROM range(4, 7) t(i)", ['US'])).snapshotId;
  snaps.eu2Insert = (await lake.insert(sales, "SELECT i::INTEGER AS id, TIMESTAMP '2025-01-01' + INTERVAL (i) DAY AS ts, 'EU' AS region, i * 10.0 AS amount FROM range(7, 10) t(i)", ['EU'])).snapshotId;
  snaps.delete = await lake.deleteRows(sales, eu1.dataFileId, [1]);
  snaps.addNote = await lake.alterColumns(sales, [...sales.columns, { id: 5, name: 'note', type: 'varchar', initialDefault: 'n/a' }]);
  snaps.noteInsert = (await lake.insert(sales, "SELECT 10::INTEGER AS id, TIMESTAMP '2025-02-01' AS ts, 'APAC' AS region, 100.0 AS amount, 'new' AS note", ['APAC'])).snapshotId;
  snaps.rename = await lake.alterColumns(sales, sales.columns.map((c) => (c.name === 'amount' ? { ...c, name: 'total' } : c)));
  snaps.dropNote = await lake.alterColumns(sales, sales.columns.filter((c) => c.name !== 'note'));
  snaps.widen = await lake.alterColumns(sales, sales.columns.map((c) => (c.name === 'id' ? { ...c, type: 'int64' } : c)));
  snaps.bigInsert = (await lake.insert(sales, "SELECT 5000000000 AS id, TIMESTAMP '2025-03-01' AS ts, 'US' AS region, 1.0 AS total", ['US'])).snapshotId;
  await lake.close();
  fx = { s3, dir, lake, sales, snaps, logs: [] };
});

after(async () => {
  await fx.s3.close();
  await removeDir(fx.dir);
});

describe('query: time travel', () => {
  it('reads each snapshot by id, with inserts and delete files applied', async () => {
    const ids = async (snapshot: number) =>
      rowsOf(await query('SELECT id FROM sales ORDER BY id', { snapshot: { id: snapshot }, previewRows: 100 })).map((r) => Number(r.id));
    assert.deepEqual(await ids(fx.snaps.euInsert ?? -1), [1, 2, 3]);
    assert.deepEqual(await ids(fx.snaps.eu2Insert ?? -1), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Position 1 of the first file is id 2.
    assert.deepEqual(await ids(fx.snaps.delete ?? -1), [1, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(await ids(1), []);
  });

  it('picks the last snapshot at or before a time', async () => {
    const at = new Date(fx.lake.timeOf(fx.snaps.usInsert ?? -1).getTime() + 30 * 60_000).toISOString();
    const outcome = await query('SELECT count(*) AS n FROM sales', { snapshot: { timestamp: at } });
    assert.equal(outcome.snapshotId, fx.snaps.usInsert);
    assert.equal(rowsOf(outcome)[0]?.n, '6');
  });

  it('refuses an unknown snapshot id and a time before the first snapshot', async () => {
    await assert.rejects(query('SELECT 1', { snapshot: { id: 999 } }), /snapshot\.id: must name an existing snapshot .*got 999/);
    await assert.rejects(query('SELECT 1', { snapshot: { timestamp: '2000-01-01T00:00:00Z' } }), /snapshot\.timestamp/);
  });

  it('defaults to the latest snapshot', async () => {
    const outcome = await query('SELECT count(*) AS n FROM main.sales');
    assert.equal(outcome.snapshotId, fx.snaps.bigInsert);
    assert.equal(rowsOf(outcome)[0]?.n, '10');
  });
});

describe('query: schema evolution', () => {
  it('reads an added column as its initial default in older files', async () => {
    const rows = rowsOf(await query('SELECT id, note FROM sales ORDER BY id', { snapshot: { id: fx.snaps.noteInsert ?? -1 }, previewRows: 100 }));
    assert.equal(rows.length, 9);
    assert.deepEqual(rows.map((r) => r.note), ['n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', 'new']);
  });

  it('keeps the data of a renamed column and hides it under the old name', async () => {
    const rows = rowsOf(await query('SELECT sum(total) AS s FROM sales', { snapshot: { id: fx.snaps.rename ?? -1 } }));
    assert.equal(rows[0]?.s, 10 + 30 + 40 + 50 + 60 + 70 + 80 + 90 + 100);
    await assert.rejects(query('SELECT amount FROM sales', { snapshot: { id: fx.snaps.rename ?? -1 } }), (e: unknown) => isFeathermanError(e) && e.code === 'FM_ERR_QUERY_FAILED');
    const before = rowsOf(await query('SELECT sum(amount) AS s FROM sales', { snapshot: { id: fx.snaps.addNote ?? -1 } }));
    assert.equal(before[0]?.s, 10 + 30 + 40 + 50 + 60 + 70 + 80 + 90);
  });

  it('drops a column from the view and widens a type', async () => {
    await assert.rejects(query('SELECT note FROM sales', { snapshot: { id: fx.snaps.dropNote ?? -1 } }), /note/);
    const types = rowsOf(await query("SELECT any_value(typeof(id)) AS t, max(id) AS m FROM sales", { snapshot: { id: fx.snaps.bigInsert ?? -1 } }));
    assert.equal(types[0]?.t, 'BIGINT');
    assert.equal(types[0]?.m, '5000000000');
    const old = rowsOf(await query('SELECT typeof(id) AS t FROM sales LIMIT 1', { snapshot: { id: fx.snaps.dropNote ?? -1 } }));
    assert.equal(old[0]?.t, 'INTEGER');
  });
});

describe('query: pruning', () => {
  it('skips files by partition value and reads only the survivors', async () => {
    const cacheDir = join(fx.dir, 'cache-prune');
    const outcome = await query("SELECT id FROM sales WHERE region = 'US' ORDER BY id", { previewRows: 100 }, context(cacheDir));
    assert.deepEqual(rowsOf(outcome).map((r) => Number(r.id)), [4, 5, 6, 5000000000]);
    assert.equal(outcome.details?.filesTotal, 5);
    assert.equal(outcome.details?.filesRead, 2);
    assert.equal(outcome.details?.filesPruned, 3);
    assert.equal(outcome.details?.downloads, 2, 'only the two US files were downloaded');
    const again = await query("SELECT id FROM sales WHERE region = 'US'", {}, context(cacheDir));
    assert.equal(again.details?.downloads, 0);
    assert.equal(again.details?.cacheHits, 2);
  });

  it('skips files by min/max stats and keeps the delete file of a surviving file', async () => {
    const outcome = await query('SELECT id FROM sales WHERE id BETWEEN 2 AND 3 ORDER BY id', { previewRows: 100 }, context(join(fx.dir, 'cache-stats')));
    assert.deepEqual(rowsOf(outcome).map((r) => Number(r.id)), [3]);
    assert.equal(outcome.details?.filesRead, 1);
    assert.equal(outcome.details?.downloads, 2, 'the data file and its delete file');
    const ts = await query("SELECT count(*) AS n FROM sales WHERE ts >= TIMESTAMP '2025-01-01'");
    assert.equal(rowsOf(ts)[0]?.n, '5');
    assert.equal(ts.details?.filesRead, 3);
  });

  it('does not prune through OR, outer joins or repeated references', async () => {
    const or = await query("SELECT count(*) AS n FROM sales WHERE region = 'US' OR id = 1");
    assert.equal(or.details?.filesPruned, 0);
    assert.equal(rowsOf(or)[0]?.n, '5');
    const self = await query("SELECT count(*) AS n FROM sales a JOIN sales b ON a.id = b.id WHERE a.region = 'US'");
    assert.equal(self.details?.filesPruned, 0);
    assert.equal(rowsOf(self)[0]?.n, '4');
    const left = await query("SELECT count(*) AS n FROM sales a LEFT JOIN sales b ON a.id = b.id + 100 WHERE b.id IS NULL");
    assert.equal(left.details?.filesPruned, 0);
    assert.equal(rowsOf(left)[0]?.n, '10');
  });
});

describe('query: sandbox', () => {
  const hostile = [
    "COPY (SELECT 1) TO '/tmp/x.csv'",
    "ATTACH '/tmp/x.db' AS x",
    'INSTALL httpfs',
    'LOAD httpfs',
    'SET threads = 1',
    'PRAGMA version',
    'RESET threads',
    'CREATE TABLE t AS SELECT 1',
    'INSERT INTO sales VALUES (1)',
    'UPDATE sales SET id = 1',
    'DELETE FROM sales',
    'SELECT 1; DROP VIEW sales',
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT getenv('HOME')",
    "SELECT * FROM read_parquet('/etc/passwd')",
    "SELECT * FROM '/etc/passwd'",
    'SELECT * FROM duckdb_secrets()',
    "SELECT current_setting('allowed_directories')",
    "SELECT * FROM query('SELECT 1')",
    'SELECT * FROM sales AT (VERSION => 1)',
  ];
  for (const sql of hostile) {
    it(`refuses ${sql}`, async () => {
      await refusedWith(sql, 'FM_ERR_QUERY_REFUSED');
    });
  }

  it('wrote nothing for the refused queries', async () => {
    assert.equal(await fx.s3.store.head('out/refused.csv'), undefined);
  });

  it('refuses a read outside the cache even when the guard is bypassed by a view body', async () => {
    await writeFile(join(fx.dir, 'secret.csv'), 'a\n1\n');
    await refusedWith(`SELECT * FROM read_csv_auto('${join(fx.dir, 'secret.csv')}')`, 'FM_ERR_QUERY_REFUSED');
  });

  it('fails an unknown table with a clear error', async () => {
    await refusedWith('SELECT * FROM nope', 'FM_ERR_QUERY_FAILED');
  });
});

describe('query: output', () => {
  for (const format of ['parquet', 'csv', 'json'] as const) {
    it(`writes the full result as ${format} and reads it back`, async () => {
      const location = `s3://lake/results/q.${format}`;
      const outcome = await query('SELECT id, region, total FROM sales ORDER BY id', { output: { location, format }, previewRows: 2 });
      assert.equal(outcome.query?.rows, 10);
      assert.equal(outcome.query?.outputLocation, location);
      assert.equal(rowsOf(outcome).length, 2);
      const local = join(fx.dir, `back.${format}`);
      await fx.s3.store.getToFile(`results/q.${format}`, local);
      const info = await fx.s3.store.head(`results/q.${format}`);
      assert.equal(outcome.query?.bytes, info?.size);
      const reader = format === 'parquet' ? 'read_parquet' : format === 'csv' ? 'read_csv' : 'read_json';
      const db = await openDuckDB(':memory:');
      try {
        const back = await db.connection.runAndReadAll(`SELECT count(*) AS n, sum(id) AS s, min(region) AS r FROM ${reader}(?)`, [local]);
        assert.deepEqual(back.getRowObjectsJson()[0], { n: '10', s: String(45 + 10 + 5000000000 - 2), r: 'APAC' });
      } finally {
        await db.close();
      }
      if (format === 'json') assert.match((await readFile(local, 'utf8')).split('\n')[0] ?? '', /^\{"id":1,/);
    });
  }

  it('caps the preview at 2 KiB and logs one summary line', async () => {
    fx.logs.length = 0;
    const outcome = await query("SELECT i, repeat('x', 100) AS pad FROM range(1000) t(i)", { previewRows: 1000 });
    assert.equal(outcome.query?.rows, 1000);
    const preview = outcome.query?.preview ?? '';
    assert.ok(Buffer.byteLength(preview) <= 2048, `preview is ${Buffer.byteLength(preview)} bytes`);
    assert.ok(preview.split('\n').length >= 10);
    assert.match(outcome.summary, /^Query on snapshot \d+: 1,000 rows, 0 of 0 files read \(0 pruned\)/);
  });
});

describe('query: CTEs', () => {
  it('lets a CTE read the table of its own name and does not prune it', async () => {
    const outcome = await query("WITH sales AS (SELECT * FROM sales WHERE region = 'US') SELECT count(*) AS n FROM sales");
    assert.equal(rowsOf(outcome)[0]?.n, '4');
    assert.equal(outcome.details?.filesPruned, 0);
  });
  it('skips a CTE name that is no table', async () => {
    const outcome = await query("WITH us AS (SELECT * FROM sales WHERE region = 'US') SELECT count(*) AS n FROM us");
    assert.equal(rowsOf(outcome)[0]?.n, '4');
    assert.equal(outcome.details?.filesPruned, 3);
  });
});
