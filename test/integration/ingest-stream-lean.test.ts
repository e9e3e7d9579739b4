import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { PlanInput } from '../../api/plan.ts';
import { RunnerResult } from '../../api/result.ts';
import { LEAN_GET_MIN_BYTES } from '../../runner/storage/lean-get.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy.ts';
import { REPO_ROOT, spawnRunner } from '../support/runner.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import { assertMismatchCommitsNothing, salesTable, startIngestWorld, withScratchDuckDB } from './ingest-harness.ts';

// Landing objects of 4 MiB and more stream through the lean GET (presigned URL, reused
// buffers); smaller ones through the SDK's. These cases run both through a proxy that
// records and faults requests, over plain HTTP and over TLS.

const plainTable = () => salesTable({ format: { compression: 'ZSTD', partitioning: [], targetFileSizeMB: 64 } });
const presigned = (url: string) => url.includes('X-Amz-Signature=');
const STREAMS_FAILED = 'the COPY over landing streams failed or a stream broke; writing again from downloaded files';
const BIG_ROWS = 160_000;
const SMALL_CSV = 'id,ts,region,amount\n8,2026-11-01 00:00:00,US,2\n';
const TLS_DIR = join(REPO_ROOT, 'test', 'fixtures', 'tls');

/** bigCsv is a landing CSV of BIG_ROWS rows, above the lean GET's threshold (pure). */
function bigCsv(): string {
  const lines = ['id,ts,region,amount'];
  for (let row = 0; row < BIG_ROWS; row += 1) lines.push(`${100 + row},2026-11-01 00:00:00,${['EU', 'US', 'APAC'][row % 3]},${row % 1000}.25`);
  const text = `${lines.join('\n')}\n`;
  assert.ok(text.length >= LEAN_GET_MIN_BYTES, `the big landing file needs ${LEAN_GET_MIN_BYTES} bytes; it has ${text.length}`);
  return text;
}

async function proxiedWorld(t: TestContext, mode: FaultMode, eligible: (method: string, url: string) => boolean, truncateBytes?: number) {
  let proxy: FaultProxy | undefined;
  const world = await startIngestWorld(t, {
    store: async (s3) => {
      proxy = await startFaultProxy({ target: s3.endpoint, failRate: 1, seed: 7, mode, eligible, ...(truncateBytes ? { truncateBytes } : {}) });
      t.after(() => proxy?.close());
      return s3.makeStore({ endpoint: proxy.endpoint });
    },
  });
  if (!proxy) throw new Error('the proxy did not start');
  await world.applyTable(plainTable());
  await world.put('landing/sales/a.csv', bigCsv());
  await world.put('landing/sales/b.csv', SMALL_CSV);
  return { world, proxy };
}

const landingGets = (proxy: FaultProxy, name: string) => proxy.requests.filter((request) => request.method === 'GET' && request.url.split('?')[0]?.endsWith(`/landing/sales/${name}`));
const firstGetOf = (name: string) => {
  let seen = 0;
  return (method: string, url: string) => method === 'GET' && presigned(url) && url.includes(`/landing/sales/${name}?`) && seen++ === 0;
};

/** assertOneGetEach checks that the big file came through one presigned GET and the small one through one SDK GET. */
function assertOneGetEach(proxy: FaultProxy): void {
  const [big, small] = [landingGets(proxy, 'a.csv'), landingGets(proxy, 'b.csv')];
  assert.deepEqual(big.map((get) => [presigned(get.url), get.headers.authorization === undefined]), [[true, true]], 'a.csv: one presigned GET, no Authorization header');
  assert.deepEqual(small.map((get) => [presigned(get.url), typeof get.headers.authorization]), [[false, 'string']], 'b.csv: one signed SDK GET');
}

