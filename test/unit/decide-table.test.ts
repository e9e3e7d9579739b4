import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCondition } from '../../functions/core/conditions.ts';
import { decideTable, type TableObserved } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { appliedStatus, jobsOf, LATER, NOW, observed, readyCatalog, readyOf, result, table, types } from './decide-table-fixture.ts';

describe('decideTable: spec and catalog', () => {
  it('answers an invalid spec with Ready=False InvalidSpec and no Job', () => {
    const decision = decideTable(table({ spec: { columns: [{ name: 'id', type: 'INT' }, { name: 'x', type: 'TEXT' }, { name: 'price', type: 'STRNG' }] } }), observed(), NOW);
    const condition = readyOf(decision.status);
    assert.equal(condition?.status, 'False');
    assert.equal(condition?.reason, 'InvalidSpec');
    assert.match(condition?.message ?? '', /^The spec is invalid: spec\.columns\[2\]\.type: unknown type "STRNG"; .*; got "STRNG"\.$/);
    assert.equal(decision.status.phase, 'Failed');
    assert.deepEqual(types(decision.actions), ['emitEvent:InvalidSpec']);
    const replay = decideTable(table({ spec: { columns: [{ name: 'price', type: 'STRNG' }] }, status: decision.status }), observed(), LATER);
    assert.deepEqual(replay.actions, []);
  });

  it('adds its finalizer and waits for a missing catalog', () => {
    const decision = decideTable(table({ finalizers: [] }), observed([], { catalog: undefined }), NOW);
    assert.deepEqual(types(decision.actions), ['addFinalizer']);
    assert.equal(readyOf(decision.status)?.reason, 'CatalogMissing');
    assert.equal(decision.status.phase, 'Pending');
  });

  const waits: Array<[string, TableObserved['catalog'], string]> = [
    ['a catalog that is not Ready', (() => { const c = readyCatalog(); return { ...c, status: {} }; })(), 'DuckLakeCatalog lake is not Ready yet.'],
    ['a catalog with an invalid spec', 'invalid', 'DuckLakeCatalog lake has an invalid spec; see its Ready condition.'],
    ['a catalog being deleted', readyCatalog({ deletionTimestamp: '2026-11-25T09:00:00Z' }), 'DuckLakeCatalog lake is being deleted.'],
  ];
  for (const [what, catalog, message] of waits) {
    it(`waits for ${what} (CatalogNotReady)`, () => {
      const decision = decideTable(table(), observed([], { catalog }), NOW);
      assert.deepEqual(decision.actions, []);
      assert.deepEqual([readyOf(decision.status)?.reason, readyOf(decision.status)?.message], ['CatalogNotReady', message]);
    });
  }
});

