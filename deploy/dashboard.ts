/**
 * buildDashboard: the Grafana dashboard (JSON model) over the functions' Prometheus
 * metrics and the kube-state-metrics custom-resource metrics. Written to
 * dashboards/featherman.json and shipped in a ConfigMap the Grafana sidecar picks up.
 */

interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table';
  unit: string;
  targets: { expr: string; legend: string }[];
}

const NS = 'namespace=~"$namespace"';

const PANELS: PanelSpec[] = [
  { title: 'Events by type and outcome', type: 'timeseries', unit: 'ops', targets: [{ expr: 'sum by (type, outcome) (rate(featherman_events_total[5m]))', legend: '{{type}} {{outcome}}' }] },
  {
    title: 'Failed events (share)',
    type: 'stat',
    unit: 'percentunit',
    targets: [{ expr: 'sum(rate(featherman_events_total{outcome="error"}[15m])) / clamp_min(sum(rate(featherman_events_total[15m])), 1e-9)', legend: 'failed' }],
  },
  { title: 'Jobs created by operation', type: 'timeseries', unit: 'short', targets: [{ expr: 'sum by (operation) (increase(featherman_jobs_created_total[1h]))', legend: '{{operation}}' }] },
  {
    title: 'Reconcile latency',
    type: 'timeseries',
    unit: 's',
    targets: [
      { expr: 'histogram_quantile(0.5, sum by (le, kind) (rate(featherman_reconcile_duration_seconds_bucket[5m])))', legend: 'p50 {{kind}}' },
      { expr: 'histogram_quantile(0.95, sum by (le, kind) (rate(featherman_reconcile_duration_seconds_bucket[5m])))', legend: 'p95 {{kind}}' },
    ],
  },
  { title: 'Tables by phase', type: 'stat', unit: 'short', targets: [{ expr: `sum by (phase) (featherman_ducklaketable_phase{${NS}})`, legend: '{{phase}}' }] },
  { title: 'Resources not Ready', type: 'table', unit: 'short', targets: [
    { expr: `featherman_ducklakecatalog_condition{type="Ready",${NS}} == 0`, legend: 'catalog {{namespace}}/{{name}} {{reason}}' },
    { expr: `featherman_ducklaketable_condition{type="Ready",${NS}} == 0`, legend: 'table {{namespace}}/{{name}} {{reason}}' },
  ] },
  { title: 'Table rows', type: 'timeseries', unit: 'short', targets: [{ expr: `featherman_ducklaketable_rows{${NS}}`, legend: '{{namespace}}/{{name}}' }] },
  { title: 'Table size', type: 'timeseries', unit: 'bytes', targets: [{ expr: `featherman_ducklaketable_bytes{${NS}}`, legend: '{{namespace}}/{{name}}' }] },
  { title: 'Catalog snapshot', type: 'timeseries', unit: 'none', targets: [{ expr: `featherman_ducklakecatalog_snapshot{${NS}}`, legend: '{{namespace}}/{{name}}' }] },
  { title: 'Queries by phase', type: 'stat', unit: 'short', targets: [{ expr: `sum by (phase) (featherman_ducklakequery_phase{${NS}})`, legend: '{{phase}}' }] },
];

/** dashboardQueries lists every PromQL expression of the dashboard (pure). */
export function dashboardQueries(dashboard: Record<string, unknown> = buildDashboard()): string[] {
  const panels = (dashboard.panels ?? []) as { targets?: { expr?: string }[] }[];
  return panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr ?? ''));
}

/** buildDashboard returns the dashboard JSON model (pure). */
export function buildDashboard(): Record<string, unknown> {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  return {
    uid: 'featherman',
    title: 'Featherman',
    tags: ['featherman', 'ducklake'],
    timezone: 'utc',
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Data source' },
        { name: 'namespace', type: 'query', datasource, query: 'label_values(featherman_ducklaketable_phase, namespace)', includeAll: true, multi: true, allValue: '.*', refresh: 2 },
      ],
    },
    panels: PANELS.map((panel, index) => ({
      id: index + 1,
      title: panel.title,
      type: panel.type,
      datasource,
      gridPos: { h: 8, w: 12, x: (index % 2) * 12, y: Math.floor(index / 2) * 8 },
      fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
      targets: panel.targets.map((target, ref) => ({ refId: String.fromCharCode(65 + ref), datasource, expr: target.expr, legendFormat: target.legend })),
    })),
  };
}
