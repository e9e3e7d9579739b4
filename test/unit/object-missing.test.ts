import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunnerResult } from '../../api/result.ts';
import type { Condition } from '../../api/condition.ts';
import { degraded, findCondition, ready, setCondition, setConditions } from '../../functions/core/conditions.ts';
import { decideTable, type TableObserved } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER } from '../../functions/core/names.ts';
import { clearingCheck, checkFinding, isObjectMissing, MAX_MISSING_URLS, recordMissing } from '../../functions/core/object-missing.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const NOW = new Date('2026-11-25T10:00:00Z');
const ALARM = new Date('2026-11-25T11:00:00Z');
const LATER = new Date('2026-11-25T13:00:00Z');
const DATA = 's3://lake-data/wh/main/sales/';

const catalog = (() => {
  const checked = validateCatalog({
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: 1, finalizers: [FINALIZER] },
    spec: { objectStore: { bucket: 'lake-data', prefix: 'wh' } },
    status: { conditions: setConditions(undefined, [ready(true, 'Succeeded', 'ok')], NOW, 1) },
  });
  assert.ok(checked.ok);
  return checked.value;
})();

function table(status: { conditions?: Condition[] } | undefined, generation = 1) {
  return {
    apiVersion: API, kind: 'DuckLakeTable',
    metadata: { name: 'sales', namespace: 'analytics', uid: 'tab-uid', generation, finalizers: [FINALIZER] },
    spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'BIGINT' }] },
    status,
  };
}

function result(op: string, details?: Record<string, unknown>): RunnerResult {
  return { op, ok: true, snapshotId: 2, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 5, ...(details ? { details } : {}) };
}

function check(name: string, startTime: string, details: Record<string, unknown>): ObservedJob {
  return { name, op: 'check', state: 'Succeeded', startTime, completionTime: startTime, result: result('check', details) };
}

// A table applied at generation 1, then alarmed by the s3-object function as it does it.
function alarmedTable(): { raw: ReturnType<typeof table>; apply: ObservedJob } {
  const first = decideTable(table(undefined), { catalog, jobs: [], config: { image: 'img' } }, NOW);
  const name = first.actions.flatMap((action) => (action.type === 'createJob' ? [action.job.metadata.name] : []))[0] ?? '';
  const apply: ObservedJob = { name, op: 'apply-table', state: 'Succeeded', completionTime: '2026-11-25T10:01:00Z', result: result('apply-table') };
  const applied = decideTable(table(first.status), { catalog, jobs: [apply], config: { image: 'img' } }, NOW);
  assert.equal(findCondition(applied.status.conditions, 'Ready')?.status, 'True');
  const conditions = setCondition(applied.status.conditions, degraded(true, 'ObjectMissing', `Object ${DATA}ducklake-1.parquet was removed.`), ALARM, 1);
  return { raw: table({ ...applied.status, conditions }), apply };
}

const observed = (apply: ObservedJob, checks?: ObservedJob[]): TableObserved => ({ catalog, jobs: [apply], config: { image: 'img' }, ...(checks ? { checks } : {}) });

