import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, PatchError } from '../../local/apiserver/patch/json-patch.ts';

const configMap = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', labels: { 'app.kubernetes.io/name': 'lake' }, finalizers: ['a', 'b'] },
  data: { 'a/b': '1', 'c~d': '2' },
};

const ok: Array<[string, unknown, unknown]> = [
  ['adds a label', [{ op: 'add', path: '/metadata/labels/team', value: 'x' }],
    { ...configMap, metadata: { ...configMap.metadata, labels: { 'app.kubernetes.io/name': 'lake', team: 'x' } } }],
  ['appends with -', [{ op: 'add', path: '/metadata/finalizers/-', value: 'c' }],
    { ...configMap, metadata: { ...configMap.metadata, finalizers: ['a', 'b', 'c'] } }],
  ['inserts at an index', [{ op: 'add', path: '/metadata/finalizers/0', value: 'z' }],
    { ...configMap, metadata: { ...configMap.metadata, finalizers: ['z', 'a', 'b'] } }],
  ['removes an element', [{ op: 'remove', path: '/metadata/finalizers/0' }],
    { ...configMap, metadata: { ...configMap.metadata, finalizers: ['b'] } }],
  ['unescapes ~1 and ~0', [{ op: 'replace', path: '/data/a~1b', value: 'x' }, { op: 'remove', path: '/data/c~0d' }],
    { ...configMap, data: { 'a/b': 'x' } }],
  ['moves a key', [{ op: 'move', from: '/data/a~1b', path: '/data/moved' }],
    { ...configMap, data: { 'c~d': '2', moved: '1' } }],
  ['copies a key', [{ op: 'copy', from: '/data/c~0d', path: '/data/copy' }],
    { ...configMap, data: { 'a/b': '1', 'c~d': '2', copy: '2' } }],
  ['passes a test then replaces', [{ op: 'test', path: '/data/a~1b', value: '1' }, { op: 'replace', path: '/data/a~1b', value: '9' }],
    { ...configMap, data: { 'a/b': '9', 'c~d': '2' } }],
  ['replaces the whole document', [{ op: 'replace', path: '', value: { a: 1 } }], { a: 1 }],
];

for (const [name, ops, expected] of ok) {
  test(`json patch ${name}`, () => {
    const before = structuredClone(configMap);
    assert.deepEqual(applyJsonPatch(configMap, ops), expected);
    assert.deepEqual(configMap, before, 'the target is not mutated');
  });
}

const bad: Array<[string, unknown, RegExp]> = [
  ['a failed test', [{ op: 'test', path: '/data/a~1b', value: '2' }], /^testing value \/data\/a~1b failed: test failed$/],
  ['replacing a missing key', [{ op: 'replace', path: '/data/nope', value: 'x' }], /replace operation does not apply: doc is missing key: \/data\/nope/],
  ['removing a missing key', [{ op: 'remove', path: '/spec' }], /remove operation does not apply/],
  ['adding under a missing parent', [{ op: 'add', path: '/spec/x', value: 1 }], /add operation does not apply: doc is missing path: "\/spec\/x"/],
  ['an index past the end', [{ op: 'add', path: '/metadata/finalizers/5', value: 'x' }], /invalid index referenced/],
  ['an unknown op', [{ op: 'frobnicate', path: '/a' }], /Unexpected kind: frobnicate/],
  ['a non-array patch', { op: 'add' }, /cannot unmarshal/],
  ['an add without value', [{ op: 'add', path: '/data/x' }], /missing value/],
  ['a later failure after earlier success', [{ op: 'add', path: '/data/x', value: '1' }, { op: 'test', path: '/data/x', value: '2' }], /test failed/],
];

for (const [name, ops, message] of bad) {
  test(`json patch rejects ${name}`, () => {
    const before = structuredClone(configMap);
    assert.throws(() => applyJsonPatch(configMap, ops), (error: unknown) => error instanceof PatchError && message.test(error.message));
    assert.deepEqual(configMap, before, 'the target is not mutated');
  });
}

test('json patch refuses more than 10000 operations with 413 like kube-apiserver', () => {
  const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'ConfigMap' }));
  assert.throws(() => applyJsonPatch(configMap, ops), (error: unknown) => error instanceof PatchError && error.status === 413 && error.reason === 'RequestEntityTooLarge');
  assert.deepEqual(applyJsonPatch(configMap, ops.slice(0, 10000)), configMap);
});
