import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KubeAdapter } from '../../functions/adapters/kube.ts';
import { ADAPTER_PERMISSIONS, permissionsOf } from '../../functions/adapters/permissions.ts';
import {
  apiServerEvent, catalogSpec, condition, createResource, featherJobs, finishJob, readResource, runnerResult, sendEvent, startFunctionsWorld, tableSpec,
  type FunctionsWorld,
} from './functions-harness.ts';

describe('reconcile functions over HTTP against the local API server', () => {
  let world: FunctionsWorld;
  before(async () => {
    world = await startFunctionsWorld();
  });
  after(async () => {
    await world.close();
  });

  it('a table created before its catalog waits with CatalogMissing and creates no Job', async () => {
    const table = await createResource(world, 'DuckLakeTable', 'early', tableSpec('lake', 'early'));
    const answer = await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const fresh = await readResource(world, 'DuckLakeTable', 'early');
    assert.equal(condition(fresh, 'Ready')?.reason, 'CatalogMissing');
    assert.equal(fresh.status.phase, 'Pending');
    assert.deepEqual(fresh.metadata.finalizers, ['ducklake.featherman.dev/finalizer']);
    assert.equal((await featherJobs(world)).length, 0);
  });

  it('a catalog add (Reference mode, binary) creates the PVC, one init Job, the finalizer and JobRunning; duplicates and a structured replay add nothing', async () => {
    const catalog = await createResource(world, 'DuckLakeCatalog', 'lake', catalogSpec());
    const event = apiServerEvent(catalog, 'add');
    const first = await sendEvent(world, '/reconcile-catalog', event);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.jobsCreated.length, 1);
    const again = await Promise.all([sendEvent(world, '/reconcile-catalog', event), sendEvent(world, '/reconcile-catalog', event, 'structured')]);
    for (const answer of again) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const jobs = await featherJobs(world);
    assert.deepEqual(jobs.map((job) => job.metadata.labels?.['featherman.dev/operation']), ['init-catalog']);
    const pvc = await world.core.readNamespacedPersistentVolumeClaim({ namespace: 'default', name: 'fm-catalog-lake' });
    assert.equal(pvc.spec?.resources?.requests?.storage, '1Gi');
    const fresh = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.equal(condition(fresh, 'Ready')?.reason, 'JobRunning');
    assert.equal(fresh.status.observedGeneration, 1);
    assert.deepEqual(fresh.metadata.finalizers, ['ducklake.featherman.dev/finalizer']);
  });

  it('our own status write coming back as an update (Resource mode) is acknowledged without work', async () => {
    const catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    const rv = catalog.metadata.resourceVersion;
    const answer = await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'update', 'Resource'), 'structured');
    assert.equal(answer.status, 200);
    assert.equal(answer.body.result, 'current');
    assert.equal((await readResource(world, 'DuckLakeCatalog', 'lake')).metadata.resourceVersion, rv);
  });

  it('job-finished copies the init result into the catalog status and wakes the waiting table, which starts one apply Job', async () => {
    const [init] = await featherJobs(world);
    assert.ok(init);
    await finishJob(world, init, runnerResult({ op: 'init-catalog', snapshotId: 1, details: { dataPath: 's3://lake/data/' } }));
    const job = await world.batch.readNamespacedJob({ namespace: 'default', name: init.metadata.name });
    const answer = await sendEvent(world, '/job-finished', apiServerEvent(job as never, 'update'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.woken, ['DuckLakeTable/early']);
    const catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.equal(condition(catalog, 'Ready')?.status, 'True');
    assert.equal(catalog.status.snapshotId, 1);
    assert.equal(catalog.status.phase, 'Succeeded');
    const table = await readResource(world, 'DuckLakeTable', 'early');
    assert.equal(condition(table, 'Ready')?.reason, 'JobRunning');
    const ops = (await featherJobs(world)).map((item) => item.metadata.labels?.['featherman.dev/operation']).sort();
    assert.deepEqual(ops, ['apply-table', 'init-catalog']);
  });

  it('job-finished writes the apply result (rows, files, bytes, snapshot) into the table status', async () => {
    const apply = (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/operation'] === 'apply-table');
    assert.ok(apply);
    await finishJob(world, apply, runnerResult({ op: 'apply-table', snapshotId: 2, table: { rowCount: 0, fileCount: 0, schemaVersion: 1, bytes: 0 } }));
    const answer = await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: apply.metadata }, 'update'), 'structured');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const table = await readResource(world, 'DuckLakeTable', 'early');
    assert.equal(condition(table, 'Ready')?.status, 'True');
    assert.equal(condition(table, 'Ready')?.reason, 'Applied');
    assert.equal(table.status.lastAppliedSnapshot, 2);
    assert.equal(table.status.schemaVersion, 1);
    const events = await world.core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(events.items.some((event) => event.reason === 'Applied' && event.involvedObject.name === 'early'));
  });

  it('a spec change (new generation) arriving as an update starts a new apply Job; the echo of our status write does not', async () => {
    const table = await readResource(world, 'DuckLakeTable', 'early');
    const spec = { ...table.spec, columns: [...table.spec.columns, { name: 'note', type: 'VARCHAR' }] };
    const updated = (await world.custom.replaceNamespacedCustomObject({ group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default', plural: 'ducklaketables', name: 'early', body: { ...table, spec } })) as typeof table;
    assert.equal(updated.metadata.generation, 2);
    const answer = await sendEvent(world, '/reconcile-table', apiServerEvent(updated, 'update', 'Resource'));
    assert.equal(answer.body.result, 'reconciled');
    assert.equal(answer.body.jobsCreated.length, 1);
    const fresh = await readResource(world, 'DuckLakeTable', 'early');
    assert.deepEqual([fresh.status.observedGeneration, condition(fresh, 'Ready')?.reason], [2, 'JobRunning']);
    const echo = await sendEvent(world, '/reconcile-table', apiServerEvent(fresh, 'update', 'Resource'));
    assert.equal(echo.body.result, 'current');
    const applies = (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/table'] === 'early' && job.metadata.labels['featherman.dev/operation'] === 'apply-table');
    assert.deepEqual(applies.map((job) => job.metadata.labels?.['featherman.dev/generation']).sort(), ['1', '2']);
  });

  it('a failed Job puts the runner error into Ready=False JobFailed', async () => {
    const table = await createResource(world, 'DuckLakeTable', 'broken', tableSpec('lake', 'broken'));
    await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add', 'Resource'));
    const apply = (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/table'] === 'broken');
    assert.ok(apply);
    await finishJob(world, apply, runnerResult({ op: 'apply-table', ok: false, error: { code: 'FM_ERR_S3', message: 'bucket lake is not reachable' } }), false);
    const answer = await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: apply.metadata }, 'update'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const fresh = await readResource(world, 'DuckLakeTable', 'broken');
    assert.equal(condition(fresh, 'Ready')?.reason, 'JobFailed');
    assert.match(String(condition(fresh, 'Ready')?.message), /bucket lake is not reachable\. \(FM_ERR_S3\)/);
  });

  it('an invalid manifest gets Ready=False InvalidSpec with the sentence and no Job', async () => {
    const before = (await featherJobs(world)).length;
    const catalog = await createResource(world, 'DuckLakeCatalog', 'bad.name', catalogSpec());
    const answer = await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'add'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const fresh = await readResource(world, 'DuckLakeCatalog', 'bad.name');
    const ready = condition(fresh, 'Ready');
    assert.equal(ready?.reason, 'InvalidSpec');
    assert.match(String(ready?.message), /metadata\.name: must be a DNS label .*; got "bad\.name"/);
    assert.equal(fresh.status.phase, 'Failed');
    assert.equal((await featherJobs(world)).length, before);
  });

  it('reordered events (an update before its add, a delete of a missing object) are harmless', async () => {
    const before = (await featherJobs(world)).length;
    const table = await createResource(world, 'DuckLakeTable', 'late', tableSpec('lake', 'late'));
    const update = await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'update'));
    const add = await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    const gone = await sendEvent(world, '/reconcile-table', apiServerEvent({ ...table, metadata: { ...table.metadata, name: 'never' } }, 'delete'));
    assert.deepEqual([update.status, add.status, gone.status, gone.body.result], [200, 200, 200, 'missing']);
    assert.equal((await featherJobs(world)).length, before + 1);
  });

  it('answers 400 to a malformed CloudEvent and to an event without an object, touching nothing', async () => {
    const response = await fetch(`${world.url}/reconcile-table`, { method: 'POST', headers: { 'content-type': 'application/json', 'ce-specversion': '1.0' }, body: '{}' });
    assert.equal(response.status, 400);
    assert.match(String(((await response.json()) as { error: string }).error), /not a valid CloudEvent/);
    const event = apiServerEvent({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeTable', metadata: { name: 'x', namespace: 'default' } }, 'add').cloneWith({ data: 'nothing' });
    const answer = await sendEvent(world, '/reconcile-table', event);
    assert.equal(answer.status, 400);
  });
});

describe('ADAPTER_PERMISSIONS', () => {
  it('lists every API-calling method of KubeAdapter, so Roles derived from it cover what the functions do', () => {
    const methods = Object.getOwnPropertyNames(KubeAdapter.prototype).filter((name) => name !== 'constructor' && !name.startsWith('update')).sort();
    assert.deepEqual(Object.keys(ADAPTER_PERMISSIONS).sort(), methods);
    const rules = permissionsOf().map((rule) => `${rule.group}/${rule.resource}:${rule.verb}`);
    assert.ok(rules.includes('batch/jobs:create') && rules.includes('ducklake.featherman.dev/ducklaketables/status:update') && rules.includes('/pods:list'));
    assert.equal(new Set(rules).size, rules.length);
  });
});
