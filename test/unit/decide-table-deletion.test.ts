import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, ControlConfig } from '../../functions/core/actions.ts';
import { findCondition, ready, setConditions } from '../../functions/core/conditions.ts';
import { DROP_TEMPLATE_GRACE_SECONDS } from '../../functions/core/decide-table-deletion.ts';
import { decideTable, type TableObserved } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER } from '../../functions/core/names.ts';
import type { DuckLakeCatalog } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const DELETED = '2026-11-25T10:00:00Z';
const SOON = new Date('2026-11-25T10:05:00Z');
const DEADLINE = new Date(Date.parse(DELETED) + DROP_TEMPLATE_GRACE_SECONDS * 1000);
const TEMPLATE_ERROR = 'The runner pod template ConfigMap analytics/runner-pod (spec.podTemplate.configMapRef), key "template": spec.containers[0].name: is required.';
const BROKEN: ControlConfig = { image: 'img', podTemplateError: TEMPLATE_ERROR };

const catalog = ((): DuckLakeCatalog => {
  const checked = validateCatalog({
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: 1, finalizers: [FINALIZER] },
    spec: { objectStore: { bucket: 'lake-data', prefix: 'wh' }, podTemplate: { configMapRef: { name: 'runner-pod' } } },
    status: { conditions: setConditions(undefined, [ready(true, 'Succeeded', 'ok')], SOON, 1) },
  });
  assert.ok(checked.ok);
  return checked.value;
})();

function deletingTable(status?: unknown) {
  return {
    apiVersion: API, kind: 'DuckLakeTable',
    metadata: { name: 'sales', namespace: 'analytics', uid: 'tab-uid', generation: 1, finalizers: [FINALIZER], deletionTimestamp: DELETED },
    spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'BIGINT' }], deletionPolicy: 'Delete' },
    ...(status !== undefined ? { status } : {}),
  };
}

const observed = (config: ControlConfig, jobs: ObservedJob[] = []): TableObserved => ({ catalog, jobs, config });
const types = (actions: Action[]) => actions.map((action) => (action.type === 'emitEvent' ? `emitEvent:${action.event.type}:${action.event.reason}` : action.type));
const readyOf = (status: { conditions?: Parameters<typeof findCondition>[0] }) => findCondition(status.conditions, 'Ready');

describe('decideTable: deleting a table whose catalog has an unusable runner pod template', () => {
  it('starts no drop Job, says why and until when in Ready=False InvalidPodTemplate, with one Warning Event', () => {
    const decision = decideTable(deletingTable(), observed(BROKEN), SOON);
    assert.deepEqual(types(decision.actions), ['emitEvent:Warning:InvalidPodTemplate']);
    const condition = readyOf(decision.status);
    assert.deepEqual([condition?.status, condition?.reason], ['False', 'InvalidPodTemplate']);
    assert.equal(condition?.message, `${TEMPLATE_ERROR} Table main.sales is not dropped until it is fixed; at 2026-11-25T11:00:00Z it is let go without a drop (data retained), or remove the finalizer to let it go now.`);
    const replay = decideTable(deletingTable(decision.status), observed(BROKEN), new Date(SOON.getTime() + 60_000));
    assert.deepEqual(replay.actions, [], 'a replay is silent');
    assert.deepEqual(replay.status, decision.status);
  });

  it('drops the table with a Job once the template is fixed', () => {
    const waiting = decideTable(deletingTable(), observed(BROKEN), SOON);
    const fixed = decideTable(deletingTable(waiting.status), observed({ image: 'img' }), SOON);
    assert.deepEqual(types(fixed.actions), ['createJob', 'emitEvent:Normal:Deleting']);
    assert.equal(readyOf(fixed.status)?.reason, 'Deleting');
  });

  it('lets the table go without a drop at the deadline: no Job, no object deleted even with deletionPolicy Delete', () => {
    const waiting = decideTable(deletingTable(), observed(BROKEN), SOON);
    const before = decideTable(deletingTable(waiting.status), observed(BROKEN), new Date(DEADLINE.getTime() - 1000));
    assert.deepEqual(before.actions, []);
    const at = decideTable(deletingTable(waiting.status), observed(BROKEN), DEADLINE);
    assert.deepEqual(types(at.actions), ['emitEvent:Warning:Deleting', 'removeFinalizer']);
    const event = at.actions.find((action) => action.type === 'emitEvent');
    assert.ok(event?.type === 'emitEvent');
    assert.match(event.event.message, /^Table main\.sales was not dropped because the runner pod template of catalog lake stayed unusable for 60 minutes; its data is retained\. The runner pod template ConfigMap/);
  });

  it('follows a drop Job that already exists: the template only stops a new one', () => {
    const name = (decideTable(deletingTable(), observed({ image: 'img' }), SOON).actions.find((action) => action.type === 'createJob') as { job: { metadata: { name: string } } } | undefined)?.job.metadata.name ?? '';
    assert.match(name, /^fm-drop-table-sales-/);
    const running = decideTable(deletingTable(), observed(BROKEN, [{ name, op: 'drop-table', state: 'Running' }]), DEADLINE);
    assert.deepEqual(types(running.actions), ['emitEvent:Normal:Deleting']);
    assert.equal(readyOf(running.status)?.reason, 'Deleting');
    const done = decideTable(deletingTable(), observed(BROKEN, [{ name, op: 'drop-table', state: 'Succeeded' }]), DEADLINE);
    assert.deepEqual(types(done.actions), ['deleteObjects', 'emitEvent:Normal:Deleted', 'removeFinalizer']);
  });
});
