import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiException, CoreV1Api, CustomObjectsApi, KubernetesObjectApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const group = 'test.featherman.dev';
const version = 'v1';
const plural = 'widgets';
const namespace = 'default';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function widget(name: string, spec: Obj = { color: 'red', size: 2 }): Obj {
  return { apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name }, spec };
}

async function apiError(promise: Promise<unknown>): Promise<{ code: number; body: Obj }> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiException, `expected an ApiException, got ${String(error)}`);
    return { code: error.code, body: JSON.parse(error.body as string) as Obj };
  }
  assert.fail('expected the request to fail');
}

describe('local API server: CRUD semantics with @kubernetes/client-node', () => {
  let harness: TestApiServer;
  let custom: CustomObjectsApi;
  let core: CoreV1Api;

  before(async () => {
    harness = await startTestApiServer();
    await harness.applyManifestFile(path.join(FIXTURES, 'crd-widgets.yaml'));
    custom = harness.kubeConfig.makeApiClient(CustomObjectsApi);
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(async () => harness.close());

  it('creates a custom resource with uid, creationTimestamp, generation 1 and schema defaults', async () => {
    const created = await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: widget('alpha') }) as Obj;
    assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(created.metadata.generation, 1);
    assert.equal(created.spec.maxSize, 100, 'default applied');
    const fetched = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    assert.equal(fetched.metadata.resourceVersion, created.metadata.resourceVersion);
  });

  it('answers 409 AlreadyExists for a second create of the same name', async () => {
    const { code, body } = await apiError(custom.createNamespacedCustomObject({ group, version, namespace, plural, body: widget('alpha') }));
    assert.equal(code, 409);
    assert.equal(body.reason, 'AlreadyExists');
    assert.equal(body.message, 'widgets.test.featherman.dev "alpha" already exists');
  });

  it('answers 409 Conflict for an update with a stale resourceVersion and keeps resourceVersions increasing', async () => {
    const current = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    const first = structuredClone(current);
    first.spec.size = 5;
    const updated = await custom.replaceNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha', body: first }) as Obj;
    assert.ok(Number(updated.metadata.resourceVersion) > Number(current.metadata.resourceVersion));
    const stale = structuredClone(current);
    stale.spec.size = 6;
    const { code, body } = await apiError(custom.replaceNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha', body: stale }));
    assert.equal(code, 409);
    assert.equal(body.reason, 'Conflict');
    assert.match(body.message, /^Operation cannot be fulfilled on widgets.test.featherman.dev "alpha": the object has been modified/);
    const after = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    assert.equal(after.spec.size, 5);
  });

  it('bumps generation on spec changes only, and never for status or label changes', async () => {
    const before = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    const labelled = await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: { metadata: { labels: { tier: 'gold' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.equal(labelled.metadata.generation, before.metadata.generation);
    const statused = await custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name: 'alpha', body: { status: { phase: 'Ready' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.equal(statused.metadata.generation, before.metadata.generation);
    assert.equal(statused.status.phase, 'Ready');
    const specced = await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: { spec: { size: 7 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.equal(specced.metadata.generation, before.metadata.generation + 1);
  });

  it('keeps status out of main-resource writes and spec out of status writes', async () => {
    const viaMain = await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: { status: { phase: 'Hacked' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.equal(viaMain.status.phase, 'Ready');
    const viaStatus = await custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name: 'alpha', body: { spec: { size: 99 }, status: { phase: 'Done' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.equal(viaStatus.spec.size, 7);
    assert.equal(viaStatus.status.phase, 'Done');
    const created = await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { ...widget('with-status'), status: { phase: 'Given' } } }) as Obj;
    assert.equal(created.status, undefined, 'status given on create is dropped');
  });

  it('does not write (nor bump resourceVersion) when an update changes nothing', async () => {
    const before = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    const same = await custom.replaceNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha', body: before }) as Obj;
    assert.equal(same.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('applies JSON patches and answers 422 for a failing test operation', async () => {
    const patched = await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: [{ op: 'replace', path: '/spec/color', value: 'green' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    ) as Obj;
    assert.equal(patched.spec.color, 'green');
    const { code } = await apiError(custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: [{ op: 'test', path: '/spec/color', value: 'blue' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    ));
    assert.equal(code, 422);
  });

  it('server-side applies through client-node, with 409 conflicts between managers unless forced', async () => {
    const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const applied = await custom.patchNamespacedCustomObject({ group, version, namespace, plural, name: 'applied', body: widget('applied', { color: 'red', size: 4 }), fieldManager: 'controller-a' }, ssa) as Obj;
    assert.equal(applied.spec.size, 4);
    assert.ok((applied.metadata.managedFields as Obj[]).some((entry) => entry.manager === 'controller-a' && entry.operation === 'Apply'));
    const { code, body } = await apiError(custom.patchNamespacedCustomObject({ group, version, namespace, plural, name: 'applied', body: widget('applied', { color: 'red', size: 9 }), fieldManager: 'controller-b' }, ssa));
    assert.equal(code, 409);
    assert.match(body.message, /^Apply failed with 1 conflict: conflict with "controller-a".*: \.spec\.size/);
    const forced = await custom.patchNamespacedCustomObject({ group, version, namespace, plural, name: 'applied', body: widget('applied', { color: 'red', size: 9 }), fieldManager: 'controller-b', force: true }, ssa) as Obj;
    assert.equal(forced.spec.size, 9);
  });

  it('works with the generic KubernetesObjectApi (discovery-based)', async () => {
    const objects = KubernetesObjectApi.makeApiClient(harness.kubeConfig);
    const created = await objects.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'generic', namespace }, data: { a: '1' } } as Obj);
    assert.equal(created.metadata?.name, 'generic');
    const read = await objects.read({ apiVersion: `${group}/${version}`, kind: 'Widget', metadata: { name: 'alpha', namespace } }) as Obj;
    assert.equal(read.kind, 'Widget');
    assert.equal(read.metadata.name, 'alpha');
  });

  it('generates names from generateName', async () => {
    const created = await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: { ...widget(''), metadata: { generateName: 'gen-' } } }) as Obj;
    assert.match(created.metadata.name, /^gen-[a-z0-9]{5}$/);
  });

  it('answers dryRun=All without storing', async () => {
    const answered = await custom.createNamespacedCustomObject({ group, version, namespace, plural, body: widget('dry'), dryRun: 'All' }) as Obj;
    assert.equal(answered.metadata.name, 'dry');
    const { code } = await apiError(custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'dry' }));
    assert.equal(code, 404);
  });

  it('filters lists by label and field selectors', async () => {
    for (const [name, tier] of [['sel-a', 'gold'], ['sel-b', 'silver'], ['sel-c', 'gold']] as const) {
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name, labels: { tier, app: 'sel' } }, data: { k: name } } });
    }
    const gold = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=sel,tier=gold' });
    assert.deepEqual(gold.items.map((item) => item.metadata?.name), ['sel-a', 'sel-c']);
    const notGold = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app in (sel),tier notin (gold)' });
    assert.deepEqual(notGold.items.map((item) => item.metadata?.name), ['sel-b']);
    const byName = await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=sel-b' });
    assert.deepEqual(byName.items.map((item) => item.metadata?.name), ['sel-b']);
    const all = await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=default,metadata.name!=sel-a', labelSelector: 'app=sel' });
    assert.deepEqual(all.items.map((item) => item.metadata?.name), ['sel-b', 'sel-c']);
  });

  it('pages lists with limit and continue', async () => {
    const first = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=sel', limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata?._continue);
    const second = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=sel', limit: 2, _continue: first.metadata._continue });
    assert.deepEqual(second.items.map((item) => item.metadata?.name), ['sel-c']);
  });

  it('folds Secret stringData into base64 data', async () => {
    const secret = await core.createNamespacedSecret({ namespace, body: { metadata: { name: 'creds' }, stringData: { user: 'duck' } } });
    assert.equal(secret.data?.user, Buffer.from('duck').toString('base64'));
    assert.equal(secret.stringData, undefined);
  });

  it('refuses data changes of an immutable ConfigMap', async () => {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true } });
    const { code, body } = await apiError(core.patchNamespacedConfigMap({ namespace, name: 'frozen', body: [{ op: 'replace', path: '/data/a', value: '2' }] }));
    assert.equal(code, 422);
    assert.equal(body.message, 'ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set');
    const labelled = await core.patchNamespacedConfigMap({ namespace, name: 'frozen', body: [{ op: 'add', path: '/metadata/labels', value: { ok: 'yes' } }] });
    assert.equal(labelled.metadata?.labels?.ok, 'yes', 'metadata stays writable');
  });

  it('rejects objects in a namespace that does not exist', async () => {
    const { code, body } = await apiError(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
    assert.equal(code, 404);
    assert.equal(body.message, 'namespaces "nowhere" not found');
  });

  it('keeps every object across a restart, and resourceVersions keep increasing', async () => {
    const before = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    await harness.restart();
    custom = harness.kubeConfig.makeApiClient(CustomObjectsApi);
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
    const after = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'alpha' }) as Obj;
    assert.deepEqual(after, before);
    const cms = await core.listNamespacedConfigMap({ namespace, labelSelector: 'app=sel' });
    assert.equal(cms.items.length, 3);
    const updated = await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'alpha', body: { spec: { size: 8 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    ) as Obj;
    assert.ok(Number(updated.metadata.resourceVersion) > Number(before.metadata.resourceVersion));
  });
});
