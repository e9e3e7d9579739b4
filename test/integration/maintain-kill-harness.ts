/**
 * Helpers of the maintenance kill tests: a filled table, a runner child killed at a log
 * line, and the checks that the last committed snapshot, the rows and every referenced
 * object survived.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { PlanInput } from '../../api/plan.ts';
import { runRunnerUntil } from '../support/kill.ts';
import { csvRows, eventsTable, startMaintainWorld, type MaintainWorld } from './maintain-harness.ts';

/** killed runs the plan in runner/main and SIGKILLs it at the first log line matching killAt. */
export async function killed(world: MaintainWorld, input: Record<string, unknown>, killAt: RegExp, now?: Date) {
  const plan = { ...world.common, ...input } as PlanInput;
  const run = await runRunnerUntil(plan, { ...world.s3.env, ...(now ? { FEATHERMAN_NOW: now.toISOString() } : {}) }, { killAt, timeoutMs: 90_000 });
  assert.ok(run.killedAt, `the runner finished before ${String(killAt)}; stderr: ${run.stderr.slice(-2000)}`);
  assert.equal(run.signal, 'SIGKILL');
  return run;
}

/** filled is a world with 4 ingests of 3 rows (ids 1..12, dated 2026-11-02..13). */
export async function filled(t: TestContext): Promise<MaintainWorld> {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  let id = 0;
  for (let batch = 0; batch < 4; batch += 1) {
    const rows: Array<[number, string, string, number]> = [];
    for (let i = 0; i < 3; i += 1) {
      id += 1;
      rows.push([id, `2026-11-${String(1 + id).padStart(2, '0')} 10:00:00`, id % 2 === 0 ? 'EU' : 'US', id]);
    }
    await world.ingestCsv(eventsTable(), `b${batch}.csv`, csvRows(rows));
  }
  return world;
}

/** assertIntact checks the latest snapshot, the rows and that no referenced object is gone. */
export async function assertIntact(world: MaintainWorld, snapshot: number, rows: unknown[]): Promise<void> {
  assert.equal(await world.latestSnapshot(), snapshot, 'the last committed snapshot is still the latest');
  assert.deepEqual(await world.rowsAt('events'), rows);
  const check = await world.runOp({ op: 'check' });
  assert.equal(check.details?.missingCount, 0, 'no referenced object is gone');
  assert.equal(check.details?.sizeMismatchCount, 0);
}