describe('Degraded=ObjectMissing on a table', () => {
  it('survives every reconcile of the table (replays, a new generation) without a consistency check', () => {
    const { raw, apply } = alarmedTable();
    const again = decideTable(raw, observed(apply), LATER);
    assert.ok(isObjectMissing(again.status.conditions));
    assert.deepEqual(again.status.conditions, raw.status?.conditions, 'a replay writes nothing');
    const alarm = findCondition(raw.status?.conditions, 'Degraded');
    const next = decideTable(table(raw.status, 2), observed(apply), LATER);
    const kept = findCondition(next.status.conditions, 'Degraded');
    assert.deepEqual([kept?.status, kept?.reason, kept?.message, kept?.lastTransitionTime, kept?.observedGeneration], ['True', 'ObjectMissing', alarm?.message, alarm?.lastTransitionTime, 2]);
    assert.equal(findCondition(next.status.conditions, 'Ready')?.reason, 'JobRunning');
  });

  it('survives a check that started before the alarm, or that still lists one of the table\'s objects', () => {
    const { raw, apply } = alarmedTable();
    const early = check('fm-check-early', '2026-11-25T10:59:59Z', { healthy: true, missing: [], missingCount: 0 });
    const listing = check('fm-check-listing', '2026-11-25T12:00:00Z', { healthy: false, missing: [`${DATA}ducklake-1.parquet`], missingCount: 1 });
    const capped = check('fm-check-capped', '2026-11-25T12:00:00Z', { healthy: false, missing: ['s3://lake-data/wh/main/other/x.parquet'], missingCount: 40 });
    for (const checks of [[early], [listing], [capped]]) assert.ok(isObjectMissing(decideTable(raw, observed(apply, checks), LATER).status.conditions), checks[0]?.name);
  });

  it('is cleared by a later healthy check, or one whose full list names none of the table\'s objects, with one Normal Event', () => {
    const { raw, apply } = alarmedTable();
    const healthy = check('fm-check-healthy', '2026-11-25T12:00:00Z', { healthy: true, missing: [], missingCount: 0 });
    const elsewhere = check('fm-check-elsewhere', '2026-11-25T12:00:00Z', { healthy: false, missing: ['s3://lake-data/wh/main/other/x.parquet'], missingCount: 1 });
    for (const found of [healthy, elsewhere]) {
      const decision = decideTable(raw, observed(apply, [found]), LATER);
      const after = findCondition(decision.status.conditions, 'Degraded');
      assert.deepEqual([after?.status, after?.reason], ['False', 'AsExpected'], found.name);
      const events = decision.actions.flatMap((action) => (action.type === 'emitEvent' ? [action.event] : []));
      assert.deepEqual(events.map((event) => [event.type, event.reason]), [['Normal', 'ObjectsPresent']]);
      assert.match(String(events[0]?.message), new RegExp(found.name));
      const replay = decideTable(table(decision.status), observed(apply, [found]), LATER);
      assert.deepEqual(replay.actions, [], 'the all-clear is told once');
    }
  });

  it('clearingCheck takes the newest check after the alarm; a failed or detail-less check never clears', () => {
    const alarm: Condition = { type: 'Degraded', status: 'True', reason: 'ObjectMissing', message: 'gone', lastTransitionTime: '2026-11-25T11:00:00Z', observedGeneration: 1 };
    const good = check('fm-check-a', '2026-11-25T12:00:00Z', { healthy: true, missing: [], missingCount: 0 });
    const bad = check('fm-check-b', '2026-11-25T12:30:00Z', { healthy: false, missing: [`${DATA}p.parquet`], missingCount: 1 });
    assert.equal(clearingCheck(alarm, [good, bad], DATA), undefined, 'the newer check still finds the object missing');
    assert.equal(clearingCheck(alarm, [bad, { ...good, startTime: '2026-11-25T13:00:00Z' }], DATA)?.job, 'fm-check-a');
    assert.equal(checkFinding({ ...good, state: 'Failed' }), undefined);
    assert.equal(checkFinding({ ...good, result: result('check') }), undefined);
    assert.equal(checkFinding({ ...good, op: 'compact' }), undefined);
  });

  it('stays when two objects were removed and only one came back: the check after the restore lists the other', () => {
    const { raw, apply } = alarmedTable();
    const both = recordMissing(recordMissing(raw.status ?? {}, [`${DATA}ducklake-1.parquet`], 'main.sales', ALARM, 1), [`${DATA}ducklake-2.parquet`], 'main.sales', new Date('2026-11-25T11:30:00Z'), 1);
    const alarmed = table(both);
    const oneBack = check('fm-check-one-back', '2026-11-25T12:00:00Z', { healthy: false, missing: [`${DATA}ducklake-2.parquet`], missingCount: 1 });
    const kept = decideTable(alarmed, observed(apply, [oneBack]), LATER);
    assert.ok(isObjectMissing(kept.status.conditions));
    assert.deepEqual(kept.status.missingObjects, both.missingObjects, 'the list stays with the alarm');
    assert.deepEqual(kept.actions.filter((action) => action.type === 'emitEvent'), []);
    const bothBack = check('fm-check-both-back', '2026-11-25T12:10:00Z', { healthy: true, missing: [], missingCount: 0 });
    const cleared = decideTable(alarmed, observed(apply, [oneBack, bothBack]), LATER);
    assert.equal(findCondition(cleared.status.conditions, 'Degraded')?.status, 'False');
    assert.equal(cleared.status.missingObjects, undefined, 'the list goes with the alarm');
  });

  it('recordMissing keeps the first removal\'s transition time, lists every URL once, newest last, and notes the last report', () => {
    const first = recordMissing({}, [`${DATA}a.parquet`], 'main.sales', ALARM, 1);
    assert.equal(findCondition(first.conditions, 'Degraded')?.message, `Object ${DATA}a.parquet under the data path of table main.sales was removed from the bucket; run a check or restore it.`);
    const second = recordMissing(first, [`${DATA}b.parquet`, `${DATA}a.parquet`], 'main.sales', LATER, 1);
    const alarm = findCondition(second.conditions, 'Degraded');
    assert.equal(alarm?.lastTransitionTime, '2026-11-25T11:00:00Z');
    assert.equal(alarm?.message, `Object ${DATA}b.parquet and 1 more under the data path of table main.sales were removed from the bucket; run a check or restore them.`);
    assert.deepEqual(second.missingObjects, { lastReported: '2026-11-25T13:00:00Z', urls: [`${DATA}b.parquet`, `${DATA}a.parquet`] });
    const many = recordMissing(second, Array.from({ length: 30 }, (_, index) => `${DATA}m${index}.parquet`), 'main.sales', LATER, 1);
    assert.equal(many.missingObjects?.urls.length, MAX_MISSING_URLS);
    assert.equal(many.missingObjects?.urls.at(-1), `${DATA}m29.parquet`);
    const fresh = recordMissing({ conditions: setCondition(second.conditions, degraded(false), LATER, 1), missingObjects: second.missingObjects }, [`${DATA}c.parquet`], 'main.sales', LATER, 1);
    assert.deepEqual(fresh.missingObjects?.urls, [`${DATA}c.parquet`], 'a new alarm starts a new list');
  });

  it('is not cleared by a check that was already running when a second object was removed', () => {
    const { raw, apply } = alarmedTable();
    const one = recordMissing(raw.status ?? {}, [`${DATA}ducklake-1.parquet`], 'main.sales', ALARM, 1);
    const alarmed = table(recordMissing(one, [`${DATA}ducklake-2.parquet`], 'main.sales', new Date('2026-11-25T12:05:00Z'), 1));
    // Started after the first removal, before the second: it may have passed the second object already.
    const running = check('fm-check-running', '2026-11-25T12:00:00Z', { healthy: true, missing: [], missingCount: 0 });
    assert.ok(isObjectMissing(decideTable(alarmed, observed(apply, [running]), LATER).status.conditions));
    const later = check('fm-check-later', '2026-11-25T12:06:00Z', { healthy: true, missing: [], missingCount: 0 });
    assert.equal(findCondition(decideTable(alarmed, observed(apply, [running, later]), LATER).status.conditions, 'Degraded')?.status, 'False');
  });
});
