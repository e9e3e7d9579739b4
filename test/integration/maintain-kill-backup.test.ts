import assert from 'node:assert/strict';
import { readFile, rm, stat } from 'node:fs/promises';
import { test } from 'node:test';
import { assertIntact, filled, killed } from './maintain-kill-harness.ts';

test('killed backup leaves the live catalog byte-identical', async (t) => {
  const world = await filled(t);
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  const before = await readFile(world.catalogPath);
  await killed(world, { op: 'backup' }, /CHECKPOINT/);
  assert.deepEqual(await readFile(world.catalogPath), before);
  await assertIntact(world, snapshot, rows);
});

test('killed restore never leaves a half-written catalog in place, and a rerun restores it', async (t) => {
  const world = await filled(t);
  const snapshot = await world.latestSnapshot();
  const rows = await world.rowsAt('events');
  await world.runOp({ op: 'backup' });
  await rm(world.catalogPath);
  await rm(`${world.catalogPath}.wal`, { force: true });
  await killed(world, { op: 'restore' }, /ducklake_metadata/);
  await assert.rejects(stat(world.catalogPath), /ENOENT/);
  const restored = await world.runOp({ op: 'restore' });
  assert.equal(restored.snapshotId, snapshot);
  await assertIntact(world, snapshot, rows);
});
