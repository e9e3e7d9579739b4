import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BatchV1Api, CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';
import { startApiServerSource, type ApiServerSource } from '../../local/event-router/apiserver-source.ts';
import { defaultApiServerRoutes, FEATHERMAN_GROUP_VERSION } from '../../local/event-router/routes.ts';
import { startTestReceiver, type ReceivedRequest, type TestReceiver } from '../../local/event-router/test-receiver.ts';
import type { DeliveryOutcome } from '../../local/event-router/delivery.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const GROUP = 'ducklake.featherman.dev';
const VERSION = 'v1alpha1';
const NAMESPACE = 'default';

const RESOURCES = [
  {
    kind: 'DuckLakeCatalog', plural: 'ducklakecatalogs', path: '/reconcile-catalog',
    spec: { objectStore: { bucket: 'lake', endpoint: 'http://127.0.0.1:9000' } },
  },
  {
    kind: 'DuckLakeTable', plural: 'ducklaketables', path: '/reconcile-table',
    spec: { catalogRef: 'c1', name: 'users', columns: [{ name: 'id', type: 'INTEGER' }] },
  },
  {
    kind: 'DuckLakeQuery', plural: 'ducklakequeries', path: '/reconcile-query',
    spec: { catalogRef: 'c1', sql: 'SELECT 1' },
  },
] as const;

function eventsFor(received: ReceivedRequest[], requestPath: string, name: string): ReceivedRequest[] {
  return received.filter((request) => request.path === requestPath && request.event?.name === name);
}

