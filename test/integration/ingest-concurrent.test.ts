import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnRunner } from '../support/runner.ts';
import { inspect, LANDING_FILES, setUp, TOTAL } from './ingest-harness.ts';

test('two runner processes ingesting the same landing files at once add each file exactly once', async (t) => {
  const world = await setUp(t);
  const [a, b] = await Promise.all([
    spawnRunner(world.plan('ingest'), { env: world.s3.env }),
    spawnRunner(world.plan('ingest'), { env: world.s3.env }),
  ]);
  assert.equal(a.exitCode, 0, a.stderr);
  assert.equal(b.exitCode, 0, b.stderr);
  const results = [JSON.parse(a.terminationLog) as { rows: number }, JSON.parse(b.terminationLog) as { rows: number }];
  assert.deepEqual(results.map((result) => result.rows).sort((x, y) => x - y), [0, TOTAL], 'one run ingests everything, the other finds nothing new');
  const view = await inspect(world);
  assert.equal(view.rows, TOTAL);
  assert.equal(view.snapshotId, 2);
  assert.equal(view.ledger.length, LANDING_FILES);
});
