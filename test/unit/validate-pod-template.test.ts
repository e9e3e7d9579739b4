import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { findCondition, ready, setConditions } from '../../functions/core/conditions.ts';
import { decideCatalog } from '../../functions/core/decide-catalog.ts';
import { decideTable } from '../../functions/core/decide-table.ts';
import { FINALIZER } from '../../functions/core/names.ts';
import { POD_TEMPLATE_KEY, validatePodTemplate } from '../../functions/core/validate-pod-template.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { decideMaintenance } from '../../functions/handlers/maintenance.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const NOW = new Date('2026-11-25T10:00:00Z');
const WHERE = 'The runner pod template ConfigMap analytics/runner-pod (spec.podTemplate.configMapRef)';

describe('validatePodTemplate', () => {
  it('accepts the template of examples/pod-template, which its catalog names', () => {
    const configMap = parse(readFileSync('examples/pod-template/runner-pod.yaml', 'utf8')) as { metadata: { name: string; namespace: string }; data: Record<string, string> };
    const catalog = parse(readFileSync('examples/pod-template/catalog.yaml', 'utf8')) as { spec: { podTemplate: { configMapRef: { name: string } } } };
    assert.equal(catalog.spec.podTemplate.configMapRef.name, configMap.metadata.name);
    const result = validatePodTemplate(configMap.metadata.namespace, configMap.metadata.name, configMap.data);
    assert.ok(result.ok, JSON.stringify(result));
    assert.deepEqual(result.value.spec?.nodeSelector, { workload: 'batch' });
  });

  it('reads the template key as YAML or JSON', () => {
    const yaml = validatePodTemplate('analytics', 'runner-pod', { [POD_TEMPLATE_KEY]: 'metadata:\n  labels: { team: data }\nspec:\n  nodeSelector: { pool: batch }\n' });
    const qualified = validatePodTemplate('analytics', 'runner-pod', { template: 'metadata:\n  labels: { "example.com/team": data-eng, empty: "" }\n  annotations: { "sidecar.istio.io/inject": "false" }\nspec:\n  priorityClassName: batch.low\n' });
    assert.ok(qualified.ok, JSON.stringify(qualified));
    assert.deepEqual(yaml, { ok: true, value: { metadata: { labels: { team: 'data' } }, spec: { nodeSelector: { pool: 'batch' } } } });
    const json = validatePodTemplate('analytics', 'runner-pod', { template: '{"spec":{"containers":[{"name":"runner","resources":{"limits":{"memory":"2Gi"}}}]}}' });
    assert.ok(json.ok);
  });

  const cases: Array<[string, Record<string, string> | undefined, RegExp]> = [
    ['a missing ConfigMap', undefined, /^The runner pod template ConfigMap analytics\/runner-pod \(spec\.podTemplate\.configMapRef\) does not exist; create it with the key "template" or remove spec\.podTemplate\.$/],
    ['a ConfigMap without the key', { 'pod.yaml': 'spec: {}' }, /has no key "template"; put the pod template \(YAML or JSON\) under data\.template; it has "pod\.yaml"\.$/],
    ['text that is not YAML', { template: 'spec: [unclosed' }, /, key "template": must be YAML or JSON; /],
    ['a list instead of a template', { template: '- a\n- b' }, /, key "template": template: must be a pod template object with metadata and spec; got \["a","b"\]\.$/],
    ['an unknown top-level field', { template: 'kind: Pod\nspec: {}' }, /, key "template": template: unknown field\(s\) kind/],
    ['a label that is not a string', { template: 'metadata:\n  labels: { tier: 3 }' }, /metadata\.labels\.tier: must be a string; got 3\.$/],
    ['a container without a name', { template: 'spec:\n  containers:\n    - image: x' }, /spec\.containers\[0\]\.name: is required\.$/],
    ['a label value with a space', { template: 'metadata:\n  labels: { team: "data eng" }' }, /metadata\.labels\.team: must be a Kubernetes label value .*; got "data eng"\.$/],
    ['a label key with two slashes', { template: 'metadata:\n  labels: { "a/b/c": x }' }, /metadata\.labels\.a\/b\/c: must be a Kubernetes qualified name .*; got the key "a\/b\/c"\.$/],
    ['an annotation key that is too long', { template: `metadata:\n  annotations: { ${'k'.repeat(64)}: x }` }, /metadata\.annotations\.k{64}: must be a Kubernetes qualified name/],
    ['a nodeSelector value over 63 characters', { template: `spec:\n  nodeSelector: { pool: ${'p'.repeat(64)} }` }, /spec\.nodeSelector\.pool: must be a Kubernetes label value/],
    ['an upper-case priority class', { template: 'spec:\n  priorityClassName: High' }, /spec\.priorityClassName: must be a DNS subdomain name .*; got "High"\.$/],
    ['a nodeSelector that is not a map of strings', { template: 'spec:\n  nodeSelector: 3' }, /spec\.nodeSelector: must be a record; got 3\.$/],
  ];
  for (const [what, data, message] of cases) {
    it(`names the ConfigMap, the key and the rule for ${what}`, () => {
      const result = validatePodTemplate('analytics', 'runner-pod', data);
      assert.equal(result.ok, false);
      assert.ok(!result.ok);
      assert.ok(result.message.startsWith(WHERE), result.message);
      assert.match(result.message, message);
    });
  }
});

