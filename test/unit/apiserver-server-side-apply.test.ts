import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, JSONSchemaProps } from '../../local/apiserver/types.ts';
import { applyServerSideApply } from '../../local/apiserver/patch/server-side-apply.ts';
import { recordUpdate } from '../../local/apiserver/patch/managed-fields.ts';
import { applyStrategicMergePatch } from '../../local/apiserver/patch/strategic-merge.ts';
import { applyMergePatch } from '../../local/apiserver/patch/merge-patch.ts';

const t0 = new Date('2026-11-25T10:00:00.123Z');
const t1 = new Date('2026-11-25T10:05:00Z');
const cmOptions = (fieldManager: string, force = false, now = t0) => ({ fieldManager, force, apiVersion: 'v1', kind: 'ConfigMap', now });

const cm = (data: JsonObject, labels?: JsonObject): JsonObject => ({
  apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default', ...(labels ? { labels } : {}) }, data,
});

function managed(object: JsonObject): JsonObject[] {
  return (object.metadata as JsonObject).managedFields as JsonObject[];
}

test('creates an object and records the applied fields in FieldsV1', () => {
  const { object, conflicts } = applyServerSideApply(undefined, cm({ a: '1', b: '2' }, { app: 'lake' }), cmOptions('kubectl'));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(object.data, { a: '1', b: '2' });
  assert.deepEqual(managed(object), [{
    manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-11-25T10:00:00Z', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:data': { 'f:a': {}, 'f:b': {} }, 'f:metadata': { 'f:labels': { 'f:app': {} } } },
  }]);
});

test('removes fields the manager stopped applying and adds new ones', () => {
  const first = applyServerSideApply(undefined, cm({ a: '1', b: '2' }, { app: 'lake' }), cmOptions('kubectl')).object;
  const { object, conflicts } = applyServerSideApply(first, cm({ a: '1', c: '3' }), cmOptions('kubectl', false, t1));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(object.data, { a: '1', c: '3' });
  assert.equal('labels' in (object.metadata as JsonObject), false, 'the emptied labels map goes too');
  assert.equal(managed(object).length, 1);
  assert.deepEqual(managed(object)[0]?.fieldsV1, { 'f:data': { 'f:a': {}, 'f:c': {} } });
  assert.equal(managed(object)[0]?.time, '2026-11-25T10:05:00Z');
});

test('reports a conflict with another manager, and force takes the field over', () => {
  const first = applyServerSideApply(undefined, cm({ a: '1', b: '2' }), cmOptions('kubectl')).object;
  const refused = applyServerSideApply(first, cm({ a: 'changed' }), cmOptions('other'));
  assert.deepEqual(refused.conflicts, ['conflict with "kubectl": .data.a']);
  assert.deepEqual(refused.object, first, 'nothing changes on conflict');

  const forced = applyServerSideApply(first, cm({ a: 'changed' }), cmOptions('other', true));
  assert.deepEqual(forced.conflicts, []);
  assert.deepEqual(forced.object.data, { a: 'changed', b: '2' });
  const byManager = Object.fromEntries(managed(forced.object).map((entry) => [entry.manager, entry.fieldsV1]));
  assert.deepEqual(byManager, { kubectl: { 'f:data': { 'f:b': {} } }, other: { 'f:data': { 'f:a': {} } } });
});

test('applying the same value shares ownership, and a shared field survives one manager dropping it', () => {
  const first = applyServerSideApply(undefined, cm({ a: '1', b: '2' }), cmOptions('kubectl')).object;
  const shared = applyServerSideApply(first, cm({ a: '1' }), cmOptions('other'));
  assert.deepEqual(shared.conflicts, []);
  const dropped = applyServerSideApply(shared.object, cm({ b: '2' }), cmOptions('kubectl'));
  assert.deepEqual(dropped.object.data, { a: '1', b: '2' }, 'a stays: "other" still owns it');
});

