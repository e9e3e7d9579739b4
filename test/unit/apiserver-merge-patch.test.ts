import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from '../../local/apiserver/patch/merge-patch.ts';

// The RFC 7386 appendix A examples, plus a Kubernetes label patch.
const cases: Array<[string, unknown, unknown, unknown]> = [
  ['replaces a member', { a: 'b' }, { a: 'c' }, { a: 'c' }],
  ['adds a member', { a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  ['null deletes a member', { a: 'b' }, { a: null }, {}],
  ['keeps other members when deleting one', { a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  ['replaces an array with a string', { a: ['b'] }, { a: 'c' }, { a: 'c' }],
  ['replaces a string with an array', { a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  ['merges nested objects and deletes inside', { a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  ['replaces arrays whole', { a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  ['array patch replaces the doc', ['a', 'b'], ['c', 'd'], ['c', 'd']],
  ['object patch over an array', { a: 'b' }, ['c'], ['c']],
  ['null patch over an object', { a: 'foo' }, null, null],
  ['string patch over an object', { a: 'foo' }, 'bar', 'bar'],
  ['keeps explicit null out of new objects', { e: null }, { a: 1 }, { e: null, a: 1 }],
  ['creates nested objects and drops nested nulls', [1, 2], { a: 'b', c: null }, { a: 'b' }],
  ['deep null inside a new object', {}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ['patches Kubernetes labels', { metadata: { name: 'x', labels: { app: 'a', tier: 'db' } } },
    { metadata: { labels: { tier: null, team: 'lake' } } },
    { metadata: { name: 'x', labels: { app: 'a', team: 'lake' } } }],
];

for (const [name, target, patch, expected] of cases) {
  test(`merge patch ${name}`, () => {
    const before = structuredClone(target);
    assert.deepEqual(applyMergePatch(target, patch), expected);
    assert.deepEqual(target, before, 'the target is not mutated');
  });
}
