import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryPlan, type PlanInput } from '../../api/plan.ts';
import type { OpOutcome } from '../../runner/ops/context.ts';
import { operation as query } from '../../runner/ops/query.ts';
import { openDuckDB } from '../../runner/lake/duckdb.ts';
import { readFiles } from '../../runner/lake/read/files.ts';
import { readTables } from '../../runner/lake/read/tables.ts';
import { bucketOf, murmur3Long } from '../../runner/lake/write/murmur3.ts';
import { spawnRunner } from '../support/runner.ts';
import { salesTable, startIngestWorld, type IngestWorld } from './ingest-harness.ts';

function csv(rows: [number, string, string, number][]): string {
  return ['id,ts,region,amount', ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

async function run(world: IngestWorld, sql: string, extra: Partial<PlanInput & { op: 'query' }> = {}): Promise<OpOutcome> {
  return query.run(QueryPlan.parse({ op: 'query', ...world.common, sql, previewRows: 1000, ...extra }), world.ctx);
}

const lines = (outcome: OpOutcome): Record<string, unknown>[] =>
  (outcome.query?.preview ?? '').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('query over tables written by apply-table and ingest', () => {
  it('time-travels, prunes by region and day(ts), and reads what ingest wrote', async (t) => {
    const world = await startIngestWorld(t);
    const table = salesTable();
    await world.applyTable(table);
    await world.put('landing/sales/a.csv', csv([
      [1, '2024-05-01 10:00:00', 'EU', 10],
      [2, '2024-05-01 11:00:00', 'US', 20],
      [3, '2024-05-02 09:00:00', 'EU', 30],
    ]));
    const first = await world.ingest(table);
    await world.put('landing/sales/b.csv', csv([
      [4, '2024-05-03 10:00:00', 'EU', 40],
      [5, '2024-05-03 12:00:00', 'APAC', 50],
    ]));
    const second = await world.ingest(table);
    assert.ok((second.snapshotId ?? 0) > (first.snapshotId ?? 0));

    const all = await run(world, 'SELECT id, region, amount FROM sales ORDER BY id');
    assert.deepEqual(lines(all).map((r) => r.id), [1, 2, 3, 4, 5]);
    assert.equal(all.snapshotId, second.snapshotId);

    const past = await run(world, 'SELECT count(*) AS n, sum(amount) AS s FROM sales', { snapshot: { id: first.snapshotId ?? -1 } });
    assert.deepEqual(lines(past)[0], { n: '3', s: 60 });

    const eu = await run(world, "SELECT id FROM sales WHERE region = 'EU' ORDER BY id");
    assert.deepEqual(lines(eu).map((r) => r.id), [1, 3, 4]);
    const total = Number(eu.details?.filesTotal);
    assert.ok(Number(eu.details?.filesPruned) > 0, `pruned ${String(eu.details?.filesPruned)} of ${total}`);
    assert.equal(Number(eu.details?.filesRead) + Number(eu.details?.filesPruned), total);

    // bucket(4, id): our Murmur3 in JS must agree with the one ingest ran in DuckDB SQL.
    for (const id of [1, 2, 3, 4, 5]) {
      const one = await run(world, `SELECT id FROM sales WHERE id = ${id}`);
      assert.deepEqual(lines(one).map((r) => r.id), [id]);
      assert.equal(one.details?.filesRead, 1, `id ${id}: read ${String(one.details?.filesRead)} of ${String(one.details?.filesTotal)}`);
    }
    const catalog = await openDuckDB(world.catalogPath, { readOnly: true });
    try {
      const [sales] = await readTables(catalog.connection, second.snapshotId ?? -1, 's3://lake/');
      assert.ok(sales);
      const files = await readFiles(catalog.connection, second.snapshotId ?? -1, sales);
      const bucketKey = [...sales.partitionSpecs.values()][0]?.find((k) => k.transform === 'bucket(4)');
      assert.ok(bucketKey, 'the spec has bucket(4) on id');
      for (const file of files) {
        const stats = file.stats.get(bucketKey.columnId);
        assert.equal(stats?.min, stats?.max, 'one id per file');
        assert.equal(file.partitionValues[bucketKey.index], String(bucketOf(murmur3Long(BigInt(stats?.min ?? '0')), 4)));
      }
    } finally {
      await catalog.close();
    }
    const day = await run(world, "SELECT id FROM sales WHERE ts = TIMESTAMP '2024-05-03 10:00:00'");
    assert.deepEqual(lines(day).map((r) => r.id), [4]);
    assert.ok(Number(day.details?.filesRead) <= 2, `read ${String(day.details?.filesRead)} files`);
  });
});

describe('query through the runner process', () => {
  it('runs as a Job would: shared lock, result on the termination log, one INFO summary', async (t) => {
    const world = await startIngestWorld(t);
    const table = salesTable();
    await world.applyTable(table);
    await world.put('landing/sales/a.csv', csv([[1, '2024-05-01 10:00:00', 'EU', 10], [2, '2024-05-01 11:00:00', 'US', 20]]));
    await world.ingest(table);
    const run = await spawnRunner(
      { op: 'query', ...world.common, sql: "SELECT id, amount FROM sales WHERE region = 'US'", output: { location: 's3://lake/results/us.csv', format: 'csv' } },
      { env: world.s3.env },
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const result = JSON.parse(run.terminationLog) as { ok: boolean; op: string; query?: { rows: number; preview: string; outputLocation?: string } };
    assert.ok(Buffer.byteLength(run.terminationLog) <= 4096);
    assert.equal(result.ok, true);
    assert.equal(result.query?.rows, 1);
    assert.equal(result.query?.preview, '{"id":2,"amount":20}');
    assert.equal(result.query?.outputLocation, 's3://lake/results/us.csv');
    const body = new TextDecoder().decode(await world.s3.store.getBytes('results/us.csv'));
    assert.equal(body, 'id,amount\n2,20.0\n');
    assert.ok(run.logs.some((l) => typeof l.msg === 'string' && /^Query on snapshot \d+: 1 row, 1 of \d+ files read \(\d+ pruned\)/.test(l.msg)), run.stderr);
  });
});

describe('query over nested and typed columns written by ingest', () => {
  it('reads lists, structs, maps, decimals, dates and timestamptz and prunes by month(d) and stats', async (t) => {
    const world = await startIngestWorld(t);
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
      ingest: { prefix: 'landing/typed/', format: 'json' as const },
    };
    await world.applyTable(table);
    const rows = [0, 1, 2, 3].map((i) => JSON.stringify({
      id: i, tags: [`x${i}`, 'y'], info: { a: i * 10, b: `b${i}` }, m: { [`k${i}`]: i },
      d: `2026-0${i < 2 ? 2 : 3}-${i < 2 ? 27 + i : i - 1}`.replace(/-(\d)$/, '-0$1'), price: 12.34 + i, ok: i % 2 === 0,
      at: `2026-01-01T1${i}:00:00.5Z`,
    }));
    await world.put('landing/typed/t.json', rows.join('\n') + '\n');
    const ingested = await world.ingest(table);
    assert.equal(ingested.rows, 4);
    const all = await run(world, 'SELECT id, tags, info, m, d, price, ok, "at" FROM typed ORDER BY id');
    assert.deepEqual(lines(all)[1], {
      id: 1, tags: ['x1', 'y'], info: { a: 10, b: 'b1' }, m: [{ key: 'k1', value: 1 }], d: '2026-02-28', price: '13.34', ok: false, at: '2026-01-01 11:00:00.5+00',
    });
    const march = await run(world, "SELECT id FROM typed WHERE d = DATE '2026-03-02' ORDER BY id");
    assert.deepEqual(lines(march).map((r) => r.id), [3]);
    assert.ok(Number(march.details?.filesPruned) > 0);
    const cheap = await run(world, 'SELECT id FROM typed WHERE price < 13.00');
    assert.deepEqual(lines(cheap).map((r) => r.id), [0]);
    assert.equal(cheap.details?.filesRead, 1);
    const late = await run(world, `SELECT id FROM typed WHERE "at" >= TIMESTAMPTZ '2026-01-01 13:00:00+00'`);
    assert.deepEqual(lines(late).map((r) => r.id), [3]);
    const nested = await run(world, "SELECT count(*) AS n FROM typed WHERE info.a >= 20 AND list_contains(tags, 'y')");
    assert.deepEqual(lines(nested), [{ n: '2' }]);
  });
});
