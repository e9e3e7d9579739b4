import assert from 'node:assert/strict';
import { test } from 'node:test';
import { spawnRunner } from '../support/runner.ts';
import { csvRows, eventsTable, startMaintainWorld } from './maintain-harness.ts';

test('the query operation agrees with the catalog at every snapshot through TTL, compaction and snapshot expiry', async (t) => {
  const world = await startMaintainWorld(t);
  await world.applyTable(eventsTable());
  let id = 0;
  for (let batch = 0; batch < 4; batch += 1) {
    const rows: Array<[number, string, string, number]> = [];
    for (let i = 0; i < 5; i += 1) {
      id += 1;
      rows.push([id, `2026-11-${String(id).padStart(2, '0')} 12:00:00`, ['EU', 'US', 'APAC'][id % 3] ?? 'EU', id / 2]);
    }
    await world.ingestCsv(eventsTable(), `b${batch}.csv`, csvRows(rows));
  }
  const first = await world.latestSnapshot() - 3;
  await world.runOp({ op: 'expire-rows', table: { name: 'events', ttlDays: 30, ttlColumn: 'ts' } }, { now: () => new Date('2026-12-08T00:00:00Z') });
  await world.runOp({ op: 'compact', table: { name: 'events' }, minSmallFiles: 2 });
  const last = await world.latestSnapshot();
  const expected = new Map<number, { n: number; s: number }>();
  for (let snapshot = first; snapshot <= last; snapshot += 1) {
    const rows = await world.rowsAt('events', snapshot);
    expected.set(snapshot, { n: rows.length, s: rows.reduce((sum, row) => sum + Number(row.id), 0) });
    const out = await world.runOp({ op: 'query', sql: 'SELECT count(*) AS n, coalesce(sum(id), 0) AS s FROM events', snapshot: { id: snapshot } });
    const line = JSON.parse(String(out.query?.preview).split('\n')[0] ?? '{}') as { n: string | number; s: string | number };
    assert.deepEqual({ n: Number(line.n), s: Number(line.s) }, expected.get(snapshot), `snapshot ${snapshot}`);
  }
  assert.deepEqual(expected.get(last), { n: 13, s: [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].reduce((a, b) => a + b, 0) });
  assert.equal(expected.get(last - 2)?.n, 20);

  // Through runner/main as a Job runs it: expire history, then the latest still answers the same.
  const now = new Date(Date.now() + 10 * 86_400_000).toISOString();
  const run = await spawnRunner({ ...world.common, op: 'expire-snapshots', olderThanDays: 1 } as never, { env: { ...world.s3.env, FEATHERMAN_NOW: now } });
  assert.equal(run.exitCode, 0, run.stderr.slice(-2000));
  const result = JSON.parse(run.terminationLog) as { ok: boolean; op: string; details: { expiredCount: number } };
  assert.equal(result.ok, true);
  assert.equal(result.op, 'expire-snapshots');
  assert.ok(result.details.expiredCount > 0);
  const out = await world.runOp({ op: 'query', sql: 'SELECT count(*) AS n FROM events' });
  assert.equal(Number((JSON.parse(String(out.query?.preview).split('\n')[0] ?? '{}') as { n: string }).n), 13);
});
