import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudEvent } from 'cloudevents';
import { apiServerEvent, catalogSpec, condition, createResource, featherJobs, readResource, sendEvent, startFunctionsWorld, type FunctionsWorld } from './functions-harness.ts';

function resync(): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/featherman-system/pingsources/featherman-resync', datacontenttype: 'application/json', feathermantask: 'resync-only', data: { task: 'resync-only' } });
}

describe('the runner pod template ConfigMap over HTTP', () => {
  let world: FunctionsWorld;
  before(async () => {
    world = await startFunctionsWorld();
  });
  after(async () => {
    await world.close();
  });

  const ready = async () => condition(await readResource(world, 'DuckLakeCatalog', 'lake'), 'Ready');

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

    // ConfigMaps send no events to the functions: the sweep picks up each change.
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
});