describe('decideTable: applying a generation', () => {
  it('creates one apply-table Job for a new generation, with the same name when the event is replayed', () => {
    const first = decideTable(table({ generation: 3 }), observed(), NOW);
    const replay = decideTable(table({ generation: 3 }), observed(), LATER);
    const [job] = jobsOf(first.actions);
    assert.ok(job);
    assert.match(job.metadata.name, /^fm-apply-table-sales-[0-9a-f]{8}$/);
    assert.equal(jobsOf(replay.actions)[0]?.metadata.name, job.metadata.name);
    assert.equal(findCondition(first.status.conditions, 'Reconciling')?.status, 'True');
    assert.equal(readyOf(first.status)?.reason, 'JobRunning');
    assert.equal(first.status.observedGeneration, 3);
    const next = decideTable(table({ generation: 4 }), observed(), NOW);
    assert.notEqual(jobsOf(next.actions)[0]?.metadata.name, job.metadata.name);
  });

  it('does not loop on its own status write while the Job runs', () => {
    const first = decideTable(table(), observed(), NOW);
    const name = jobsOf(first.actions)[0]?.metadata.name ?? '';
    const second = decideTable(table({ status: first.status }), observed([{ name, op: 'apply-table', state: 'Running' }]), LATER);
    assert.deepEqual(second.actions, []);
    assert.deepEqual(second.status, first.status);
  });

  it('copies the runner result into status when the Job succeeds, once', () => {
    const first = decideTable(table(), observed(), NOW);
    const name = jobsOf(first.actions)[0]?.metadata.name ?? '';
    const done: ObservedJob = { name, op: 'apply-table', state: 'Succeeded', completionTime: '2026-11-25T10:16:00Z', result: result({ op: 'apply-table', snapshotId: 5, table: { rowCount: 0, fileCount: 0, schemaVersion: 2, bytes: 0 } }) };
    const second = decideTable(table({ status: first.status }), observed([done]), LATER);
    assert.deepEqual(types(second.actions), ['createJob', 'emitEvent:Applied'], 'one ingest catches up files that landed before the table existed');
    assert.match(jobsOf(second.actions)[0]?.metadata.name ?? '', /^fm-ingest-sales-/);
    assert.equal(readyOf(second.status)?.status, 'True');
    assert.equal(readyOf(second.status)?.message, 'Table main.sales matches generation 1 at snapshot 5.');
    assert.equal(findCondition(second.status.conditions, 'Reconciling')?.reason, 'Ingesting');
    assert.deepEqual([second.status.lastAppliedSnapshot, second.status.schemaVersion, second.status.rowCount, second.status.lastModified, second.status.phase], [5, 2, 0, '2026-11-25T10:16:00Z', 'Running']);
    const ingest: ObservedJob = { name: jobsOf(second.actions)[0]?.metadata.name ?? '', op: 'ingest', state: 'Pending' };
    const third = decideTable(table({ status: second.status }), observed([done, ingest]), LATER);
    assert.deepEqual(third.actions, []);
    assert.deepEqual(third.status, second.status);
    const afterTtl = decideTable(table({ status: second.status }), observed([]), LATER);
    assert.deepEqual(afterTtl.actions, [], 'no second catch-up once the generation is applied');
    assert.deepEqual([afterTtl.status.lastAppliedSnapshot, readyOf(afterTtl.status)?.status, afterTtl.status.phase], [5, 'True', 'Succeeded']);
  });

  it('puts a failing Job\'s message in the Ready condition', () => {
    const first = decideTable(table(), observed(), NOW);
    const name = jobsOf(first.actions)[0]?.metadata.name ?? '';
    const failed: ObservedJob = { name, op: 'apply-table', state: 'Failed', message: 'Catalog lock was held for 60 s by another writer. (FM_ERR_LOCK_TIMEOUT)' };
    const second = decideTable(table({ status: first.status }), observed([failed]), LATER);
    assert.deepEqual([readyOf(second.status)?.status, readyOf(second.status)?.reason, readyOf(second.status)?.message], ['False', 'JobFailed', 'Catalog lock was held for 60 s by another writer. (FM_ERR_LOCK_TIMEOUT)']);
    assert.deepEqual(types(second.actions), ['emitEvent:JobFailed']);
    assert.equal(second.status.phase, 'Failed');
    const afterTtl = decideTable(table({ status: second.status }), observed([]), LATER);
    assert.deepEqual(afterTtl.actions, [], 'a failed generation is not retried until the spec changes');
  });

  it('refuses a change that would lose data with reason DataLoss and Degraded', () => {
    const name = jobsOf(decideTable(table({ generation: 2 }), observed(), NOW).actions)[0]?.metadata.name ?? '';
    const failed: ObservedJob = { name, op: 'apply-table', state: 'Failed', message: 'narrowing would lose data. (FM_ERR_DATA_LOSS_REFUSED)', result: result({ op: 'apply-table', ok: false, error: { code: 'FM_ERR_DATA_LOSS_REFUSED', message: 'narrowing would lose data' } }) };
    const decision = decideTable(table({ generation: 2 }), observed([failed]), NOW);
    assert.equal(readyOf(decision.status)?.reason, 'DataLoss');
    assert.equal(findCondition(decision.status.conditions, 'Degraded')?.status, 'True');
  });
});

