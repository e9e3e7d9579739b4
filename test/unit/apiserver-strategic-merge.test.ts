import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject } from '../../local/apiserver/types.ts';
import { applyStrategicMergePatch } from '../../local/apiserver/patch/strategic-merge.ts';
import { PatchError } from '../../local/apiserver/patch/patch-error.ts';

const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

const job: JsonObject = {
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'ingest', namespace: 'lake', labels: { app: 'featherman' }, finalizers: ['a', 'b', 'c'],
    ownerReferences: [{ apiVersion: 'featherman.dev/v1alpha1', kind: 'DuckLakeTable', name: 't', uid: 'u1' }] },
  spec: {
    backoffLimit: 0,
    template: {
      metadata: { labels: { job: 'ingest' } },
      spec: {
        restartPolicy: 'Never',
        containers: [
          { name: 'runner', image: 'featherman:1', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80, name: 'http' }] },
          { name: 'sidecar', image: 'busybox', args: ['sleep', '1'] },
        ],
        volumes: [{ name: 'work', emptyDir: {} }],
        tolerations: [{ key: 'a', operator: 'Exists' }],
      },
    },
  },
};

interface Case {
  name: string;
  target: JsonObject;
  patch: JsonObject;
  expect: (result: JsonObject) => void;
}

const spec = (o: JsonObject): JsonObject => ((o.spec as JsonObject).template as JsonObject).spec as JsonObject;
const containers = (o: JsonObject): JsonObject[] => spec(o).containers as JsonObject[];

const cases: Case[] = [
  {
    name: 'kubectl apply on a ConfigMap changes, adds and removes data keys and updates last-applied',
    target: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', annotations: { [lastApplied]: '{"old":1}\n', other: 'x' } }, data: { a: '1', b: '2' } },
    patch: { data: { a: '10', b: null, c: '3' }, metadata: { annotations: { [lastApplied]: '{"new":1}\n' } } },
    expect: (r) => assert.deepEqual(r, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', annotations: { [lastApplied]: '{"new":1}\n', other: 'x' } }, data: { a: '10', c: '3' } }),
  },
  {
    name: 'kubectl apply on a Secret replaces a data value and drops stringData',
    target: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { password: 'b2xk', user: 'dQ==' } },
    patch: { data: { password: 'bmV3' }, metadata: { annotations: { [lastApplied]: '{}' } } },
    expect: (r) => assert.deepEqual(r, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', annotations: { [lastApplied]: '{}' } }, type: 'Opaque', data: { password: 'bmV3', user: 'dQ==' } }),
  },
  {
    name: 'kubectl apply on a Job merges containers and env by name with $setElementOrder and $patch delete',
    target: job,
    patch: { spec: { template: { spec: {
      '$setElementOrder/containers': [{ name: 'runner' }, { name: 'sidecar' }],
      containers: [{ name: 'runner', image: 'featherman:2', '$setElementOrder/env': [{ name: 'C' }, { name: 'A' }], env: [{ name: 'C', value: '3' }, { name: 'B', $patch: 'delete' }] }],
    } } } },
    expect: (r) => {
      const [runner, sidecar] = containers(r);
      assert.equal(runner?.image, 'featherman:2');
      assert.deepEqual(runner?.env, [{ name: 'C', value: '3' }, { name: 'A', value: '1' }]);
      assert.deepEqual(runner?.ports, [{ containerPort: 80, name: 'http' }]);
      assert.deepEqual(sidecar, { name: 'sidecar', image: 'busybox', args: ['sleep', '1'] });
    },
  },
  {
    name: 'adds a container, merges ports by containerPort and replaces atomic lists',
    target: job,
    patch: { spec: { template: { spec: {
      containers: [{ name: 'runner', ports: [{ containerPort: 9090, name: 'metrics' }, { containerPort: 80, protocol: 'TCP' }] }, { name: 'new', image: 'x' }],
      tolerations: [{ key: 'b', operator: 'Exists' }],
    } } } },
    expect: (r) => {
      assert.deepEqual(containers(r).map((c) => c.name), ['runner', 'sidecar', 'new']);
      assert.deepEqual(containers(r)[0]?.ports, [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 9090, name: 'metrics' }]);
      assert.deepEqual(spec(r).tolerations, [{ key: 'b', operator: 'Exists' }]);
    },
  },
  {
    name: 'deletes finalizers with $deleteFromPrimitiveList and orders them with $setElementOrder',
    target: job,
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['c', 'a', 'd'], finalizers: ['d'] } },
    expect: (r) => assert.deepEqual((r.metadata as JsonObject).finalizers, ['c', 'a', 'd']),
  },
  {
    name: 'merges ownerReferences by uid',
    target: job,
    patch: { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u2' }] } },
    expect: (r) => assert.deepEqual((r.metadata as JsonObject).ownerReferences, [
      { apiVersion: 'featherman.dev/v1alpha1', kind: 'DuckLakeTable', name: 't', uid: 'u1', controller: true },
      { apiVersion: 'v1', kind: 'ConfigMap', name: 'c', uid: 'u2' },
    ]),
  },
  {
    name: 'switches a volume source with $retainKeys',
    target: job,
    patch: { spec: { template: { spec: { volumes: [{ name: 'work', $retainKeys: ['configMap', 'name'], configMap: { name: 'cfg' } }] } } } },
    expect: (r) => assert.deepEqual(spec(r).volumes, [{ name: 'work', configMap: { name: 'cfg' } }]),
  },
  {
    name: 'replaces a map with $patch replace and a list with a $patch replace element',
    target: job,
    patch: { metadata: { labels: { $patch: 'replace', only: 'this' } }, spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'solo', image: 'z' }] } } } },
    expect: (r) => {
      assert.deepEqual((r.metadata as JsonObject).labels, { only: 'this' });
      assert.deepEqual(containers(r), [{ name: 'solo', image: 'z' }]);
    },
  },
  {
    name: 'deletes a map with $patch delete and a key with null',
    target: job,
    patch: { metadata: { labels: { $patch: 'delete' } }, spec: { backoffLimit: null } },
    expect: (r) => {
      assert.equal('labels' in (r.metadata as JsonObject), false);
      assert.equal('backoffLimit' in (r.spec as JsonObject), false);
    },
  },
  {
    name: 'merges Job status conditions by type',
    target: { ...job, status: { conditions: [{ type: 'Complete', status: 'False' }, { type: 'Failed', status: 'False' }] } },
    patch: { status: { conditions: [{ type: 'Complete', status: 'True', reason: 'Done' }] } },
    expect: (r) => assert.deepEqual((r.status as JsonObject).conditions, [{ type: 'Complete', status: 'True', reason: 'Done' }, { type: 'Failed', status: 'False' }]),
  },
];

