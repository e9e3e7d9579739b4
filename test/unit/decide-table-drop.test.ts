import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideTable } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { jobsOf, NOW, observed, readyOf, result, table, types } from './decide-table-fixture.ts';

describe('decideTable: deletion', () => {
  const dropName = (generation = 1) => jobsOf(decideTable(table({ deleting: true, generation }), observed(), NOW).actions)[0]?.metadata.name ?? '';

  it('drops the table with a Job, then removes the finalizer (Retain keeps the objects)', () => {
    const first = decideTable(table({ deleting: true }), observed(), NOW);
    const [job] = jobsOf(first.actions);
    assert.match(job?.metadata.name ?? '', /^fm-drop-table-sales-/);
    assert.equal(JSON.parse(String((job?.spec.template.spec.containers[0]?.env as Array<{ value?: string }>)[0]?.value)).drop, true);
    assert.equal(readyOf(first.status)?.reason, 'Deleting');
    const running = decideTable(table({ deleting: true, status: first.status }), observed([{ name: dropName(), op: 'drop-table', state: 'Running' }]), NOW);
    assert.deepEqual(running.actions, []);
    const done = decideTable(table({ deleting: true, status: first.status }), observed([{ name: dropName(), op: 'drop-table', state: 'Succeeded' }]), NOW);
    assert.deepEqual(types(done.actions), ['emitEvent:Deleted', 'removeFinalizer']);
  });

  it('deletes the table\'s objects with deletionPolicy Delete', () => {
    const done = decideTable(table({ deleting: true, spec: { deletionPolicy: 'Delete' } }), observed([{ name: dropName(), op: 'drop-table', state: 'Succeeded' }]), NOW);
    assert.deepEqual(types(done.actions), ['deleteObjects', 'emitEvent:Deleted', 'removeFinalizer']);
    const [action] = done.actions;
    assert.ok(action?.type === 'deleteObjects');
    assert.deepEqual([action.bucket, action.prefix, action.objectStore.credentialsSecret?.name], ['lake-data', 'wh/main/sales/', 'creds']);
  });

  it('treats a table already gone as dropped', () => {
    const gone: ObservedJob = { name: dropName(), op: 'drop-table', state: 'Failed', message: 'x', result: result({ op: 'apply-table', ok: false, error: { code: 'FM_ERR_TABLE_MISSING', message: 'no table' } }) };
    assert.deepEqual(types(decideTable(table({ deleting: true }), observed([gone]), NOW).actions), ['emitEvent:Deleted', 'removeFinalizer']);
  });

  it('keeps the finalizer when the drop fails, saying why', () => {
    const failed: ObservedJob = { name: dropName(), op: 'drop-table', state: 'Failed', message: 'Catalog lock timed out. (FM_ERR_LOCK_TIMEOUT)' };
    const decision = decideTable(table({ deleting: true }), observed([failed]), NOW);
    assert.deepEqual(types(decision.actions), ['emitEvent:DeleteFailed']);
    assert.match(readyOf(decision.status)?.message ?? '', /^Catalog lock timed out\. \(FM_ERR_LOCK_TIMEOUT\) Table main\.sales keeps its finalizer/);
  });

  it('lets go when the catalog is gone, and does nothing without its finalizer', () => {
    assert.deepEqual(types(decideTable(table({ deleting: true }), observed([], { catalog: undefined }), NOW).actions), ['emitEvent:Deleting', 'removeFinalizer']);
    assert.deepEqual(decideTable(table({ deleting: true, finalizers: [] }), observed(), NOW).actions, []);
  });

  it('removes the finalizer of an invalid table being deleted', () => {
    const decision = decideTable(table({ deleting: true, spec: { columns: [] } }), observed(), NOW);
    assert.deepEqual(types(decision.actions), ['emitEvent:InvalidSpec', 'removeFinalizer']);
  });
});
