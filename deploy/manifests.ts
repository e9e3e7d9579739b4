/**
 * buildManifests: every object of a Featherman install for given settings. It is the one
 * source both the kustomize base (knative/) and the Helm chart (charts/featherman) are
 * generated from (deploy/generate.ts).
 */
import { stringify } from 'yaml';
import { buildDashboard } from './dashboard.ts';
import { buildEventing } from './eventing.ts';
import { KSM_CONFIG } from './kube-state-metrics.ts';
import { labelsFor, type Manifest } from './manifest.ts';
import { buildRbac } from './rbac.ts';
import { buildS3Wiring } from './s3-wiring.ts';
import { buildSecurity } from './security.ts';
import { buildServices } from './services.ts';
import { settingAt, type DeploySettings } from './settings.ts';

function buildObservability(settings: DeploySettings): Manifest[] {
  const namespace = settings.namespace;
  return [
    {
      file: 'observability/kube-state-metrics.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'featherman-kube-state-metrics', namespace, labels: labelsFor('metrics') },
        data: { 'custom-resource-state.yaml': stringify(KSM_CONFIG, { lineWidth: 0 }) },
      },
    },
    {
      file: 'observability/dashboard.yaml',
      object: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        // grafana_dashboard: the label the Grafana sidecar (kube-prometheus-stack) watches.
        metadata: { name: 'featherman-dashboard', namespace, labels: { ...labelsFor('dashboard'), grafana_dashboard: '1' } },
        data: { 'featherman.json': `${JSON.stringify(buildDashboard(), null, 2)}\n` },
      },
    },
  ];
}

/** buildAllManifests returns every object whatever the conditions say, each tagged with its condition (pure). */
export function buildAllManifests(settings: DeploySettings): Manifest[] {
  const namespace: Manifest = {
    file: 'namespace.yaml',
    when: 'createNamespace',
    object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: settings.namespace, labels: { ...labelsFor('namespace'), 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  };
  return [namespace, ...buildRbac(settings.namespace), ...buildServices(settings), ...buildEventing(settings), ...buildS3Wiring(settings), ...buildSecurity(settings), ...buildObservability(settings)];
}

/** buildManifests returns the objects installed for these settings (conditions applied; pure). */
export function buildManifests(settings: DeploySettings): Manifest[] {
  return buildAllManifests(settings).filter((manifest) => manifest.when === undefined || settingAt(settings, manifest.when) === true);
}
