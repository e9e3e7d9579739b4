import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ApiException, BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1OwnerReference } from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const group = 'test.featherman.dev';
const version = 'v1';
const plural = 'widgets';
const namespace = 'default';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function gone(read: () => Promise<unknown>, timeoutMs = 3000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await read();
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return true;
      throw error;
    }
    await sleep(20);
  }
  return false;
}

function jobBody(name: string, owner?: V1OwnerReference): Obj {
  return {
    metadata: { name, ...(owner ? { ownerReferences: [owner] } : {}) },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
  };
}

describe('local API server: deletion, finalizers and garbage collection', () => {
  let harness: TestApiServer;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  before(async () => {
    harness = await startTestApiServer();
    await harness.applyManifestFile(path.join(FIXTURES, 'crd-widgets.yaml'));
    custom = harness.kubeConfig.makeApiClient(CustomObjectsApi);
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
    batch = harness.kubeConfig.makeApiClient(BatchV1Api);
  });
  after(async () => harness.close());

  it('keeps an object with a finalizer until the finalizer is removed', async () => {
    await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: {
      apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'held', finalizers: ['test.featherman.dev/hold'] }, spec: { color: 'red' },
    } });
    const deleting = await custom.deleteNamespacedCustomObject({ group, version, namespace, plural, name: 'held' }) as Obj;
    assert.ok(deleting.metadata.deletionTimestamp, 'deletionTimestamp set');
    const still = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'held' }) as Obj;
    assert.deepEqual(still.metadata.finalizers, ['test.featherman.dev/hold']);
    assert.equal(still.metadata.generation, 2, 'setting deletionTimestamp bumps generation');
    const again = await custom.deleteNamespacedCustomObject({ group, version, namespace, plural, name: 'held' }) as Obj;
    assert.equal(again.metadata.deletionTimestamp, deleting.metadata.deletionTimestamp, 'a second delete changes nothing');
    await assert.rejects(custom.patchNamespacedCustomObject({ group, version, namespace, plural, name: 'held', body: { metadata: { finalizers: ['test.featherman.dev/hold', 'other/new'] } } }, merge), (error: unknown) => error instanceof ApiException && error.code === 422);
    await custom.patchNamespacedCustomObject({ group, version, namespace, plural, name: 'held', body: { metadata: { finalizers: null } } }, merge);
    assert.ok(await gone(() => custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'held' })));
  });

  it('deletes the Pods of a deleted Job in the background', async () => {
    const job = await batch.createNamespacedJob({ namespace, body: jobBody('gc-job') });
    const owner: V1OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name: 'gc-job', uid: job.metadata?.uid ?? '', controller: true, blockOwnerDeletion: true };
    for (const name of ['gc-job-a', 'gc-job-b']) {
      await core.createNamespacedPod({ namespace, body: { metadata: { name, ownerReferences: [owner], labels: { 'job-name': 'gc-job' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    }
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'unrelated' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await batch.deleteNamespacedJob({ namespace, name: 'gc-job', propagationPolicy: 'Background' });
    assert.ok(await gone(() => core.readNamespacedPod({ namespace, name: 'gc-job-a' })));
    assert.ok(await gone(() => core.readNamespacedPod({ namespace, name: 'gc-job-b' })));
    const unrelated = await core.readNamespacedPod({ namespace, name: 'unrelated' });
    assert.equal(unrelated.metadata?.name, 'unrelated');
  });

  it('deletes the Jobs a custom resource owns, and their Pods in turn', async () => {
    const table = await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: {
      apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'owner' }, spec: { color: 'blue' },
    } }) as Obj;
    const owner: V1OwnerReference = { apiVersion: `${group}/${version}`, kind: 'Widget', name: 'owner', uid: table.metadata.uid, controller: true };
    const job = await batch.createNamespacedJob({ namespace, body: jobBody('owned-job', owner) });
    const podOwner: V1OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name: 'owned-job', uid: job.metadata?.uid ?? '' };
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'owned-pod', ownerReferences: [podOwner] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await custom.deleteNamespacedCustomObject({ group, version, namespace, plural, name: 'owner' });
    assert.ok(await gone(() => batch.readNamespacedJob({ namespace, name: 'owned-job' })));
    assert.ok(await gone(() => core.readNamespacedPod({ namespace, name: 'owned-pod' })));
  });

  it('keeps a dependent that still has another live owner', async () => {
    const first = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner-1' } } });
    const second = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner-2' } } });
    const refs = [first, second].map((cm) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: cm.metadata?.name ?? '', uid: cm.metadata?.uid ?? '' }));
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'shared', ownerReferences: refs } } });
    await core.deleteNamespacedConfigMap({ namespace, name: 'owner-1' });
    await sleep(100);
    assert.equal((await core.readNamespacedConfigMap({ namespace, name: 'shared' })).metadata?.name, 'shared');
    await core.deleteNamespacedConfigMap({ namespace, name: 'owner-2' });
    assert.ok(await gone(() => core.readNamespacedConfigMap({ namespace, name: 'shared' })));
  });

  it('deletes a dependent created with an owner that does not exist', async () => {
    const ghost: V1OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name: 'ghost', uid: '00000000-0000-0000-0000-000000000000' };
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'ghost-owned', ownerReferences: [ghost] } } });
    assert.ok(await gone(() => core.readNamespacedConfigMap({ namespace, name: 'ghost-owned' })));
  });

  it('orphans dependents with propagationPolicy Orphan', async () => {
    const job = await batch.createNamespacedJob({ namespace, body: jobBody('orphaning') });
    const owner: V1OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name: 'orphaning', uid: job.metadata?.uid ?? '' };
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'orphan-pod', ownerReferences: [owner] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await batch.deleteNamespacedJob({ namespace, name: 'orphaning', propagationPolicy: 'Orphan' });
    await sleep(100);
    const pod = await core.readNamespacedPod({ namespace, name: 'orphan-pod' });
    assert.equal(pod.metadata?.ownerReferences, undefined);
  });

  it('holds a Foreground deletion until the dependents are gone', async () => {
    const job = await batch.createNamespacedJob({ namespace, body: jobBody('foreground') });
    const owner: V1OwnerReference = { apiVersion: 'batch/v1', kind: 'Job', name: 'foreground', uid: job.metadata?.uid ?? '', blockOwnerDeletion: true };
    await core.createNamespacedPod({ namespace, body: { metadata: { name: 'fg-pod', ownerReferences: [owner], finalizers: ['test/hold'] }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    await batch.deleteNamespacedJob({ namespace, name: 'foreground', propagationPolicy: 'Foreground' });
    await sleep(100);
    const held = await batch.readNamespacedJob({ namespace, name: 'foreground' });
    assert.ok(held.metadata?.finalizers?.includes('foregroundDeletion'));
    const pod = await core.readNamespacedPod({ namespace, name: 'fg-pod' });
    assert.ok(pod.metadata?.deletionTimestamp, 'the dependent is being deleted');
    await core.patchNamespacedPod({ namespace, name: 'fg-pod', body: [{ op: 'remove', path: '/metadata/finalizers' }] });
    assert.ok(await gone(() => core.readNamespacedPod({ namespace, name: 'fg-pod' })));
    assert.ok(await gone(() => batch.readNamespacedJob({ namespace, name: 'foreground' })));
  });

  it('checks delete preconditions', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'precond' } } });
    await assert.rejects(
      core.deleteNamespacedConfigMap({ namespace, name: 'precond', body: { preconditions: { uid: 'not-the-uid' } } }),
      (error: unknown) => error instanceof ApiException && error.code === 409,
    );
    assert.equal((await core.readNamespacedConfigMap({ namespace, name: 'precond' })).metadata?.name, 'precond');
  });

  it('deletes everything in a deleted namespace, then the namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'inside' } } });
    await core.createNamespacedSecret({ namespace: 'doomed', body: { metadata: { name: 'inside' } } });
    await core.deleteNamespace({ name: 'doomed' });
    assert.ok(await gone(() => core.readNamespacedConfigMap({ namespace: 'doomed', name: 'inside' })));
    assert.ok(await gone(() => core.readNamespace({ name: 'doomed' })));
  });

  it('stops serving a deleted CRD and removes its custom resources', async () => {
    await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'last' }, spec: { color: 'red' } } });
    const removed = await harness.request('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.featherman.dev');
    assert.equal(removed.status, 200);
    await sleep(50);
    const listed = await harness.request('GET', `/apis/${group}/${version}/namespaces/default/widgets`);
    assert.equal(listed.status, 404);
    const groups = await harness.request('GET', '/apis');
    assert.ok(!(groups.body.groups as Obj[]).some((entry) => entry.name === group));
    await harness.applyManifestFile(path.join(FIXTURES, 'crd-widgets.yaml'));
    const relisted = await harness.request('GET', `/apis/${group}/${version}/namespaces/default/widgets`);
    assert.deepEqual(relisted.body.items, []);
  });
});
