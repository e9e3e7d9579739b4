import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { parse } from 'yaml';
import { buildDashboard, dashboardQueries } from '../../deploy/dashboard.ts';
import { KSM_CONFIG, ksmMetricNames } from '../../deploy/kube-state-metrics.ts';
import { createFunctionsMetrics, metricsRoute } from '../../functions/metrics.ts';

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/** metricNames extracts the metric names a PromQL expression selects (labels, functions and keywords removed). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/(?<![A-Za-z0-9_:])\d+(\.\d+)?(e[-+]?\d+)?/gi, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const token = match[0];
    const next = stripped.slice((match.index ?? 0) + token.length).trimStart();
    if (next.startsWith('(') || KEYWORDS.has(token.toLowerCase()) || /^\d/.test(token)) continue;
    names.push(token);
  }
  return names;
}

function exportedNames(): Set<string> {
  const metrics = createFunctionsMetrics();
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    const type = (metric as unknown as { type: string }).type;
    const name = (metric as unknown as { name: string }).name;
    if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    else names.add(name);
  }
  for (const name of ksmMetricNames()) names.add(name);
  return names;
}

test('the metric-name extraction finds selectors and skips functions, labels and keywords', () => {
  assert.deepEqual(metricNames('histogram_quantile(0.95, sum by (le, kind) (rate(a_b_bucket{x="y{z}"}[5m]))) / on (kind) c'), ['a_b_bucket', 'c']);
});

test('every dashboard query selects only metrics the code exports (functions registry or the kube-state-metrics config)', () => {
  const exported = exportedNames();
  const queries = dashboardQueries();
  assert.ok(queries.length >= 8);
  const used = new Set(queries.flatMap(metricNames));
  assert.deepEqual([...used].filter((name) => !exported.has(name)), []);
  for (const family of ['featherman_events_total', 'featherman_jobs_created_total', 'featherman_reconcile_duration_seconds_bucket', 'featherman_ducklaketable_phase', 'featherman_ducklaketable_rows', 'featherman_ducklaketable_bytes']) assert.ok(used.has(family), family);
});

test('the committed dashboard JSON is the generated one and the template variable uses an exported metric', () => {
  const committed = JSON.parse(readFileSync('dashboards/featherman.json', 'utf8')) as { templating: { list: { query: string }[] } };
  assert.deepEqual(committed, buildDashboard());
  const variable = committed.templating.list.find((item) => item.query.startsWith('label_values'));
  assert.ok(variable && exportedNames().has(variable.query.replace(/^label_values\(([^,]+),.*$/, '$1')));
});

test('each kube-state-metrics path names a status field of the CRD schema', () => {
  const resources = (KSM_CONFIG.spec as { resources: { groupVersionKind: { kind: string }; metrics: { each: Record<string, { path?: string[] }> }[] }[] }).resources;
  for (const resource of resources) {
    const plural = { DuckLakeCatalog: 'ducklakecatalogs', DuckLakeTable: 'ducklaketables', DuckLakeQuery: 'ducklakequeries' }[resource.groupVersionKind.kind];
    const crd = parse(readFileSync(`crds/${plural ?? 'unknown'}.yaml`, 'utf8')) as { spec: { versions: { schema: { openAPIV3Schema: unknown } }[] } };
    for (const metric of resource.metrics) {
      for (const body of Object.values(metric.each)) {
        if (typeof body !== 'object' || body.path === undefined) continue;
        let node = crd.spec.versions[0]?.schema.openAPIV3Schema as { properties?: Record<string, unknown> } | undefined;
        for (const part of body.path) node = node?.properties?.[part] as typeof node;
        assert.ok(node, `${resource.groupVersionKind.kind}: ${body.path.join('.')}`);
      }
    }
  }
});

test('GET /metrics serves the three families in the Prometheus text format', async () => {
  const metrics = createFunctionsMetrics();
  metrics.events.inc({ handler: 'reconcile-table', type: 'dev.knative.apiserver.ref.add', outcome: 'ok' });
  metrics.jobsCreated.inc({ operation: 'ingest' });
  metrics.reconcileSeconds.observe({ kind: 'DuckLakeTable', outcome: 'ok' }, 0.04);
  const app = express();
  app.get('/metrics', metricsRoute(metrics.registry));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
    const text = await response.text();
    assert.match(text, /featherman_events_total\{handler="reconcile-table",type="dev\.knative\.apiserver\.ref\.add",outcome="ok"\} 1/);
    assert.match(text, /featherman_jobs_created_total\{operation="ingest"\} 1/);
    assert.match(text, /featherman_reconcile_duration_seconds_bucket\{le="0\.05",kind="DuckLakeTable",outcome="ok"\} 1/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
