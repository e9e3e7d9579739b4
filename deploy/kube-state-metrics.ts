/**
 * KSM_CONFIG: kube-state-metrics' CustomResourceState configuration exposing each Featherman
 * resource's phase, snapshot, rows, bytes and conditions (`--custom-resource-state-config-file`).
 * ksmMetricNames lists the metric names it produces, for the dashboard test.
 */

const GROUP = 'ducklake.featherman.dev';
const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed'];

interface Gauge {
  name: string;
  help: string;
  path: string[];
}

interface ResourceMetrics {
  kind: string;
  prefix: string;
  gauges: Gauge[];
}

const RESOURCES: ResourceMetrics[] = [
  {
    kind: 'DuckLakeCatalog',
    prefix: 'featherman_ducklakecatalog',
    gauges: [
      { name: 'snapshot', help: 'The latest committed snapshot id.', path: ['status', 'snapshotId'] },
      { name: 'tables', help: 'Tables in the catalog.', path: ['status', 'tableCount'] },
    ],
  },
  {
    kind: 'DuckLakeTable',
    prefix: 'featherman_ducklaketable',
    gauges: [
      { name: 'snapshot', help: 'The snapshot of the last successful change.', path: ['status', 'lastAppliedSnapshot'] },
      { name: 'rows', help: 'Rows in the table.', path: ['status', 'rowCount'] },
      { name: 'bytes', help: 'Bytes of the visible data files.', path: ['status', 'bytesWritten'] },
      { name: 'files', help: 'Visible data files.', path: ['status', 'fileCount'] },
    ],
  },
  {
    kind: 'DuckLakeQuery',
    prefix: 'featherman_ducklakequery',
    gauges: [
      { name: 'snapshot', help: 'The snapshot the query read.', path: ['status', 'snapshotId'] },
      { name: 'rows', help: 'Rows in the result.', path: ['status', 'rows'] },
      { name: 'bytes', help: 'Bytes of the result file.', path: ['status', 'bytes'] },
    ],
  },
];

function metricsOf(resource: ResourceMetrics): Record<string, unknown>[] {
  return [
    { name: 'phase', help: 'The resource phase (1 for the current one).', each: { type: 'StateSet', stateSet: { labelName: 'phase', path: ['status', 'phase'], list: PHASES } } },
    ...resource.gauges.map((gauge) => ({ name: gauge.name, help: gauge.help, each: { type: 'Gauge', gauge: { path: gauge.path, nilIsZero: true } } })),
    {
      name: 'condition',
      help: 'Each status condition (1 when True), labelled by type and reason.',
      each: { type: 'Gauge', gauge: { path: ['status', 'conditions'], labelsFromPath: { type: ['type'], reason: ['reason'] }, valueFrom: ['status'] } },
    },
  ];
}

/** KSM_CONFIG is the CustomResourceStateMetrics document (data only). */
export const KSM_CONFIG: Record<string, unknown> = {
  kind: 'CustomResourceStateMetrics',
  spec: {
    resources: RESOURCES.map((resource) => ({
      groupVersionKind: { group: GROUP, version: 'v1alpha1', kind: resource.kind },
      metricNamePrefix: resource.prefix,
      labelsFromPath: { namespace: ['metadata', 'namespace'], name: ['metadata', 'name'] },
      metrics: metricsOf(resource),
    })),
  },
};

/** ksmMetricNames returns every metric name KSM_CONFIG makes kube-state-metrics export (pure). */
export function ksmMetricNames(): string[] {
  return RESOURCES.flatMap((resource) => metricsOf(resource).map((metric) => `${resource.prefix}_${String(metric.name)}`));
}
