import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { runRunnerUntil } from '../support/kill.ts';
import { spawnRunner } from '../support/runner.ts';
import { inspect, LANDING_FILES, setUp, TOTAL, type CrashWorld } from './ingest-harness.ts';

async function objectKeys(world: CrashWorld, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const info of world.s3.store.list(prefix)) out.push(info.key);
  return out;
}

async function crashAndRecover(t: TestContext, killAt: RegExp, expect: { committed: 'no' | 'maybe'; orphans?: boolean }): Promise<void> {
  const world = await setUp(t);
  const killed = await runRunnerUntil(world.plan('ingest'), world.s3.env, { killAt, timeoutMs: 90_000 });
  assert.ok(killed.killedAt, `the runner was killed at ${killAt} (it finished first otherwise)`);
  assert.equal(killed.signal, 'SIGKILL');

  const after = await inspect(world);
  if (expect.committed === 'no') assert.equal(after.snapshotId, 1, 'still at the table-creation snapshot');
  assert.ok(after.snapshotId === 1 || after.snapshotId === 2, `at a committed snapshot: ${after.snapshotId}`);
  assert.ok(after.rows === 0 || after.rows === TOTAL, `all or nothing: ${after.rows} rows`);
  assert.equal(after.ledger.length, after.rows === 0 ? 0 : LANDING_FILES, 'the ledger commits with the files');
  const objects = new Set(await objectKeys(world, 'main/events/'));
  for (const path of after.paths) assert.ok(objects.has(`main/events/${path}`), `referenced object ${path} exists`);
  const orphansAfterKill = [...objects].filter((key) => !after.paths.includes(key.slice('main/events/'.length)));
  if (expect.orphans) assert.ok(orphansAfterKill.length > 0, 'the kill came after at least one upload');
  if (expect.committed === 'no') assert.deepEqual(after.paths, [], 'nothing referenced before the commit');

  const rerun = await spawnRunner(world.plan('ingest'), { env: world.s3.env });
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  const final = await inspect(world);
  assert.equal(final.rows, TOTAL, 'rows never doubled or lost after the re-run');
  assert.deepEqual(final.ledger, ['landing/crash/part-0.csv', 'landing/crash/part-1.csv', 'landing/crash/part-2.csv']);
  const finalObjects = new Set(await objectKeys(world, 'main/events/'));
  for (const path of final.paths) assert.ok(finalObjects.has(`main/events/${path}`), `referenced object ${path} exists`);
  for (const orphan of orphansAfterKill) {
    assert.ok(!final.paths.includes(orphan.slice('main/events/'.length)), `uploaded-but-uncommitted ${orphan} is not referenced by the catalog`);
  }
}

test('SIGKILL before the uploads leaves the catalog untouched; a re-run ingests every row once', async (t) => {
  await crashAndRecover(t, /"phase":"write"/, { committed: 'no' });
});

test('SIGKILL during the uploads leaves orphans only; a re-run ingests every row once', async (t) => {
  await crashAndRecover(t, /"msg":"uploaded"/, { committed: 'no', orphans: true });
});

test('SIGKILL after the uploads, at the commit, is all or nothing; a re-run ingests every row once', async (t) => {
  await crashAndRecover(t, /"phase":"commit"/, { committed: 'maybe', orphans: true });
});

test('SIGKILL inside the commit transaction is all or nothing; a re-run ingests every row once', async (t) => {
  await crashAndRecover(t, /INSERT INTO ducklake_file_column_stats/, { committed: 'maybe', orphans: true });
});