describe('decideTable: ingest', () => {
  it('creates one ingest Job for ten objects in the same minute', () => {
    const status = appliedStatus();
    const names = new Set<string>();
    for (let i = 0; i < 10; i += 1) {
      const at = new Date(Date.parse('2026-11-25T10:20:00Z') + i * 5_000);
      const decision = decideTable(table({ status }), observed([], { ingestRequested: true }), at);
      for (const job of jobsOf(decision.actions)) names.add(job.metadata.name);
    }
    assert.equal(names.size, 1);
    const [name] = [...names];
    assert.match(name ?? '', /^fm-ingest-sales-[0-9a-f]{8}$/);
    const whilePending = decideTable(table({ status }), observed([{ name: name ?? '', op: 'ingest', state: 'Pending' }], { ingestRequested: true }), new Date('2026-11-25T10:20:59Z'));
    assert.deepEqual(jobsOf(whilePending.actions), [], 'a Job that has not started will list the new file');
    const whileRunning = decideTable(table({ status }), observed([{ name: name ?? '', op: 'ingest', state: 'Running' }], { ingestRequested: true }), new Date('2026-11-25T10:20:59Z'));
    const followUps = jobsOf(whileRunning.actions).map((job) => job.metadata.name);
    assert.equal(followUps.length, 1, 'a file that lands after the minute\'s Job started gets a follow-up Job');
    assert.notEqual(followUps[0], name);
    const again = decideTable(table({ status }), observed([
      { name: name ?? '', op: 'ingest', state: 'Running' },
      { name: followUps[0] ?? '', op: 'ingest', state: 'Pending' },
    ], { ingestRequested: true }), new Date('2026-11-25T10:20:59Z'));
    assert.deepEqual(jobsOf(again.actions), []);
    assert.equal(findCondition(whileRunning.status.conditions, 'Reconciling')?.reason, 'Ingesting');
    assert.equal(readyOf(whileRunning.status)?.status, 'True');
    const nextMinute = decideTable(table({ status }), observed([{ name: name ?? '', op: 'ingest', state: 'Running' }], { ingestRequested: true }), new Date('2026-11-25T10:21:01Z'));
    assert.equal(jobsOf(nextMinute.actions).length, 1);
    assert.notEqual(jobsOf(nextMinute.actions)[0]?.metadata.name, name);
  });

  it('gives a file that lands after the follow-up Job started the next Job of the chain, and stops at a pending one', () => {
    const status = appliedStatus();
    const at = new Date('2026-11-25T10:20:55Z');
    const started: ObservedJob[] = [];
    const names: string[] = [];
    for (let step = 0; step < 4; step += 1) {
      const decision = decideTable(table({ status }), observed(started, { ingestRequested: true }), at);
      const created = jobsOf(decision.actions).map((job) => job.metadata.name);
      assert.equal(created.length, 1, `request ${step} after every earlier Job started gets a Job`);
      names.push(created[0] ?? '');
      started.push({ name: created[0] ?? '', op: 'ingest', state: 'Succeeded' });
    }
    assert.equal(new Set(names).size, 4, 'each Job of the chain has its own name');
    const replay = decideTable(table({ status }), observed([...started.slice(0, 2), { name: names[2] ?? '', op: 'ingest', state: 'Pending' }], { ingestRequested: true }), at);
    assert.deepEqual(jobsOf(replay.actions), [], 'a pending Job in the chain will list the file');
  });

  it('does not catch up when the table has no ingest spec', () => {
    const first = decideTable(table({ spec: { ingest: undefined } }), observed(), NOW);
    const name = jobsOf(first.actions)[0]?.metadata.name ?? '';
    const done: ObservedJob = { name, op: 'apply-table', state: 'Succeeded', result: result({ op: 'apply-table', snapshotId: 1 }) };
    assert.deepEqual(types(decideTable(table({ spec: { ingest: undefined }, status: first.status }), observed([done]), NOW).actions), ['emitEvent:Applied']);
  });

  it('does not ingest before the table is applied', () => {
    const decision = decideTable(table(), observed([], { ingestRequested: true }), NOW);
    assert.deepEqual(jobsOf(decision.actions).map((j) => j.metadata.labels?.['featherman.dev/operation']), ['apply-table']);
  });

  it('moves the figures forward with the newest snapshot only', () => {
    const status = appliedStatus();
    const older: ObservedJob = { name: 'fm-ingest-sales-a', op: 'ingest', state: 'Succeeded', completionTime: '2026-11-25T10:21:00Z', result: result({ op: 'ingest', snapshotId: 3, table: { rowCount: 10, fileCount: 1, schemaVersion: 1, bytes: 100 } }) };
    const newer: ObservedJob = { name: 'fm-ingest-sales-b', op: 'ingest', state: 'Succeeded', completionTime: '2026-11-25T10:22:00Z', result: result({ op: 'ingest', snapshotId: 4, table: { rowCount: 25, fileCount: 2, schemaVersion: 1, bytes: 260 } }) };
    const decision = decideTable(table({ status }), observed([newer, older]), LATER);
    assert.deepEqual([decision.status.lastAppliedSnapshot, decision.status.rowCount, decision.status.fileCount, decision.status.bytesWritten, decision.status.lastModified], [4, 25, 2, 260, '2026-11-25T10:22:00Z']);
    const stale = decideTable(table({ status: decision.status }), observed([older]), LATER);
    assert.equal(stale.status.rowCount, 25);
  });

  it('reports a failed ingest as Degraded and keeps the table Ready', () => {
    const status = appliedStatus();
    const failed: ObservedJob = { name: 'fm-ingest-sales-c', op: 'ingest', state: 'Failed', completionTime: '2026-11-25T10:21:00Z', message: 'landing/sales/bad.csv: line 3 has 4 fields, expected 2. (FM_ERR_LANDING_FILE)' };
    const decision = decideTable(table({ status }), observed([failed]), LATER);
    assert.equal(readyOf(decision.status)?.status, 'True');
    assert.deepEqual([findCondition(decision.status.conditions, 'Degraded')?.reason, findCondition(decision.status.conditions, 'Degraded')?.message], ['IngestFailed', failed.message]);
    assert.deepEqual(types(decision.actions), ['emitEvent:IngestFailed']);
    const replay = decideTable(table({ status: decision.status }), observed([failed]), LATER);
    assert.deepEqual(replay.actions, []);
  });

  it('records failed TTL expiry or compaction, keeps it after its Job is gone, and clears it when that operation succeeds again', () => {
    const status = appliedStatus();
    const ttl: ObservedJob = { name: 'fm-expire-rows-sales-a', op: 'expire-rows', state: 'Failed', completionTime: '2026-11-25T10:21:00Z', message: 'Access Denied on s3://lake-data/wh/main/sales/. (FM_ERR_OBJECT_STORE)' };
    const compacted: ObservedJob = { name: 'fm-compact-sales-a', op: 'compact', state: 'Succeeded', completionTime: '2026-11-25T10:22:00Z' };
    const decision = decideTable(table({ status }), observed([ttl, compacted]), LATER);
    assert.equal(readyOf(decision.status)?.status, 'True');
    const degradedNow = findCondition(decision.status.conditions, 'Degraded');
    assert.deepEqual([degradedNow?.status, degradedNow?.reason], ['True', 'MaintenanceFailed']);
    assert.equal(degradedNow?.message, `TTL expiry (Job fm-expire-rows-sales-a) failed at 2026-11-25T10:21:00Z: ${ttl.message}`);
    assert.deepEqual(decision.status.maintenanceFailure, { operation: 'expire-rows', job: ttl.name, failedAt: ttl.completionTime, message: ttl.message });
    assert.deepEqual(types(decision.actions), ['emitEvent:MaintenanceFailed']);
    assert.deepEqual(decideTable(table({ status: decision.status }), observed([ttl, compacted]), LATER).actions, [], 'a replay is silent');
    // The failed Job is deleted an hour after it finished: the record stays.
    const gone = decideTable(table({ status: decision.status }), observed([compacted]), LATER);
    assert.deepEqual([findCondition(gone.status.conditions, 'Degraded')?.reason, gone.status.maintenanceFailure?.job], ['MaintenanceFailed', ttl.name]);
    assert.deepEqual(gone.actions, []);
    const ttlAgain: ObservedJob = { name: 'fm-expire-rows-sales-b', op: 'expire-rows', state: 'Succeeded', completionTime: '2026-11-25T11:21:00Z' };
    const healed = decideTable(table({ status: gone.status }), observed([ttlAgain]), LATER);
    assert.equal(findCondition(healed.status.conditions, 'Degraded')?.status, 'False');
    assert.equal(healed.status.maintenanceFailure, undefined);
  });
});
