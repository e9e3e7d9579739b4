import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, makeInformer, Watch, type ObjectCache, type V1ConfigMap } from '@kubernetes/client-node';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Seen { type: string; object: Obj }

/** collect watches a path until `until` says stop (or the stream ends) and returns every event. */
async function collect(watch: Watch, path: string, query: Record<string, string | number | boolean>, until: (events: Seen[]) => boolean, timeoutMs = 5000): Promise<{ events: Seen[]; ended: boolean }> {
  const events: Seen[] = [];
  let ended = false;
  let controller: AbortController | undefined;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => resolve(), timeoutMs);
    watch.watch(path, query, (type, object) => {
      events.push({ type, object });
      if (until(events)) {
        clearTimeout(timer);
        resolve();
      }
    }, (error) => {
      ended = true;
      clearTimeout(timer);
      if (error && (error as Error).name !== 'AbortError') reject(error as Error);
      else resolve();
    }).then((abort) => {
      controller = abort;
    }, reject);
  });
  controller?.abort();
  return { events, ended };
}

describe('local API server: watch', () => {
  let harness: TestApiServer;
  let core: CoreV1Api;
  let watch: Watch;
  const path = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    harness = await startTestApiServer({ watchHistory: 20, bookmarkIntervalMs: 200 });
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
    watch = new Watch(harness.kubeConfig);
  });
  after(async () => harness.close());

  it('sends existing objects as ADDED, then live changes', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-1' }, data: { a: '1' } } });
    setTimeout(() => {
      void core.patchNamespacedConfigMap({ namespace: 'default', name: 'w-1', body: [{ op: 'add', path: '/data/b', value: '2' }] });
    }, 100);
    const { events } = await collect(watch, path, {}, (seen) => seen.some((event) => event.type === 'MODIFIED'));
    assert.deepEqual(events.map((event) => event.type), ['ADDED', 'MODIFIED']);
    assert.equal(events[1]?.object.data.b, '2');
  });

  it('resumes from a resourceVersion with exactly the later changes, in order', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'default' });
    const from = list.metadata?.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-2' } } });
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'w-2', body: [{ op: 'add', path: '/data', value: { x: 'y' } }] });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'w-2' });
    const { events } = await collect(watch, path, { resourceVersion: String(from) }, (seen) => seen.length >= 3);
    assert.deepEqual(events.map((event) => `${event.type} ${event.object.metadata.name}`), ['ADDED w-2', 'MODIFIED w-2', 'DELETED w-2']);
    const versions = events.map((event) => Number(event.object.metadata.resourceVersion));
    assert.deepEqual([...versions].sort((a, b) => a - b), versions);
    assert.ok(versions[0]! > Number(from));
  });

  it('filters watch events by label selector', async () => {
    const from = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-blue', labels: { color: 'blue' } } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-red', labels: { color: 'red' } } } });
    const { events } = await collect(watch, path, { resourceVersion: String(from), labelSelector: 'color=red' }, (seen) => seen.length >= 1, 500);
    assert.deepEqual(events.map((event) => event.object.metadata.name), ['w-red']);
  });

  it('sends DELETED when an object stops matching the label selector and ADDED when it starts', async () => {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-mover', labels: { stage: 'a' } } } });
    setTimeout(() => {
      void (async () => {
        await core.patchNamespacedConfigMap({ namespace: 'default', name: 'w-mover', body: [{ op: 'replace', path: '/metadata/labels/stage', value: 'b' }] });
        await core.patchNamespacedConfigMap({ namespace: 'default', name: 'w-mover', body: [{ op: 'replace', path: '/metadata/labels/stage', value: 'a' }] });
      })();
    }, 100);
    const { events } = await collect(watch, path, { labelSelector: 'stage=a' }, (seen) => seen.length >= 3, 3000);
    assert.deepEqual(events.map((event) => `${event.type} ${event.object.metadata.labels.stage}`), ['ADDED a', 'DELETED b', 'ADDED a']);
  });

  it('answers 410 Expired as an ERROR event for a resourceVersion older than the kept history', async () => {
    const old = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    for (let index = 0; index < 30; index += 1) {
      await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: `churn-${index}` } } });
    }
    const response = await fetch(`${harness.server.url}${path}?watch=true&resourceVersion=${old}`);
    assert.equal(response.status, 200);
    const text = await response.text();
    const event = JSON.parse(text.trim()) as Obj;
    assert.equal(event.type, 'ERROR');
    assert.equal(event.object.kind, 'Status');
    assert.equal(event.object.code, 410);
    assert.equal(event.object.reason, 'Expired');
    assert.match(event.object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends BOOKMARK events when asked, with the current resourceVersion', async () => {
    const from = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    const { events } = await collect(watch, path, { resourceVersion: String(from), allowWatchBookmarks: true }, (seen) => seen.some((event) => event.type === 'BOOKMARK'), 3000);
    const bookmark = events.find((event) => event.type === 'BOOKMARK');
    assert.ok(bookmark, 'a bookmark arrived');
    assert.equal(bookmark.object.kind, 'ConfigMap');
    assert.equal(bookmark.object.metadata.resourceVersion, String(from));
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    const { ended } = await collect(watch, path, { resourceVersion: (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion ?? '', timeoutSeconds: 1 }, () => false, 4000);
    assert.ok(ended, 'the server closed the watch');
    assert.ok(Date.now() - started < 3000);
  });

  it('feeds a client-node informer: list, then add, update and delete events', async () => {
    const informer = makeInformer(harness.kubeConfig, '/api/v1/namespaces/default/configmaps',
      () => core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'informed=yes' }), 'informed=yes');
    const seen: string[] = [];
    informer.on('add', (object: V1ConfigMap) => seen.push(`add ${object.metadata?.name}`));
    informer.on('update', (object: V1ConfigMap) => seen.push(`update ${object.metadata?.name} ${object.data?.v}`));
    informer.on('delete', (object: V1ConfigMap) => seen.push(`delete ${object.metadata?.name}`));
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf-1', labels: { informed: 'yes' } }, data: { v: '1' } } });
    await informer.start();
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf-2', labels: { informed: 'yes' } }, data: { v: '1' } } });
    await core.patchNamespacedConfigMap({ namespace: 'default', name: 'inf-1', body: [{ op: 'replace', path: '/data/v', value: '2' }] });
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf-2' });
    const deadline = Date.now() + 3000;
    while (seen.length < 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await informer.stop();
    assert.deepEqual(seen, ['add inf-1', 'add inf-2', 'update inf-1 2', 'delete inf-2']);
    // makeInformer returns a ListWatch, which is also the object cache; its declared type omits that.
    const cache = informer as unknown as ObjectCache<V1ConfigMap>;
    assert.deepEqual(cache.list('default').map((object) => object.metadata?.name), ['inf-1']);
  });

  it('watches one object by name with a field selector', async () => {
    const from = (await core.listNamespacedConfigMap({ namespace: 'default' })).metadata?.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-other' } } });
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'w-target' } } });
    const { events } = await collect(watch, path, { resourceVersion: String(from), fieldSelector: 'metadata.name=w-target' }, (seen) => seen.length >= 1, 500);
    assert.deepEqual(events.map((event) => event.object.metadata.name), ['w-target']);
  });
});
