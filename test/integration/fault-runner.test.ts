import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PlanInput } from '../../api/plan.ts';
import { RunnerResult } from '../../api/result.ts';
import { startFaultProxy, type FaultMode } from '../support/fault-proxy.ts';
import { spawnRunner } from '../support/runner.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

const FILES = 3;
const ROWS = 500;

function landingCsv(file: number): string {
  const lines = ['id,region,amount'];
  for (let row = 0; row < ROWS; row += 1) lines.push(`${file * ROWS + row},${['north', 'south', 'east'][row % 3]},${row % 10}`);
  return `${lines.join('\n')}\n`;
}

for (const [mode, seed] of [['503', 51], ['reset', 22]] as Array<[FaultMode, number]>) {
  test(`init, apply, ingest and query all succeed through the runner with 25% ${mode} faults on S3`, async (t) => {
    const s3 = await withEmbeddedS3(t);
    for (let file = 0; file < FILES; file += 1) await s3.store.putBytes(`landing/orders/part-${file}.csv`, landingCsv(file), 'text/csv');
    const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0.25, seed, mode });
    t.after(() => proxy.close());
    const dir = await tempDir(t);
    const common = {
      catalog: { name: 'lake', path: join(dir, 'catalog', 'lake.ducklake') },
      objectStore: { endpoint: proxy.endpoint, bucket: 'lake', prefix: 'warehouse', forcePathStyle: true },
      cacheDir: join(dir, 'cache'),
      lockTimeoutSeconds: 10,
    };
    const table = {
      name: 'orders',
      columns: [{ name: 'id', type: 'BIGINT' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'INTEGER' }],
      ingest: { prefix: 'landing/orders/', format: 'csv' as const },
    };
    const env = { ...s3.env, FEATHERMAN_S3_MAX_ATTEMPTS: '10' };
    const run = async (plan: PlanInput) => {
      const outcome = await spawnRunner(plan, { env });
      assert.equal(outcome.exitCode, 0, `${plan.op} failed: ${outcome.stderr}`);
      return RunnerResult.parse(JSON.parse(outcome.terminationLog));
    };
    await run({ ...common, op: 'init-catalog' });
    await run({ ...common, op: 'apply-table', table });
    const ingest = await run({ ...common, op: 'ingest', table });
    assert.equal(ingest.rows, FILES * ROWS);
    assert.ok(ingest.filesAdded >= 1);
    const query = await run({ ...common, op: 'query', sql: 'SELECT count(*) AS n, sum(amount) AS total FROM orders' });
    assert.equal(query.query?.rows, 1);
    const expectedTotal = FILES * Array.from({ length: ROWS }, (_, row) => row % 10).reduce((a, b) => a + b, 0);
    assert.match(query.query?.preview ?? '', new RegExp(`\\b${FILES * ROWS}\\b[\\s\\S]*\\b${expectedTotal}\\b`));
    // Seeds are chosen so that faults fall among the first requests (init and apply send none).
    assert.ok(proxy.counters.faults >= 2, `faults injected: ${proxy.counters.faults} of ${proxy.counters.requests}`);
  });
}