for (const { name, target, patch, expect } of cases) {
  test(`strategic merge ${name}`, () => {
    const before = structuredClone(target);
    const apiVersion = String(target.apiVersion);
    expect(applyStrategicMergePatch(target, patch, apiVersion, String(target.kind)));
    assert.deepEqual(target, before, 'the target is not mutated');
  });
}

test('strategic merge refuses custom resources with 415 like kube-apiserver', () => {
  assert.throws(
    () => applyStrategicMergePatch({ spec: {} }, { spec: { a: 1 } }, 'featherman.dev/v1alpha1', 'DuckLakeTable'),
    (error: unknown) => error instanceof PatchError && error.status === 415 && /unknown format/.test(error.message),
  );
});

test('strategic merge rejects a list item without its merge key', () => {
  assert.throws(
    () => applyStrategicMergePatch(job, { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, 'batch/v1', 'Job'),
    (error: unknown) => error instanceof PatchError && /does not contain declared merge key: name/.test(error.message),
  );
});

test('strategic merge applies the exact patch kubectl 1.32 apply sent for a changed Job (captured)', () => {
  const live: JsonObject = {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j1', namespace: 'default' },
    spec: { backoffLimit: 0, template: { spec: {
      restartPolicy: 'Never', volumes: [{ name: 'work', emptyDir: {} }],
      containers: [{ name: 'main', image: 'busybox:3', env: [{ name: 'A', value: '1' }, { name: 'D', value: '4' }], volumeMounts: [{ name: 'work', mountPath: '/work' }], resources: { limits: { cpu: '1' } } }],
    } } },
  };
  const captured = JSON.parse('{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"main"}],"containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"E"}],"env":[{"name":"E","value":"5"},{"$patch":"delete","name":"D"}],"image":"busybox:4","name":"main"}]}}}}') as JsonObject;
  const result = applyStrategicMergePatch(live, captured, 'batch/v1', 'Job');
  assert.deepEqual(containers(result), [{ name: 'main', image: 'busybox:4', env: [{ name: 'A', value: '1' }, { name: 'E', value: '5' }], volumeMounts: [{ name: 'work', mountPath: '/work' }], resources: { limits: { cpu: '1' } } }]);
  assert.deepEqual(spec(result).volumes, [{ name: 'work', emptyDir: {} }]);
});
