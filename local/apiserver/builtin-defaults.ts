/**
 * Defaults kube-apiserver applies to built-in kinds on create, where controllers and
 * kubectl output rely on them (mutates the object; pure otherwise).
 */
import type { JsonObject } from './types.ts';

function obj(parent: JsonObject, key: string): JsonObject {
  const value = parent[key];
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  const created: JsonObject = {};
  parent[key] = created;
  return created;
}

/**
 * defaultJob fills what the batch/v1 Job strategy and defaulters set: completions,
 * parallelism, backoffLimit, completionMode, suspend, and the generated selector with the
 * `batch.kubernetes.io/controller-uid` and `job-name` labels on the pod template.
 */
export function defaultJob(job: JsonObject): void {
  const meta = obj(job, 'metadata');
  const spec = obj(job, 'spec');
  spec.completions ??= 1;
  spec.parallelism ??= 1;
  spec.backoffLimit ??= 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  const template = obj(spec, 'template');
  const templateMeta = obj(template, 'metadata');
  const labels = obj(templateMeta, 'labels');
  if (spec.selector === undefined && typeof meta.uid === 'string') {
    const uid = meta.uid;
    const name = String(meta.name ?? '');
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    Object.assign(labels, { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name });
  }
  const podSpec = obj(template, 'spec');
  podSpec.dnsPolicy ??= 'ClusterFirst';
  podSpec.terminationGracePeriodSeconds ??= 30;
  podSpec.schedulerName ??= 'default-scheduler';
}

/** defaultPod fills the Pod defaults controllers read (restartPolicy, dnsPolicy, grace period). */
export function defaultPod(pod: JsonObject): void {
  const spec = obj(pod, 'spec');
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
}

/** applyBuiltinDefaults applies the create-time defaults of a built-in storage key (mutates `object`). */
export function applyBuiltinDefaults(storageKey: string, object: JsonObject): void {
  if (storageKey === 'batch/jobs') defaultJob(object);
  else if (storageKey === '/pods') defaultPod(object);
}
