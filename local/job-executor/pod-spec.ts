/**
 * Pure builders for the job executor: the Pod a Job gets (name, labels, owner), the runner
 * command a container maps to, and the rewriting of container paths to local folders.
 */
import { randomInt } from 'node:crypto';
import type { V1Container, V1Job, V1Pod } from '@kubernetes/client-node';

/** NODE_NAME is the node every local Pod runs on. */
export const NODE_NAME = 'featherman-local';

// The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes).
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** podNameFor is `<job>-<5 random chars>`, the Job controller's generateName (random). */
export function podNameFor(jobName: string): string {
  let suffix = '';
  for (let index = 0; index < 5; index += 1) suffix += SUFFIX_ALPHABET[randomInt(SUFFIX_ALPHABET.length)];
  return `${jobName.slice(0, 57)}-${suffix}`;
}

/**
 * buildPod builds the Pod object for one attempt of a Job: the template's labels plus
 * `job-name`/`controller-uid` (and their batch.kubernetes.io forms), a controller
 * ownerReference to the Job, the template spec bound to the local node (pure).
 */
export function buildPod(job: V1Job, podName: string): V1Pod {
  const jobName = job.metadata?.name ?? '';
  const uid = job.metadata?.uid ?? '';
  const template = job.spec?.template;
  const labels = {
    ...(template?.metadata?.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid,
    'batch.kubernetes.io/job-name': jobName,
    'controller-uid': uid,
    'job-name': jobName,
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName,
      namespace: job.metadata?.namespace,
      labels,
      annotations: template?.metadata?.annotations,
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: jobName, uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: { ...(template?.spec ?? { containers: [] }), nodeName: NODE_NAME },
  };
}

/**
 * runnerArguments are the arguments the runner gets from a container: whatever follows
 * the script in `command` + `args` (an entry ending in runner.mjs, the image's bundle, or
 * main.ts/main.js), or else `args` alone. The image's entry point itself always becomes
 * the runner bundle built from this checkout (pure).
 */
export function runnerArguments(container: V1Container): string[] {
  const all = [...(container.command ?? []), ...(container.args ?? [])];
  const script = all.findIndex((part) => /(^|\/)(main\.(ts|js|mjs)|runner\.mjs)$/.test(part));
  return script >= 0 ? all.slice(script + 1) : [...(container.args ?? [])];
}

/** LocalMount maps a container mount path to a local folder. */
export interface LocalMount {
  mountPath: string;
  localPath: string;
  readOnly: boolean;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * rewritePaths replaces each mount path found in a value (as a whole path or a prefix
 * followed by `/`, also inside JSON such as a plan) with its local folder; the longest
 * mount path wins (pure).
 */
export function rewritePaths(value: string, mounts: readonly LocalMount[]): string {
  const ordered = mounts.filter((mount) => mount.mountPath !== '/' && mount.mountPath !== '').sort((a, b) => b.mountPath.length - a.mountPath.length);
  if (ordered.length === 0) return value;
  const byPath = new Map(ordered.map((mount) => [mount.mountPath.replace(/\/+$/, ''), mount.localPath]));
  const alternatives = [...byPath.keys()].map(escapeRegExp).join('|');
  // A path starts the value or follows a character that cannot be part of a path.
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.\\-/~])(${alternatives})(?=$|/|[^A-Za-z0-9_.\\-])`, 'g');
  return value.replace(pattern, (_match, before: string, path: string) => `${before}${byPath.get(path) ?? path}`);
}
