import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudEvent } from 'cloudevents';
import { pino } from 'pino';
import { startApiServerSource, type ApiServerSource } from '../../local/event-router/apiserver-source.ts';
import { defaultApiServerRoutes } from '../../local/event-router/routes.ts';
import { apiServerEvent, catalogSpec, condition, createResource, featherJobs, readResource, sendEvent, startFunctionsWorld, tableSpec, type FunctionsWorld } from './functions-harness.ts';

function resync(): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/featherman-system/pingsources/featherman-resync', datacontenttype: 'application/json', feathermantask: 'resync-only', data: { task: 'resync-only' } });
}

describe('the runner pod template ConfigMap over HTTP', () => {
  let world: FunctionsWorld;
  let source: ApiServerSource | undefined;
  before(async () => {
    world = await startFunctionsWorld();
  });
  after(async () => {
    await source?.close();
    await world.close();
  });

  const ready = async () => condition(await readResource(world, 'DuckLakeCatalog', 'lake'), 'Ready');
  const labels = { 'featherman.dev/pod-template': 'true' };
  const reasonOf = async (kind: 'DuckLakeCatalog' | 'DuckLakeTable', name: string) => condition(await readResource(world, kind, name), 'Ready')?.reason;
  const until = async (what: string, test: () => Promise<boolean>) => {
    for (let tries = 0; tries < 100; tries++) {
      if (await test()) return;
      await sleep(100);
    }
    assert.fail(`timed out waiting until ${what}`);
  };

  it('a missing ConfigMap, a missing key and an invalid template each stop the catalog with a message naming ConfigMap, key and rule; a valid one is applied to the init Job', async () => {
    const catalog = await createResource(world, 'DuckLakeCatalog', 'lake', catalogSpec({ podTemplate: { configMapRef: { name: 'runner-pod' } } }));
    const added = await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'add'));
    assert.equal(added.status, 200, JSON.stringify(added.body));
    let now = await ready();
    assert.deepEqual([now?.status, now?.reason], ['False', 'InvalidPodTemplate']);
    assert.equal(now?.message, 'The runner pod template ConfigMap default/runner-pod (spec.podTemplate.configMapRef) does not exist; create it with the key "template" or remove spec.podTemplate.');
    assert.equal((await featherJobs(world)).length, 0);
    const events = await world.core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(events.items.some((event) => event.reason === 'InvalidPodTemplate' && event.type === 'Warning' && event.involvedObject.name === 'lake'));

    // An unlabelled ConfigMap sends no events to the functions: the sweep picks up each change.
    await world.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'runner-pod' }, data: { 'pod.yaml': 'spec: {}' } } });
    assert.equal((await sendEvent(world, '/sweep', resync())).status, 200);
    now = await ready();
    assert.equal(now?.reason, 'InvalidPodTemplate');
    assert.match(String(now?.message), /ConfigMap default\/runner-pod .* has no key "template"; put the pod template \(YAML or JSON\) under data\.template; it has "pod\.yaml"\./);

    await world.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'runner-pod', body: { metadata: { name: 'runner-pod' }, data: { template: 'spec:\n  containers:\n    - image: other\n' } } });
    assert.equal((await sendEvent(world, '/sweep', resync())).status, 200);
    now = await ready();
    assert.equal(now?.reason, 'InvalidPodTemplate');
    assert.match(String(now?.message), /ConfigMap default\/runner-pod \(spec\.podTemplate\.configMapRef\), key "template": spec\.containers\[0\]\.name: is required\./);
    assert.equal((await featherJobs(world)).length, 0);

    const template = 'metadata:\n  labels: { team: data }\nspec:\n  nodeSelector: { pool: batch }\n  containers:\n    - name: runner\n      resources: { limits: { memory: 3Gi } }\n';
    await world.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'runner-pod', body: { metadata: { name: 'runner-pod' }, data: { template } } });
    assert.equal((await sendEvent(world, '/sweep', resync())).status, 200);
    assert.equal((await ready())?.reason, 'JobRunning');
    const [init] = await featherJobs(world);
    assert.ok(init);
    const pod = init.spec.template;
    assert.deepEqual(pod.spec?.nodeSelector, { pool: 'batch' });
    assert.equal(pod.metadata?.labels?.team, 'data');
    const runner = (pod.spec?.containers as Array<{ name: string; resources?: { limits?: Record<string, string> } }> | undefined)?.find((container) => container.name === 'runner');
    assert.equal(runner?.resources?.limits?.memory, '3Gi');
  });

  it('a change of a labelled pod template ConfigMap reaches the functions through the watch and unblocks its catalog and tables at once', async () => {
    await world.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'runner-pod-2', labels }, data: { template: 'spec:\n  containers:\n    - image: other\n' } } });
    const catalog = await createResource(world, 'DuckLakeCatalog', 'lake2', catalogSpec({ podTemplate: { configMapRef: { name: 'runner-pod-2' } } }));
    await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'add'));
    const table = await createResource(world, 'DuckLakeTable', 't2', tableSpec('lake2', 't2'));
    await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    assert.deepEqual([await reasonOf('DuckLakeCatalog', 'lake2'), await reasonOf('DuckLakeTable', 't2')], ['InvalidPodTemplate', 'InvalidPodTemplate']);
    const unused = await sendEvent(world, '/reconcile-catalog', apiServerEvent({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'unused', namespace: 'default' } }, 'update'));
    assert.deepEqual([unused.status, unused.body.configMap, unused.body.catalogs], [200, 'default/unused', []], 'a ConfigMap no catalog names is nothing to do');

    // The local ApiServerSource with only the ConfigMap Trigger: no sweep, no catalog event.
    const routes = defaultApiServerRoutes(world.url).filter((route) => route.filter.kind === 'ConfigMap');
    assert.equal(routes.length, 1);
    source = await startApiServerSource({ kubeConfig: world.harness.kubeConfig, routes, logger: pino({ level: 'silent' }) });
    const template = 'spec:\n  nodeSelector: { pool: fixed }\n';
    await world.core.replaceNamespacedConfigMap({ namespace: 'default', name: 'runner-pod-2', body: { metadata: { name: 'runner-pod-2', labels }, data: { template } } });
    await until('the table is woken', async () => (await reasonOf('DuckLakeTable', 't2')) === 'CatalogNotReady');
    assert.equal(await reasonOf('DuckLakeCatalog', 'lake2'), 'JobRunning');
    const init = (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/catalog'] === 'lake2');
    assert.deepEqual(init?.spec.template.spec?.nodeSelector, { pool: 'fixed' });

    await world.core.deleteNamespacedConfigMap({ namespace: 'default', name: 'runner-pod-2' });
    await until('the catalog sees the ConfigMap gone', async () => (await reasonOf('DuckLakeCatalog', 'lake2')) === 'InvalidPodTemplate');
    assert.match(String(condition(await readResource(world, 'DuckLakeCatalog', 'lake2'), 'Ready')?.message), /ConfigMap default\/runner-pod-2 .* does not exist/);
  });

  it('a table deleted while the template is unusable waits without a drop Job, and is dropped once the ConfigMap is fixed', async () => {
    await until('the table sees the template gone', async () => (await reasonOf('DuckLakeTable', 't2')) === 'InvalidPodTemplate');
    await world.custom.deleteNamespacedCustomObject({ group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default', plural: 'ducklaketables', name: 't2' });
    const answer = await sendEvent(world, '/reconcile-table', apiServerEvent(await readResource(world, 'DuckLakeTable', 't2'), 'update', 'Resource'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const waiting = condition(await readResource(world, 'DuckLakeTable', 't2'), 'Ready');
    assert.equal(waiting?.reason, 'InvalidPodTemplate');
    assert.match(String(waiting?.message), /does not exist; .* Table main\.t2 is not dropped until it is fixed; at \S+Z it is let go without a drop \(data retained\)/);
    const drops = async () => (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/operation'] === 'drop-table' && job.metadata.labels['featherman.dev/table'] === 't2');
    assert.deepEqual(await drops(), []);

    await world.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'runner-pod-2', labels }, data: { template: 'spec:\n  nodeSelector: { pool: fixed }\n' } } });
    await until('the drop Job starts', async () => (await drops()).length === 1);
    assert.deepEqual((await drops())[0]?.spec.template.spec?.nodeSelector, { pool: 'fixed' });
    assert.equal(await reasonOf('DuckLakeTable', 't2'), 'Deleting');
  });
});