describe('an unusable pod template in the decisions', () => {
  const catalogRaw = (status?: unknown) => ({
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: 1, finalizers: [FINALIZER] },
    spec: { objectStore: { bucket: 'lake-data' }, podTemplate: { configMapRef: { name: 'runner-pod' } } },
    ...(status !== undefined ? { status } : {}),
  });
  const error = `${WHERE} has no key "template"; put the pod template (YAML or JSON) under data.template.`;
  const config = { image: 'img', podTemplateError: error };

  it('stops the catalog at Ready=False InvalidPodTemplate with one Warning Event and no Job', () => {
    const decision = decideCatalog(catalogRaw(), { jobs: [], pvc: { phase: 'Bound' }, tables: [], config }, NOW);
    const condition = findCondition(decision.status.conditions, 'Ready');
    assert.deepEqual([condition?.status, condition?.reason, condition?.message, decision.status.phase], ['False', 'InvalidPodTemplate', error, 'Failed']);
    assert.deepEqual(decision.actions.map((action) => (action.type === 'emitEvent' ? `${action.event.type}:${action.event.reason}` : action.type)), ['Warning:InvalidPodTemplate']);
    const replay = decideCatalog(catalogRaw(decision.status), { jobs: [], pvc: { phase: 'Bound' }, tables: [], config }, NOW);
    assert.deepEqual(replay.actions, []);
    const fixed = decideCatalog(catalogRaw(decision.status), { jobs: [], pvc: { phase: 'Bound' }, tables: [], config: { image: 'img' } }, NOW);
    assert.deepEqual(fixed.actions.map((action) => action.type), ['createJob']);
  });

  it('makes a table wait with the same message and no Job, and the sweep start no maintenance', () => {
    const checked = validateCatalog(catalogRaw({ conditions: setConditions(undefined, [ready(true, 'Succeeded', 'ok')], NOW, 1) }));
    assert.ok(checked.ok);
    const table = {
      apiVersion: API, kind: 'DuckLakeTable', metadata: { name: 'sales', namespace: 'analytics', uid: 'tab-uid', generation: 1, finalizers: [FINALIZER] },
      spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'BIGINT' }] },
    };
    const decision = decideTable(table, { catalog: checked.value, jobs: [], config }, NOW);
    assert.deepEqual([findCondition(decision.status.conditions, 'Ready')?.reason, findCondition(decision.status.conditions, 'Ready')?.message], ['InvalidPodTemplate', error]);
    assert.equal(decision.actions.filter((action) => action.type === 'createJob').length, 0);
    assert.deepEqual(decideMaintenance(checked.value, [], config, NOW), []);
    assert.ok(decideMaintenance(checked.value, [], { image: 'img' }, NOW).length > 0);
  });
});