describe('event router: ApiServerSource', () => {
  let harness: TestApiServer;
  let receiver: TestReceiver;
  let custom: CustomObjectsApi;
  let batch: BatchV1Api;
  let core: CoreV1Api;
  const sources: ApiServerSource[] = [];

  before(async () => {
    harness = await startTestApiServer();
    for (const file of fs.readdirSync('crds').filter((name) => name.endsWith('.yaml'))) {
      await harness.applyManifestFile(path.join('crds', file));
    }
    receiver = await startTestReceiver();
    custom = harness.kubeConfig.makeApiClient(CustomObjectsApi);
    batch = harness.kubeConfig.makeApiClient(BatchV1Api);
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
  });
  after(async () => {
    await Promise.all(sources.map((source) => source.close()));
    await receiver.close();
    await harness.close();
  });

  it('sends nothing for objects that exist when it starts, then Reference-mode add/update/delete for each kind', async () => {
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'ducklakecatalogs', body: { apiVersion: FEATHERMAN_GROUP_VERSION, kind: 'DuckLakeCatalog', metadata: { name: 'before-start' }, spec: RESOURCES[0].spec } });
    sources.push(await startApiServerSource({ kubeConfig: harness.kubeConfig, routes: defaultApiServerRoutes(receiver.url), logger }));
    for (const resource of RESOURCES) {
      const name = `ref-${resource.plural}`;
      const target = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: resource.plural };
      await custom.createNamespacedCustomObject({ ...target, body: { apiVersion: FEATHERMAN_GROUP_VERSION, kind: resource.kind, metadata: { name }, spec: resource.spec } });
      await custom.patchNamespacedCustomObject({ ...target, name, body: { metadata: { labels: { touched: 'yes' } } } }, merge);
      await custom.deleteNamespacedCustomObject({ ...target, name });
    }
    const received = await receiver.waitFor((all) => RESOURCES.every((resource) => eventsFor(all, resource.path, `ref-${resource.plural}`).length >= 3));
    for (const resource of RESOURCES) {
      const name = `ref-${resource.plural}`;
      const events = eventsFor(received, resource.path, name);
      assert.deepEqual(events.map((request) => request.event?.type), ['add', 'update', 'delete'].map((change) => `dev.knative.apiserver.ref.${change}`));
      for (const { event, headers } of events) {
        assert.ok(event);
        assert.equal(headers['ce-specversion'], '1.0', 'binary mode carries ce-* headers');
        assert.equal(event.source, harness.server.url);
        assert.equal(event.subject, `/apis/${FEATHERMAN_GROUP_VERSION}/namespaces/${NAMESPACE}/${resource.plural}/${name}`);
        assert.equal(event.kind, resource.kind);
        assert.equal(event.apiversion, FEATHERMAN_GROUP_VERSION);
        assert.equal(event.namespace, NAMESPACE);
        assert.equal(event.datacontenttype, 'application/json');
        assert.deepEqual(event.data, { apiVersion: FEATHERMAN_GROUP_VERSION, kind: resource.kind, name, namespace: NAMESPACE });
      }
      assert.equal(new Set(events.map((request) => request.event?.id)).size, 3, 'each event gets its own id');
    }
    assert.equal(received.filter((request) => request.event?.name === 'before-start').length, 0);
  });

  it('routes only Jobs labelled managed-by=featherman to job-finished', async () => {
    const job = (name: string, labels: Record<string, string>) => ({
      metadata: { name, labels },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'runner', image: 'featherman/runner' }] } } },
    });
    await batch.createNamespacedJob({ namespace: NAMESPACE, body: job('other-job', { app: 'x' }) });
    await batch.createNamespacedJob({ namespace: NAMESPACE, body: job('fm-job', { 'app.kubernetes.io/managed-by': 'featherman' }) });
    await batch.patchNamespacedJobStatus({ namespace: NAMESPACE, name: 'fm-job', body: { status: { succeeded: 1 } } }, merge);
    const received = await receiver.waitFor((all) => eventsFor(all, '/job-finished', 'fm-job').length >= 2);
    const events = eventsFor(received, '/job-finished', 'fm-job');
    assert.deepEqual(events.map((request) => request.event?.type), ['dev.knative.apiserver.ref.add', 'dev.knative.apiserver.ref.update']);
    assert.equal(events[0]?.event?.subject, `/apis/batch/v1/namespaces/${NAMESPACE}/jobs/fm-job`);
    assert.equal(events[0]?.event?.kind, 'Job');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(received.filter((request) => request.event?.name === 'other-job').length, 0);
  });

  it('routes only ConfigMaps labelled featherman.dev/pod-template=true to reconcile-catalog', async () => {
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'other-config' }, data: { template: 'spec: {}' } } });
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'runner-pod', labels: { 'featherman.dev/pod-template': 'true' } }, data: { template: 'spec: {}' } } });
    await core.patchNamespacedConfigMap({ namespace: NAMESPACE, name: 'runner-pod', body: { data: { template: 'spec: { nodeSelector: { pool: a } }' } } }, merge);
    await core.deleteNamespacedConfigMap({ namespace: NAMESPACE, name: 'runner-pod' });
    const received = await receiver.waitFor((all) => eventsFor(all, '/reconcile-catalog', 'runner-pod').length >= 3);
    const events = eventsFor(received, '/reconcile-catalog', 'runner-pod');
    assert.deepEqual(events.map((request) => request.event?.type), ['add', 'update', 'delete'].map((change) => `dev.knative.apiserver.ref.${change}`));
    assert.deepEqual([events[0]?.event?.kind, events[0]?.event?.apiversion, events[0]?.event?.subject], ['ConfigMap', 'v1', `/apis/v1/namespaces/${NAMESPACE}/configmaps/runner-pod`]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(received.filter((request) => request.event?.name === 'other-config').length, 0);
  });

  it('sends the whole object in Resource mode, and the last state on delete', async () => {
    const routes = [{ name: 'tables', filter: { kind: 'DuckLakeTable' }, sink: `${receiver.url}/resource-mode` }];
    sources.push(await startApiServerSource({ kubeConfig: harness.kubeConfig, routes, logger, mode: 'Resource' }));
    const target = { group: GROUP, version: VERSION, namespace: NAMESPACE, plural: 'ducklaketables' };
    await custom.createNamespacedCustomObject({ ...target, body: { apiVersion: FEATHERMAN_GROUP_VERSION, kind: 'DuckLakeTable', metadata: { name: 'res-1' }, spec: RESOURCES[1].spec } });
    await custom.patchNamespacedCustomObject({ ...target, name: 'res-1', body: { spec: { comment: 'second' } } }, merge);
    await custom.deleteNamespacedCustomObject({ ...target, name: 'res-1' });
    const received = await receiver.waitFor((all) => eventsFor(all, '/resource-mode', 'res-1').length >= 3);
    const events = eventsFor(received, '/resource-mode', 'res-1').map((request) => request.event);
    assert.deepEqual(events.map((event) => event?.type), ['add', 'update', 'delete'].map((change) => `dev.knative.apiserver.resource.${change}`));
    const [added, updated, deleted] = events.map((event) => event?.data as { metadata: { uid: string; generation: number; resourceVersion: string }; spec: { comment?: string } });
    assert.ok(added?.metadata.uid);
    assert.equal(added.metadata.generation, 1);
    assert.equal(updated?.spec.comment, 'second');
    assert.equal(updated?.metadata.generation, 2);
    assert.equal(deleted?.spec.comment, 'second', 'delete carries the last known state');
    assert.equal(deleted?.metadata.uid, added.metadata.uid);
  });

  it('retries a 500 with the same id and stops at the first 2xx', async () => {
    const outcomes: DeliveryOutcome[] = [];
    receiver.respondWith('/flaky', (attempt) => (attempt <= 2 ? 500 : 200));
    const routes = [{ name: 'flaky', filter: { kind: 'ConfigMap', type: 'dev.knative.apiserver.ref.add' }, sink: `${receiver.url}/flaky` }];
    sources.push(await startApiServerSource({
      kubeConfig: harness.kubeConfig, routes, logger,
      kinds: [{ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: 'test=flaky' }],
      onDelivered: (_route, outcome) => outcomes.push(outcome),
    }));
    const started = Date.now();
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'flaky-1', labels: { test: 'flaky' } }, data: { a: '1' } } });
    await receiver.waitFor(() => outcomes.length === 1);
    const attempts = receiver.received.filter((request) => request.path === '/flaky');
    assert.deepEqual(attempts.map((request) => request.status), [500, 500, 200]);
    assert.equal(new Set(attempts.map((request) => request.event?.id)).size, 1, 'retries keep the id');
    assert.equal(attempts[0]?.event?.subject, `/apis/v1/namespaces/${NAMESPACE}/configmaps/flaky-1`);
    assert.deepEqual(outcomes[0], { status: 200, attempts: 3, delivered: true });
    assert.ok(Date.now() - started >= 150, 'backs off 50 ms, then 100 ms');
  });

  it('drops an event after 5 retries of a 500, and does not retry a 4xx', async () => {
    const outcomes: DeliveryOutcome[] = [];
    receiver.respondWith('/down', 503);
    receiver.respondWith('/refuses', 400);
    const routes = [
      { name: 'down', filter: { kind: 'ConfigMap' }, sink: `${receiver.url}/down` },
      { name: 'refuses', filter: { kind: 'ConfigMap' }, sink: `${receiver.url}/refuses` },
    ];
    sources.push(await startApiServerSource({
      kubeConfig: harness.kubeConfig, routes, logger,
      kinds: [{ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: 'test=down' }],
      onDelivered: (_route, outcome) => outcomes.push(outcome),
    }));
    await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'down-1', labels: { test: 'down' } } } });
    await receiver.waitFor(() => outcomes.length === 2, 15_000);
    assert.equal(receiver.received.filter((request) => request.path === '/down').length, 6, 'one send and 5 retries');
    assert.equal(receiver.received.filter((request) => request.path === '/refuses').length, 1);
    assert.deepEqual(outcomes.find((outcome) => outcome.status === 503), { status: 503, attempts: 6, delivered: false });
    assert.deepEqual(outcomes.find((outcome) => outcome.status === 400), { status: 400, attempts: 1, delivered: false });
  });
});

