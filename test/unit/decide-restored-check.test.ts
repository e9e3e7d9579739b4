import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action, ControlConfig } from '../../functions/core/actions.ts';
import { ready, setConditions } from '../../functions/core/conditions.ts';
import { decideRestoredCheck, MAX_RESTORED_CHECKS, restoredCheckNames } from '../../functions/core/decide-restored-check.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER } from '../../functions/core/names.ts';
import type { DuckLakeCatalog } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import type { Job } from '../../functions/specs/k8s-types.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const NOW = new Date('2026-11-25T12:00:10Z');
const CONFIG: ControlConfig = { image: 'img' };

function catalog(extra: { readyStatus?: boolean; deleting?: boolean } = {}): DuckLakeCatalog {
  const checked = validateCatalog({
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: 1, finalizers: [FINALIZER], ...(extra.deleting ? { deletionTimestamp: '2026-11-25T12:00:00Z' } : {}) },
    spec: { objectStore: { bucket: 'lake-data', prefix: 'wh' } },
    status: { conditions: setConditions(undefined, [ready(extra.readyStatus ?? true, extra.readyStatus === false ? 'JobRunning' : 'Succeeded', 'ok')], NOW, 1) },
  });
  assert.ok(checked.ok);
  return checked.value;
}

function jobsOf(actions: readonly Action[]): Job[] {
  return actions.flatMap((action) => (action.type === 'createJob' ? [action.job] : []));
}

const check = (name: string, state: ObservedJob['state']): ObservedJob => ({ name, op: 'check', state, ...(state !== 'Pending' ? { startTime: '2026-11-25T12:00:05Z' } : {}) });

describe('decideRestoredCheck', () => {
  const lake = catalog();
  const names = restoredCheckNames(lake, NOW);

  it('starts one read-only check Job of the catalog, owned by it, under the first name of the minute', () => {
    const [job, ...more] = jobsOf(decideRestoredCheck(lake, [], CONFIG, NOW));
    assert.ok(job);
    assert.deepEqual(more, []);
    assert.equal(job.metadata.name, names[0]);
    assert.equal(job.metadata.labels?.['featherman.dev/operation'], 'check');
    assert.deepEqual(job.metadata.ownerReferences?.map((owner) => [owner.kind, owner.uid]), [['DuckLakeCatalog', 'cat-uid']]);
    const runner = job.spec.template.spec.containers.find((container) => container.name === 'runner');
    const env = runner?.env as Array<{ name: string; value?: string }> | undefined;
    const plan = JSON.parse(env?.find((item) => item.name === 'FEATHERMAN_PLAN')?.value ?? '{}') as { op?: string; catalog?: { dataPath?: string } };
    assert.deepEqual([plan.op, plan.catalog?.dataPath], ['check', 's3://lake-data/wh/']);
    const mounts = runner?.volumeMounts as Array<{ name: string; readOnly?: boolean }> | undefined;
    assert.ok(mounts?.some((mount) => mount.name === 'catalog' && mount.readOnly === true));
  });

  it('gives deterministic names, distinct per minute and per place in the chain, each at most 63 characters', () => {
    assert.deepEqual(restoredCheckNames(lake, new Date('2026-11-25T12:00:59Z')), names);
    const next = restoredCheckNames(lake, new Date('2026-11-25T12:01:00Z'));
    assert.equal(new Set([...names, ...next]).size, 2 * MAX_RESTORED_CHECKS);
    for (const name of [...names, ...next]) assert.ok(name.length <= 63 && name.startsWith('fm-check-lake-'), name);
  });

  it('starts nothing while any check of the catalog has not started yet: that one will see the object', () => {
    assert.deepEqual(decideRestoredCheck(lake, [check(names[0] ?? '', 'Pending')], CONFIG, NOW), []);
    assert.deepEqual(decideRestoredCheck(lake, [check('fm-check-lake-daily', 'Pending')], CONFIG, NOW), []);
  });

  it('chains the next name when this minute\'s check already started or finished, and stops after the last', () => {
    const second = jobsOf(decideRestoredCheck(lake, [check(names[0] ?? '', 'Running')], CONFIG, NOW));
    assert.deepEqual(second.map((job) => job.metadata.name), [names[1]]);
    const third = jobsOf(decideRestoredCheck(lake, [check(names[0] ?? '', 'Succeeded'), check(names[1] ?? '', 'Failed')], CONFIG, NOW));
    assert.deepEqual(third.map((job) => job.metadata.name), [names[2]]);
    assert.deepEqual(decideRestoredCheck(lake, names.map((name) => check(name, 'Succeeded')), CONFIG, NOW), []);
  });

  it('starts nothing for a catalog that is not Ready, is being deleted, or has an invalid pod template', () => {
    assert.deepEqual(decideRestoredCheck(catalog({ readyStatus: false }), [], CONFIG, NOW), []);
    assert.deepEqual(decideRestoredCheck(catalog({ deleting: true }), [], CONFIG, NOW), []);
    const invalid = { ...CONFIG, podTemplateError: 'ConfigMap analytics/runner key template: must be a JSON object; got "x"' };
    assert.deepEqual(decideRestoredCheck(lake, [], invalid, NOW), []);
  });
});
