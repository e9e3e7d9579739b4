/**
 * Manifest: one Kubernetes object the install consists of, with the file of the kustomize
 * base (and chart template) that holds it, and the setting that switches it on, if any.
 */
import type { Condition } from './settings.ts';

/** Manifest is one object plus where it is written. */
export interface Manifest {
  /** file is the path under knative/ and under charts/featherman/templates/. */
  file: string;
  /** when names the boolean setting that includes this object; all objects of a file share it. */
  when?: Condition;
  object: Record<string, unknown>;
}

/** PART_OF is the app.kubernetes.io/part-of label of everything Featherman installs. */
export const PART_OF = 'featherman';

/** labelsFor returns the standard labels of one component (pure). */
export function labelsFor(component: string): Record<string, string> {
  return { 'app.kubernetes.io/part-of': PART_OF, 'app.kubernetes.io/component': component };
}

/** sinkToBroker is the Addressable reference of the Featherman Broker (pure). */
export function sinkToBroker(namespace: string): Record<string, unknown> {
  return { ref: { apiVersion: 'eventing.knative.dev/v1', kind: 'Broker', name: BROKER, namespace } };
}

/** BROKER is the name of the Broker every source sends to. */
export const BROKER = 'featherman';
/** DEAD_LETTER is the Knative Service that keeps events whose delivery failed. */
export const DEAD_LETTER = 'featherman-dead-letter';

/** deliveryPolicy: retries with exponential backoff, then the dead-letter sink (pure). */
export function deliveryPolicy(namespace: string): Record<string, unknown> {
  return {
    retry: 6,
    backoffPolicy: 'exponential',
    backoffDelay: 'PT0.5S',
    deadLetterSink: { ref: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: DEAD_LETTER, namespace } },
  };
}
