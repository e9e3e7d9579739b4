import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, EventsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { hasKubectl, startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const fixture = (name: string): string => path.join(FIXTURES, name);
const group = 'test.featherman.dev';
const version = 'v1';
const plural = 'widgets';
const namespace = 'default';
const skip = hasKubectl() ? false : 'kubectl is not on PATH';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** headerOf splits kubectl's table header into column names. */
function headerOf(output: string): string[] {
  return (output.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

function rowOf(output: string, name: string): string[] {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? line.trim().split(/\s{2,}/) : [];
}

describe('kubectl against the local API server: a custom resource', { skip }, () => {
  let harness: TestApiServer;
  let custom: CustomObjectsApi;

  before(async () => {
    harness = await startTestApiServer();
    custom = harness.kubeConfig.makeApiClient(CustomObjectsApi);
  });
  after(async () => harness?.close());

  it('applies the CRD and a resource, then updates it (client-side apply)', async () => {
    const crd = await harness.kubectl(['apply', '-f', fixture('crd-widgets.yaml')]);
    assert.equal(crd.code, 0, crd.stderr);
    assert.equal(crd.stdout.trim(), 'customresourcedefinition.apiextensions.k8s.io/widgets.test.featherman.dev created');
    const created = await harness.kubectl(['apply', '-f', fixture('widget-small.yaml')]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'widget.test.featherman.dev/small created');
    const unchanged = await harness.kubectl(['apply', '-f', fixture('widget-small.yaml')]);
    assert.equal(unchanged.stdout.trim(), 'widget.test.featherman.dev/small unchanged');
    const changed = fs.readFileSync(fixture('widget-small.yaml'), 'utf8').replace('size: 3', 'size: 4');
    const configured = await harness.kubectl(['apply', '-f', '-'], changed);
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(configured.stdout.trim(), 'widget.test.featherman.dev/small configured');
    const stored = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'small' }) as Obj;
    assert.equal(stored.spec.size, 4);
    assert.equal(stored.spec.maxSize, 100, 'the schema default is applied');
    assert.equal(stored.metadata.generation, 2);
  });

  it('creates and updates with --server-side', async () => {
    const manifest = 'apiVersion: test.featherman.dev/v1\nkind: Widget\nmetadata:\n  name: ssa\nspec:\n  color: green\n';
    const created = await harness.kubectl(['apply', '--server-side', '-f', '-'], manifest);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'widget.test.featherman.dev/ssa serverside-applied');
    const updated = await harness.kubectl(['apply', '--server-side', '-f', '-'], manifest.replace('green', 'blue'));
    assert.equal(updated.code, 0, updated.stderr);
    const stored = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'ssa' }) as Obj;
    assert.equal(stored.spec.color, 'blue');
    assert.ok((stored.metadata.managedFields as Obj[]).some((entry) => entry.manager === 'kubectl' && entry.operation === 'Apply'));
  });

  it('shows printer columns, and finds the resource by short name, category and -o yaml', async () => {
    const table = await harness.kubectl(['get', 'widgets']);
    assert.equal(table.code, 0, table.stderr);
    assert.deepEqual(headerOf(table.stdout), ['NAME', 'COLOR', 'SIZE', 'READY', 'AGE']);
    assert.deepEqual(rowOf(table.stdout, 'small').slice(0, 3), ['small', 'red', '4']);
    const short = await harness.kubectl(['get', 'wdg', 'small']);
    assert.deepEqual(rowOf(short.stdout, 'small').slice(0, 3), ['small', 'red', '4']);
    const category = await harness.kubectl(['get', 'gadgets']);
    assert.deepEqual(rowOf(category.stdout, 'small').slice(0, 3), ['small', 'red', '4']);
    const yaml = await harness.kubectl(['get', 'widget', 'small', '-o', 'yaml']);
    assert.match(yaml.stdout, /^kind: Widget$/m);
    assert.match(yaml.stdout, /^ {2}size: 4$/m);
  });

  it('prints a real-cluster-like message for a CEL violation, a wrong type and an unknown field', async () => {
    const cel = await harness.kubectl(['apply', '-f', fixture('widget-cel-violation.yaml')]);
    assert.notEqual(cel.code, 0);
    assert.match(cel.stderr, /The Widget "too-big" is invalid: spec: Invalid value: "object": size must not exceed maxSize/);
    const wrongType = await harness.kubectl(['apply', '-f', fixture('widget-wrong-type.yaml')]);
    assert.notEqual(wrongType.code, 0);
    assert.match(wrongType.stderr, /The Widget "wrong-type" is invalid:/);
    assert.match(wrongType.stderr, /spec\.color: Unsupported value: "purple": supported values: "red", "green", "blue"/);
    assert.match(wrongType.stderr, /spec\.size: Invalid value: "string": spec\.size in body must be of type integer: "string"/);
    const unknown = await harness.kubectl(['apply', '-f', fixture('widget-unknown-field.yaml')]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /Error from server \(BadRequest\): error when creating ".*widget-unknown-field\.yaml": Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec\.shape"/);
    const listed = await custom.listNamespacedCustomObject({ group, version, namespace, plural }) as Obj;
    assert.deepEqual((listed.items as Obj[]).map((item) => item.metadata.name).sort(), ['small', 'ssa']);
  });

  it('explains fields with the descriptions of the CRD', async () => {
    const explained = await harness.kubectl(['explain', 'widget.spec']);
    assert.equal(explained.code, 0, explained.stderr);
    assert.match(explained.stdout, /WidgetSpec is what the widget should look like\./);
    assert.match(explained.stdout, /color\s+<string> -required-/);
    assert.match(explained.stdout, /Size of the widget in centimetres\./);
  });

  it('patches the status subresource', async () => {
    const patched = await harness.kubectl(['patch', 'widget', 'small', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Building"}}']);
    assert.equal(patched.code, 0, patched.stderr);
    assert.equal(patched.stdout.trim(), 'widget.test.featherman.dev/small patched');
    const stored = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'small' }) as Obj;
    assert.equal(stored.status.phase, 'Building');
    assert.equal(stored.metadata.generation, 2, 'a status write leaves generation alone');
  });

  it('waits for condition=Ready that a client sets through /status', async () => {
    const waiting = harness.kubectl(['wait', '--for=condition=Ready', 'widget/small', '--timeout=20s']);
    await sleep(700);
    await custom.patchNamespacedCustomObjectStatus(
      { group, version, namespace, plural, name: 'small', body: { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'Built', message: 'The widget is built.', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const waited = await waiting;
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(waited.stdout.trim(), 'widget.test.featherman.dev/small condition met');
    const table = await harness.kubectl(['get', 'widget', 'small']);
    assert.equal(rowOf(table.stdout, 'small')[3], 'True');
  });

  it('describes the resource with the Events a client created', async () => {
    const stored = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'small' }) as Obj;
    const regarding = { apiVersion: `${group}/${version}`, kind: 'Widget', name: 'small', namespace, uid: stored.metadata.uid };
    const events = harness.kubeConfig.makeApiClient(EventsV1Api);
    await events.createNamespacedEvent({ namespace, body: {
      metadata: { name: 'small.built' }, eventTime: new Date(), reportingController: 'featherman.dev/test', reportingInstance: 'test-1',
      action: 'Build', reason: 'WidgetBuilt', note: 'Widget small was built in 3 steps', type: 'Normal', regarding,
    } });
    const core = harness.kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedEvent({ namespace, body: {
      metadata: { name: 'small.warned' }, involvedObject: regarding, reason: 'SizeClose', message: 'Size is close to the limit',
      type: 'Warning', source: { component: 'featherman-test' }, firstTimestamp: new Date(), lastTimestamp: new Date(), count: 2,
    } });
    const described = await harness.kubectl(['describe', 'widget', 'small']);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Name:\s+small$/m);
    assert.match(described.stdout, /Events:\n\s+Type\s+Reason\s+Age\s+From\s+Message/);
    assert.match(described.stdout, /Normal\s+WidgetBuilt\s+\S+\s+featherman\.dev\/test\s+Widget small was built in 3 steps/);
    assert.match(described.stdout, /Warning\s+SizeClose\s+\S+ \(x2 over \S+\)\s+featherman-test\s+Size is close to the limit/);
  });

  it('deletes and waits until a client removes the finalizer', async () => {
    await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'ssa', body: { metadata: { finalizers: ['test.featherman.dev/cleanup'] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const started = Date.now();
    const deleting = harness.kubectl(['delete', 'widget', 'ssa', '--timeout=20s']);
    let marked = false;
    for (let attempt = 0; attempt < 100 && !marked; attempt += 1) {
      await sleep(50);
      const current = await custom.getNamespacedCustomObject({ group, version, namespace, plural, name: 'ssa' }) as Obj;
      marked = Boolean(current.metadata.deletionTimestamp);
    }
    assert.ok(marked, 'kubectl delete set deletionTimestamp');
    await sleep(700);
    await custom.patchNamespacedCustomObject(
      { group, version, namespace, plural, name: 'ssa', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const deleted = await deleting;
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.equal(deleted.stdout.trim(), 'widget.test.featherman.dev "ssa" deleted');
    assert.ok(Date.now() - started >= 700, 'kubectl waited for the finalizer');
    const gone = await harness.kubectl(['get', 'widget', 'ssa']);
    assert.match(gone.stderr, /Error from server \(NotFound\): widgets.test.featherman.dev "ssa" not found/);
  });
});