test('a conflict with an Update manager names its apiVersion and time like kube-apiserver', () => {
  const created = recordUpdate(undefined, cm({ a: '1' }), { fieldManager: 'kubectl-client-side-apply', apiVersion: 'v1', kind: 'ConfigMap', now: t0 });
  const { conflicts } = applyServerSideApply(created, cm({ a: '2' }), cmOptions('kubectl'));
  assert.deepEqual(conflicts, ['conflict with "kubectl-client-side-apply" using v1 at 2026-11-25T10:00:00Z: .data.a']);
});

test('an object without managedFields (written before tracking) is merged without conflicts', () => {
  // kube-apiserver would give its fields to "before-first-apply"; here that would turn the
  // kubectl client-side to server-side upgrade into a conflict, so the fields stay unowned.
  const { conflicts, object } = applyServerSideApply(cm({ a: '1', b: '0' }), cm({ a: '2' }), cmOptions('kubectl'));
  assert.deepEqual(conflicts, []);
  assert.deepEqual(object.data, { a: '2', b: '0' });
});

const job = (containers: JsonObject[]): JsonObject => ({
  apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'ingest', namespace: 'lake' },
  spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers } } },
});
const jobOptions = (fieldManager: string) => ({ fieldManager, force: false, apiVersion: 'batch/v1', kind: 'Job', now: t0 });

test('merges keyed lists by their key and records k: elements', () => {
  const first = applyServerSideApply(undefined, job([{ name: 'runner', image: 'a:1', env: [{ name: 'X', value: '1' }] }]), jobOptions('ctl')).object;
  const fields = managed(first)[0]?.fieldsV1 as JsonObject;
  const containers = (((fields['f:spec'] as JsonObject)['f:template'] as JsonObject)['f:spec'] as JsonObject)['f:containers'] as JsonObject;
  assert.deepEqual(containers, { 'k:{"name":"runner"}': { '.': {}, 'f:name': {}, 'f:image': {}, 'f:env': { 'k:{"name":"X"}': { '.': {}, 'f:name': {}, 'f:value': {} } } } });

  const sidecar = applyServerSideApply(first, job([{ name: 'sidecar', image: 's:1' }]), jobOptions('other'));
  assert.deepEqual(sidecar.conflicts, []);
  const merged = ((sidecar.object.spec as JsonObject).template as JsonObject).spec as JsonObject;
  assert.deepEqual((merged.containers as JsonObject[]).map((c) => c.name), ['runner', 'sidecar']);

  const dropped = applyServerSideApply(sidecar.object, job([]), jobOptions('ctl'));
  const left = ((dropped.object.spec as JsonObject).template as JsonObject).spec as JsonObject;
  assert.deepEqual(left.containers, [{ name: 'sidecar', image: 's:1' }], 'the runner container is removed with its manager');

  const none = applyServerSideApply(first, job([]), jobOptions('ctl'));
  const empty = ((none.object.spec as JsonObject).template as JsonObject).spec as JsonObject;
  assert.equal('containers' in empty, false, 'a list left empty is dropped');
});

test('custom resources use the CRD schema: list-map keys merge, atomic lists are replaced', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: {
      columns: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, type: { type: 'string' } } } },
      partitionBy: { type: 'array', items: { type: 'string' } },
    } } },
  };
  const options = (fieldManager: string) => ({ fieldManager, force: false, apiVersion: 'featherman.dev/v1alpha1', kind: 'DuckLakeTable', now: t0, schema });
  const table = (spec: JsonObject): JsonObject => ({ apiVersion: 'featherman.dev/v1alpha1', kind: 'DuckLakeTable', metadata: { name: 't' }, spec });
  const first = applyServerSideApply(undefined, table({ columns: [{ name: 'id', type: 'INTEGER' }], partitionBy: ['day'] }), options('a')).object;
  const second = applyServerSideApply(first, table({ columns: [{ name: 'v', type: 'VARCHAR' }] }), options('b'));
  assert.deepEqual(second.conflicts, []);
  assert.deepEqual((second.object.spec as JsonObject).columns, [{ name: 'id', type: 'INTEGER' }, { name: 'v', type: 'VARCHAR' }]);
  const atomic = applyServerSideApply(first, table({ partitionBy: ['month'] }), options('b'));
  assert.deepEqual(atomic.conflicts, ['conflict with "a": .spec.partitionBy']);
});

