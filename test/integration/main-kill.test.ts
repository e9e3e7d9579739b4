import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { acquireCatalogLock } from '../../runner/lock.ts';
import { RunnerResult } from '../../api/result.ts';
import { runRunnerUntil } from '../support/kill.ts';
import { spawnRunner } from '../support/runner.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

test('runRunnerUntil SIGKILLs the runner at a DEBUG phase line and the kernel frees its lock', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const dir = await tempDir(t);
  const plan = {
    op: 'init-catalog' as const,
    catalog: { name: 'lake', path: join(dir, 'lake.ducklake') },
    objectStore: { endpoint: s3.endpoint, bucket: 'lake', forcePathStyle: true },
    lockTimeoutSeconds: 5,
  };
  const run = await runRunnerUntil(plan, s3.env, { killAt: /"phase":"run"/ });
  assert.match(run.killedAt ?? '', /"phase":"run"/);
  assert.equal(run.signal, 'SIGKILL');
  assert.equal(run.exitCode, null);
  assert.equal(run.terminationLog, '', 'a killed runner writes no result');
  assert.ok(run.logs.some((log) => log.phase === 'lock'), 'DEBUG lines were on');
  const lock = await acquireCatalogLock(plan.catalog.path, 'exclusive', 2000);
  lock.release();
});

test('runRunnerUntil with a time kills a runner stuck waiting for the lock', async (t) => {
  const dir = await tempDir(t);
  const catalogPath = join(dir, 'lake.ducklake');
  const held = await acquireCatalogLock(catalogPath, 'exclusive', 1000);
  t.after(() => held.release());
  const plan = {
    op: 'init-catalog' as const,
    catalog: { name: 'lake', path: catalogPath },
    objectStore: { endpoint: 'http://127.0.0.1:9', bucket: 'lake', forcePathStyle: true },
    lockTimeoutSeconds: 60,
  };
  const started = Date.now();
  const run = await runRunnerUntil(plan, {}, { killAt: 3000 });
  assert.equal(run.killedAt, 'timer');
  assert.equal(run.signal, 'SIGKILL');
  assert.ok(Date.now() - started < 15_000);
  assert.ok(!run.logs.some((log) => log.phase === 'run'), 'it never got past the lock');
});

test('SIGTERM makes the runner write an FM_ERR_TERMINATED result and exit 143', async (t) => {
  const dir = await tempDir(t);
  const catalogPath = join(dir, 'lake.ducklake');
  const held = await acquireCatalogLock(catalogPath, 'exclusive', 1000);
  t.after(() => held.release());
  const plan = {
    op: 'init-catalog' as const,
    catalog: { name: 'lake', path: catalogPath },
    objectStore: { endpoint: 'http://127.0.0.1:9', bucket: 'lake', forcePathStyle: true },
    lockTimeoutSeconds: 60,
  };
  const run = await spawnRunner(plan, { env: { LOG_LEVEL: 'debug' }, killAt: /"phase":"lock"/, signal: 'SIGTERM' });
  assert.equal(run.exitCode, 143, run.stderr);
  const result = RunnerResult.parse(JSON.parse(run.terminationLog));
  assert.equal(result.ok, false);
  assert.equal(result.error?.code, 'FM_ERR_TERMINATED');
  assert.match(result.error?.message ?? '', /^operation init-catalog was terminated \(SIGTERM\) after \d+ ms$/);
});
