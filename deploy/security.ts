/**
 * buildSecurity: the admission webhook registration (TLS through Knative's cluster-local
 * domain TLS, its CA injected by cert-manager) and the NetworkPolicy that lets only the
 * eventing data plane, the Knative ingress/activator and the API server reach the functions.
 */
import { serviceName } from './handlers.ts';
import { labelsFor, PART_OF, type Manifest } from './manifest.ts';
import type { DeploySettings } from './settings.ts';

/** METRICS_PORT is the functions' container port, where GET /metrics answers. */
export const METRICS_PORT = 8080;

function namespaceNamed(name: string): Record<string, unknown> {
  return { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': name } } };
}

/** buildSecurity returns the webhook configuration and the NetworkPolicy (pure). */
export function buildSecurity(settings: DeploySettings): Manifest[] {
  const namespace = settings.namespace;
  return [
    {
      file: 'security/admission-webhook.yaml',
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'featherman-admission', labels: labelsFor('admission'), annotations: { 'cert-manager.io/inject-ca-from-secret': settings.admission.caSecret } },
        webhooks: [
          {
            name: 'validate.ducklake.featherman.dev',
            admissionReviewVersions: ['v1'],
            sideEffects: 'None',
            failurePolicy: 'Fail',
            timeoutSeconds: 10,
            clientConfig: { service: { name: serviceName('admission'), namespace, port: 443, path: '/' } },
            rules: [
              {
                apiGroups: ['ducklake.featherman.dev'],
                apiVersions: ['v1alpha1'],
                operations: ['CREATE', 'UPDATE'],
                resources: ['ducklakecatalogs', 'ducklaketables', 'ducklakequeries'],
                scope: 'Namespaced',
              },
            ],
          },
        ],
      },
    },
    {
      file: 'security/network-policy.yaml',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'featherman-functions', namespace, labels: labelsFor('network-policy') },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF } },
          policyTypes: ['Ingress'],
          ingress: [
            {
              from: [
                namespaceNamed('knative-eventing'),
                namespaceNamed('knative-serving'),
                namespaceNamed(settings.networkPolicy.ingressNamespace),
                { ipBlock: { cidr: settings.networkPolicy.apiServerCidr } },
              ],
            },
          ],
        },
      },
    },
    {
      file: 'security/metrics-network-policy.yaml',
      when: 'metrics.scrape',
      object: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'featherman-metrics', namespace, labels: labelsFor('network-policy') },
        spec: {
          podSelector: { matchLabels: { 'app.kubernetes.io/part-of': PART_OF } },
          policyTypes: ['Ingress'],
          ingress: [{ from: [namespaceNamed(settings.metrics.namespace)], ports: [{ protocol: 'TCP', port: METRICS_PORT }] }],
        },
      },
    },
  ];
}