test('client-side apply after server-side apply still works and is recorded as an Update', () => {
  const created = applyServerSideApply(undefined, cm({ a: '1', b: '2' }), cmOptions('kubectl')).object;
  // What kubectl apply (client side) sends when no last-applied annotation exists yet.
  const patch = { data: { a: '1', b: '3' }, metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","data":{"a":"1","b":"3"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"cfg","namespace":"default"}}\n' } } };
  const patched = applyStrategicMergePatch(created, patch, 'v1', 'ConfigMap');
  const recorded = recordUpdate(created, patched, { fieldManager: 'kubectl-client-side-apply', apiVersion: 'v1', kind: 'ConfigMap', now: t1 });
  assert.deepEqual(recorded.data, { a: '1', b: '3' });
  const byManager = Object.fromEntries(managed(recorded).map((entry) => [`${entry.manager}/${entry.operation}`, entry.fieldsV1]));
  assert.deepEqual(byManager, {
    'kubectl/Apply': { 'f:data': { 'f:a': {} } },
    'kubectl-client-side-apply/Update': { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } },
  });
  const merged = applyMergePatch(recorded, { data: { a: null } }) as JsonObject;
  const afterDelete = recordUpdate(recorded, merged, { fieldManager: 'kubectl-client-side-apply', apiVersion: 'v1', kind: 'ConfigMap', now: t1 });
  assert.equal(managed(afterDelete).some((entry) => entry.manager === 'kubectl'), false, 'a manager owning nothing is dropped');
});

test('kubectl moving from client-side to server-side apply takes the fields its last-applied annotation lists', () => {
  const lastApplied = '{"apiVersion":"v1","data":{"a":"1","b":"2"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"cfg","namespace":"default"}}\n';
  const created = recordUpdate(undefined, { ...cm({ a: '1', b: '2' }), metadata: { name: 'cfg', namespace: 'default', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } } },
    { fieldManager: 'kubectl-client-side-apply', apiVersion: 'v1', kind: 'ConfigMap', now: t0 });
  const upgraded = applyServerSideApply(created, cm({ a: '1', b: '3' }), cmOptions('kubectl'));
  assert.deepEqual(upgraded.conflicts, []);
  assert.deepEqual(upgraded.object.data, { a: '1', b: '3' });
  const other = applyServerSideApply(created, cm({ a: '1', b: '3' }), cmOptions('someone-else'));
  assert.equal(other.conflicts.length, 1, 'only the manager "kubectl" gets this upgrade');
  const notListed = recordUpdate(created, { ...created, data: { a: '1', b: '2', z: '9' } }, { fieldManager: 'editor', apiVersion: 'v1', kind: 'ConfigMap', now: t0 });
  assert.deepEqual(applyServerSideApply(notListed, cm({ z: '0' }), cmOptions('kubectl')).conflicts, ['conflict with "editor" using v1 at 2026-11-25T10:00:00Z: .data.z']);
});

test('recordUpdate keeps managedFields a writer replaced itself (kubectl upgrade JSON patch)', () => {
  const created = recordUpdate(undefined, cm({ a: '1' }), { fieldManager: 'kubectl-client-side-apply', apiVersion: 'v1', kind: 'ConfigMap', now: t0 });
  const replaced = { ...created, metadata: { ...(created.metadata as JsonObject), managedFields: [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', time: '2026-11-25T10:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] } };
  const recorded = recordUpdate(created, replaced, { fieldManager: 'kubectl', apiVersion: 'v1', kind: 'ConfigMap', now: t1 });
  assert.deepEqual(managed(recorded).map((entry) => `${entry.manager}/${entry.operation}`), ['kubectl/Apply']);
});