describe('event router: closing', () => {
  it('cancels the retries of a send in flight when the source closes', async () => {
    const harness = await startTestApiServer();
    const receiver = await startTestReceiver();
    receiver.respondWith('/slow-retry', 503);
    const outcomes: DeliveryOutcome[] = [];
    const source = await startApiServerSource({
      kubeConfig: harness.kubeConfig, logger,
      routes: [{ name: 'down', filter: { kind: 'ConfigMap' }, sink: `${receiver.url}/slow-retry` }],
      kinds: [{ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: 'test=close' }],
      delivery: { retry: 5, backoffDelayMs: 5000 },
      onDelivered: (_route, outcome) => outcomes.push(outcome),
    });
    try {
      const core = harness.kubeConfig.makeApiClient(CoreV1Api);
      await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'close-1', labels: { test: 'close' } } } });
      await receiver.waitFor((all) => all.length === 1);
      const started = Date.now();
      await source.close();
      assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
      assert.deepEqual(outcomes, [{ status: 503, attempts: 1, delivered: false }]);
    } finally {
      await receiver.close();
      await harness.close();
    }
  });
});

describe('event router: ApiServerSource across a watch gap', () => {
  it('relists after 410 Gone and, like the real source, sends nothing for what the relist finds', async () => {
    const harness = await startTestApiServer({ bookmarkIntervalMs: 60_000 });
    const receiver = await startTestReceiver();
    const lines: { msg?: string }[] = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => { lines.push(JSON.parse(line) as { msg?: string }); } });
    const core = harness.kubeConfig.makeApiClient(CoreV1Api);
    const source = await startApiServerSource({
      kubeConfig: harness.kubeConfig, logger: capture,
      routes: [{ name: 'cms', filter: { kind: 'ConfigMap' }, sink: `${receiver.url}/gap` }],
      kinds: [{ apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', labelSelector: 'test=gap' }],
      watch: { retryDelayMs: 100 },
    });
    try {
      await core.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'gap-1', labels: { test: 'gap' } } } });
      await receiver.waitFor((all) => all.length === 1);
      // Other writes move the revision past the source's last resourceVersion; a restarted
      // server keeps no history before its start, so resuming from that version is 410 Gone.
      await core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'unrelated' } } });
      await harness.restart();
      const fresh = harness.kubeConfig.makeApiClient(CoreV1Api);
      await receiver.waitFor(() => lines.some((line) => line.msg === 'watch expired (410); relisting'), 10_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await fresh.createNamespacedConfigMap({ namespace: NAMESPACE, body: { metadata: { name: 'gap-2', labels: { test: 'gap' } } } });
      await receiver.waitFor((all) => all.some((request) => request.event?.name === 'gap-2'));
      await new Promise((resolve) => setTimeout(resolve, 200));
      const names = receiver.received.map((request) => `${request.event?.type ?? ''} ${String(request.event?.name)}`);
      assert.deepEqual(names.filter((name) => name.includes('gap-1') || name.includes('gap-2')), ['dev.knative.apiserver.ref.add gap-1', 'dev.knative.apiserver.ref.add gap-2']);
    } finally {
      await source.close();
      await receiver.close();
      await harness.close();
    }
  });
});
