import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObjectStore } from '../../runner/storage/object-store.ts';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy.ts';
import { assertMismatchCommitsNothing, salesTable, startIngestWorld } from './ingest-harness.ts';

// Landing streams over a plain-HTTP endpoint take the lean GET (presigned URL, one reused
// receive buffer); these cases run it through a proxy that records and faults requests.

const plainTable = () => salesTable({ format: { compression: 'ZSTD', partitioning: [], targetFileSizeMB: 64 } });
const presigned = (url: string) => url.includes('X-Amz-Signature=');
const STREAMS_FAILED = 'the COPY over landing streams failed or a stream broke; writing again from downloaded files';

async function proxiedWorld(t: Parameters<typeof startIngestWorld>[0], mode: FaultMode, eligible: (method: string, url: string) => boolean) {
  let proxy: FaultProxy | undefined;
  const world = await startIngestWorld(t, {
    store: async (s3) => {
      proxy = await startFaultProxy({ target: s3.endpoint, failRate: 1, seed: 7, mode, eligible });
      t.after(() => proxy?.close());
      return s3.makeStore({ endpoint: proxy.endpoint });
    },
  });
  if (!proxy) throw new Error('the proxy did not start');
  await world.applyTable(plainTable());
  await world.putFixture('landing/sales/a.csv', 'sales-a.csv');
  await world.put('landing/sales/b.csv', 'id,ts,region,amount\n8,2026-11-01 00:00:00,US,2\n');
  return { world, proxy };
}

const landingGets = (proxy: FaultProxy, name: string) => proxy.requests.filter((request) => request.method === 'GET' && request.url.split('?')[0]?.endsWith(`/landing/sales/${name}`));

test('CSV landing objects stream through presigned plain-HTTP GETs: every row once, no SDK GET of a landing object', async (t) => {
  const { world, proxy } = await proxiedWorld(t, '500', () => false);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, 7);
  for (const name of ['a.csv', 'b.csv']) {
    const gets = landingGets(proxy, name);
    assert.equal(gets.length, 1, `one GET of ${name}`);
    assert.ok(presigned(gets[0]?.url ?? ''), `the GET of ${name} is presigned`);
    assert.equal(gets[0]?.headers.authorization, undefined, `the GET of ${name} carries no Authorization header`);
  }
  assert.deepEqual(world.logs.filter((line) => Number(line.level) >= 40).map((line) => line.msg), []);
  const [sum] = await world.catalogRows('SELECT sum(record_count)::INTEGER AS n FROM ducklake_data_file');
  assert.equal(sum?.n, 7);
});

test('a lean GET cut short mid-body makes the runner download the files and write again; every row once', async (t) => {
  let cuts = 0;
  const { world, proxy } = await proxiedWorld(t, 'truncate', (method, url) => method === 'GET' && presigned(url) && url.includes('/landing/sales/a.csv?') && cuts++ === 0);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, 7);
  assert.equal(proxy.counters.faults, 1, 'the first GET of a.csv was cut');
  assert.ok(world.logs.some((line) => line.msg === STREAMS_FAILED), 'the broken stream was noticed');
  const paths = (await world.catalogRows('SELECT path FROM ducklake_data_file')).map((row) => `main/sales/${String(row.path)}`);
  assert.deepEqual(await world.keys('main/'), paths.sort(), 'the first COPY left no object');
  const [sum] = await world.catalogRows('SELECT sum(record_count)::INTEGER AS n FROM ducklake_data_file');
  assert.equal(sum?.n, 7);
});

test('a lean GET answered 503 before the body falls back to the SDK GET of the same stream, which succeeds', async (t) => {
  let slow = 0;
  const { world, proxy } = await proxiedWorld(t, '503', (method, url) => method === 'GET' && presigned(url) && url.includes('/landing/sales/a.csv?') && slow++ === 0);
  const result = await world.ingest(plainTable());
  assert.equal(result.rows, 7);
  const gets = landingGets(proxy, 'a.csv');
  assert.deepEqual(gets.map((get) => [presigned(get.url), get.status]), [[true, 503], [false, 200]], 'the presigned GET got 503, then the signed SDK GET got the object');
  assert.ok(!world.logs.some((line) => line.msg === STREAMS_FAILED), 'the pipe was untouched, so the stream carried on');
});

test('a landing object rewritten before its lean GET fails the ingest with FM_ERR_OBJECT_MISMATCH; nothing is committed', async (t) => {
  const { world } = await proxiedWorld(t, '500', () => false);
  const real = world.ctx.store;
  world.ctx.store = Object.assign(Object.create(real) as ObjectStore, {
    presignGet: async (key: string) => {
      if (key.endsWith('b.csv')) await world.s3.store.putBytes(key, 'id,ts,region,amount\n9,2026-11-01 00:00:00,EU,1\n');
      return real.presignGet?.(key);
    },
  });
  await assertMismatchCommitsNothing(world, world.ingest(plainTable()), 'landing/sales/b.csv');
});
