/**
 * buildEventing: the Broker, one ApiServerSource per watched kind (Reference mode: the
 * functions re-read the object), the Triggers that route each (type, kind) to its
 * function, and the PingSource that drives the sweep.
 */
import { FUNCTION_PROFILES, serviceName, type EventRoute } from './handlers.ts';
import { BROKER, deliveryPolicy, labelsFor, sinkToBroker, type Manifest } from './manifest.ts';
import { SOURCE_WATCHES, sourceAccountName } from './rbac.ts';
import type { DeploySettings } from './settings.ts';

/** NAMESPACE_LABEL opts a namespace in: the sources watch only namespaces that carry it. */
export const NAMESPACE_LABEL = 'featherman.dev/watch';

function triggerName(handler: string, route: EventRoute): string {
  const verb = route.type.split('.').pop() ?? 'event';
  return route.kind === undefined ? `${handler}-${verb}` : `${handler}-${route.kind.toLowerCase()}-${verb}`;
}

/** triggerFor builds the Trigger routing one event type (and kind) to a function (pure). */
export function triggerFor(handler: string, route: EventRoute, namespace: string, file: string): Manifest {
  const attributes: Record<string, string> = { type: route.type };
  if (route.kind !== undefined) attributes.kind = route.kind;
  return {
    file,
    object: {
      apiVersion: 'eventing.knative.dev/v1',
      kind: 'Trigger',
      metadata: { name: `featherman-${triggerName(handler, route)}`, namespace, labels: labelsFor(handler) },
      spec: {
        broker: BROKER,
        filter: { attributes },
        subscriber: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: serviceName(handler), namespace } },
        delivery: deliveryPolicy(namespace),
      },
    },
  };
}

/** buildEventing returns the eventing objects (pure). */
export function buildEventing(settings: DeploySettings): Manifest[] {
  const namespace = settings.namespace;
  const out: Manifest[] = [
    {
      file: 'eventing/broker.yaml',
      object: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', metadata: { name: BROKER, namespace, labels: labelsFor('broker') }, spec: { delivery: deliveryPolicy(namespace) } },
    },
  ];
  for (const watch of SOURCE_WATCHES) {
    const resource: Record<string, unknown> = { apiVersion: watch.apiVersion, kind: watch.kind };
    if (watch.selector !== undefined) resource.selector = { matchLabels: watch.selector };
    out.push({
      file: 'eventing/sources.yaml',
      object: {
        apiVersion: 'sources.knative.dev/v1',
        kind: 'ApiServerSource',
        metadata: { name: `featherman-${watch.name}`, namespace, labels: labelsFor(`source-${watch.name}`) },
        spec: {
          mode: 'Reference',
          serviceAccountName: sourceAccountName(watch),
          namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: 'true' } },
          resources: [resource],
          sink: sinkToBroker(namespace),
        },
      },
    });
  }
  for (const profile of FUNCTION_PROFILES) {
    for (const route of profile.routes) out.push(triggerFor(profile.name, route, namespace, 'eventing/triggers.yaml'));
  }
  out.push({
    file: 'eventing/sweep.yaml',
    object: {
      apiVersion: 'sources.knative.dev/v1',
      kind: 'PingSource',
      metadata: { name: 'featherman-sweep', namespace, labels: labelsFor('sweep') },
      spec: {
        schedule: settings.sweep.schedule,
        timezone: settings.sweep.timezone,
        contentType: 'application/json',
        data: '{"task":"sweep"}',
        sink: sinkToBroker(namespace),
      },
    },
  });
  return out;
}