/** assertLakeRows reads the committed data files back and checks every landing row is there once, values intact. */
async function assertLakeRows(t: TestContext, world: Awaited<ReturnType<typeof startIngestWorld>>): Promise<void> {
  const duck = await withScratchDuckDB(t);
  const files = await world.catalogRows('SELECT path FROM ducklake_data_file');
  const local: string[] = [];
  for (const [index, row] of files.entries()) {
    const path = join(world.dir, `read-back-${index}.parquet`);
    await world.s3.store.getToFile(`main/sales/${String(row.path)}`, path);
    local.push(path);
  }
  const reader = `read_parquet([${local.map(quoteString).join(', ')}])`;
  const [got] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids, sum(id)::BIGINT AS id_sum, sum(amount)::DOUBLE AS amount FROM ${reader}`)).getRowObjectsJS();
  // Rows 100 … 100+BIG_ROWS-1 of a.csv and row 8 of b.csv; amounts (row % 1000) + 0.25 and 2.
  const idSum = BigInt(BIG_ROWS) * 100n + BigInt((BIG_ROWS * (BIG_ROWS - 1)) / 2) + 8n;
  const amount = Array.from({ length: BIG_ROWS }, (_, row) => (row % 1000) + 0.25).reduce((a, b) => a + b, 0) + 2;
  assert.deepEqual(got, { n: BIG_ROWS + 1, ids: BIG_ROWS + 1, id_sum: idSum, amount });
}

test('a big landing object streams through a presigned GET and a small one through the SDK; every row once', async (t) => {
  const { world, proxy } = await proxiedWorld(t, '500', () => false);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, BIG_ROWS + 1);
  assertOneGetEach(proxy);
  assert.deepEqual(world.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), []);
  await assertLakeRows(t, world);
});

test('a lean GET cut short after 2 MiB of body makes the runner download the files and write again; every row once', async (t) => {
  const { world, proxy } = await proxiedWorld(t, 'truncate', firstGetOf('a.csv'), 2 * 1024 * 1024);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, BIG_ROWS + 1);
  assert.equal(proxy.counters.faults, 1, 'the first GET of a.csv was cut');
  assert.ok(world.logs.some((line) => line.msg === STREAMS_FAILED), 'part of the object was in the pipe: the stream counts as broken');
  const paths = (await world.catalogRows('SELECT path FROM ducklake_data_file')).map((row) => `main/sales/${String(row.path)}`);
  assert.deepEqual(await world.keys('main/'), paths.sort(), 'the first COPY left no object');
  await assertLakeRows(t, world);
});

test('a lean GET cut short before its first write to the pipe hands the stream to the SDK GET; no rewrite', async (t) => {
  const { world, proxy } = await proxiedWorld(t, 'truncate', firstGetOf('a.csv'), 100);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, BIG_ROWS + 1);
  assert.deepEqual(landingGets(proxy, 'a.csv').map((get) => presigned(get.url)), [true, false], 'the cut presigned GET, then the SDK GET');
  assert.ok(!world.logs.some((line) => line.msg === STREAMS_FAILED), 'nothing had reached the pipe');
});

test('a lean GET answered 503 before the body falls back to the SDK GET of the same stream, which succeeds', async (t) => {
  const { world, proxy } = await proxiedWorld(t, '503', firstGetOf('a.csv'));
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, BIG_ROWS + 1);
  const gets = landingGets(proxy, 'a.csv');
  assert.deepEqual(gets.map((get) => [presigned(get.url), get.status]), [[true, 503], [false, 200]], 'the presigned GET got 503, then the signed SDK GET got the object');
  assert.ok(!world.logs.some((line) => line.msg === STREAMS_FAILED), 'the pipe was untouched, so the stream carried on');
});

test('a landing object rewritten before its lean GET fails the ingest with FM_ERR_OBJECT_MISMATCH; nothing is committed', async (t) => {
  const { world } = await proxiedWorld(t, '500', () => false);
  const real = world.ctx.store;
  world.ctx.store = Object.assign(Object.create(real) as ObjectStore, {
    presignGet: async (key: string) => {
      if (key.endsWith('a.csv')) await world.s3.store.putBytes(key, SMALL_CSV);
      return real.presignGet?.(key);
    },
  });
  await assertMismatchCommitsNothing(world, world.ingest(plainTable()), 'landing/sales/a.csv');
});

test('over TLS the runner streams a big landing object through a presigned GET, trusting NODE_EXTRA_CA_CERTS', async (t) => {
  const { world } = await proxiedWorld(t, '500', () => false);
  const tls = await startFaultProxy({
    target: world.s3.endpoint, failRate: 0, seed: 1, mode: '500',
    tls: { cert: await readFile(join(TLS_DIR, 'loopback.crt')), key: await readFile(join(TLS_DIR, 'loopback.key')) },
  });
  t.after(() => tls.close());
  const common = { ...world.common, objectStore: { ...world.common.objectStore, endpoint: tls.endpoint } };
  const plan = { ...common, op: 'ingest', table: plainTable() } as PlanInput;
  const run = await spawnRunner(plan, { env: { ...world.s3.env, NODE_EXTRA_CA_CERTS: join(TLS_DIR, 'loopback.crt') } });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(RunnerResult.parse(JSON.parse(run.terminationLog)).rows, BIG_ROWS + 1);
  assertOneGetEach(tls);
  await assertLakeRows(t, world);
  assert.deepEqual(run.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), [], 'no stream broke, no warning');
});
