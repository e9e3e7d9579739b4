/**
 * buildRunnerJob turns a plan into the batch/v1 Job that runs it (DESIGN.md §5). Pure:
 * the adapter creates what this returns. The pod passes Pod Security "restricted", and
 * the hardening is applied after the ConfigMap overrides so they cannot undo it.
 */
import type { Plan } from '../../api/plan.ts';
import { CACHE_DIR, CATALOG_MOUNT } from '../core/plan-build.ts';
import { catalogPvcName, LABELS, labelValue, MANAGED_BY, type JobOp } from '../core/names.ts';
import type { DuckLakeCatalog, OwnerRef } from '../core/resources.ts';
import type { CredentialsSecretRef } from './credentials.ts';
import type { Container, Job, JSONObject, PodSpec } from './k8s-types.ts';
import { mergeObjects, type PodOverrides } from './pod-overrides.ts';

/** RUNNER_CONTAINER is the name of the runner container (overrides address it by name). */
export const RUNNER_CONTAINER = 'runner';

/** RUNNER_UID is the non-root user the runner runs as (distroless `nonroot`). */
export const RUNNER_UID = 65532;

/** JobSettings are the knobs of runner Jobs; each has a default. */
export interface JobSettings {
  backoffLimit: number;
  activeDeadlineSeconds: number;
  ttlSecondsAfterFinished: number;
  /** volumeWaitSeconds is how long the init container waits for the catalog volume. */
  volumeWaitSeconds: number;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  cacheSizeLimit: string;
  /** memoryLimit is DuckDB's memory_limit, kept below the container limit. */
  memoryLimit: string;
  command?: string[];
}

/** DEFAULT_JOB_SETTINGS: two retries, one hour, results kept an hour for the job-finished function. */
export const DEFAULT_JOB_SETTINGS: JobSettings = {
  backoffLimit: 2,
  activeDeadlineSeconds: 3600,
  ttlSecondsAfterFinished: 3600,
  volumeWaitSeconds: 120,
  resources: { requests: { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '1Gi' }, limits: { memory: '1Gi', 'ephemeral-storage': '4Gi' } },
  cacheSizeLimit: '4Gi',
  memoryLimit: '640MB',
};

/** RunnerJobInput is everything buildRunnerJob needs. */
export interface RunnerJobInput {
  name: string;
  namespace: string;
  owner: OwnerRef;
  plan: Plan;
  catalog: DuckLakeCatalog;
  image: string;
  op: JobOp;
  /** readOnly mounts the catalog volume read-only (queries, checks, backups). */
  readOnly: boolean;
  /** credentialsSecret overrides the catalog's (a table with its own object store). */
  credentialsSecret?: CredentialsSecretRef | undefined;
  generation?: number;
  podOverrides?: PodOverrides | undefined;
  settings?: Partial<JobSettings>;
}

// Waits until the volume's folder exists and is readable (or writable): a volume that
// attaches late would otherwise fail the runner at once. No shell in distroless images.
const WAIT_SCRIPT = [
  "const fs=require('node:fs');const [dir,secs,mode]=process.argv.slice(1);const end=Date.now()+Number(secs)*1000;",
  "const ok=()=>{try{fs.accessSync(dir,mode==='rw'?fs.constants.W_OK:fs.constants.R_OK);return fs.statSync(dir).isDirectory();}catch{return false;}};",
  "(function poll(){if(ok())process.exit(0);if(Date.now()>end){console.error('catalog volume '+dir+' is not ready after '+secs+' s');process.exit(1);}setTimeout(poll,1000);})();",
].join('');

const CONTAINER_SECURITY = {
  runAsNonRoot: true,
  runAsUser: RUNNER_UID,
  runAsGroup: RUNNER_UID,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  privileged: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** runnerLabels are the labels of a runner Job and its pod (pure). */
export function runnerLabels(input: Pick<RunnerJobInput, 'owner' | 'catalog' | 'op' | 'generation'>): Record<string, string> {
  const { owner } = input;
  return {
    [LABELS.managedBy]: MANAGED_BY,
    [LABELS.component]: 'runner',
    [LABELS.catalog]: labelValue(input.catalog.metadata.name),
    ...(owner.kind === 'DuckLakeTable' ? { [LABELS.table]: labelValue(owner.name) } : {}),
    ...(owner.kind === 'DuckLakeQuery' ? { [LABELS.query]: labelValue(owner.name) } : {}),
    [LABELS.operation]: input.op,
    [LABELS.ownerUid]: labelValue(owner.uid),
    ...(input.generation !== undefined ? { [LABELS.generation]: String(input.generation) } : {}),
  };
}

function credentialEnv(secret: CredentialsSecretRef | undefined): JSONObject[] {
  if (secret === undefined) return [];
  return [
    { name: 'AWS_ACCESS_KEY_ID', valueFrom: { secretKeyRef: { name: secret.name, key: secret.accessKeyField } } },
    { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: { secretKeyRef: { name: secret.name, key: secret.secretKeyField } } },
  ];
}

function runnerContainer(input: RunnerJobInput, settings: JobSettings): Container {
  const secret = input.credentialsSecret ?? input.catalog.spec.objectStore.credentialsSecret;
  return {
    name: RUNNER_CONTAINER,
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    ...(settings.command ? { command: [...settings.command] } : {}),
    env: [
      { name: 'FEATHERMAN_PLAN', value: JSON.stringify(input.plan) },
      { name: 'FEATHERMAN_TERMINATION_LOG', value: '/dev/termination-log' },
      { name: 'FEATHERMAN_MEMORY_LIMIT', value: settings.memoryLimit },
      { name: 'AWS_REGION', value: input.plan.objectStore.region },
      { name: 'HOME', value: '/tmp' },
      { name: 'TMPDIR', value: '/tmp' },
      ...credentialEnv(secret),
    ],
    resources: structuredClone(settings.resources),
    volumeMounts: [
      { name: 'catalog', mountPath: CATALOG_MOUNT, readOnly: input.readOnly },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'cache', mountPath: CACHE_DIR },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: structuredClone(CONTAINER_SECURITY),
  };
}

function waitContainer(input: RunnerJobInput, settings: JobSettings): Container {
  return {
    name: 'wait-for-catalog-volume',
    image: input.image,
    imagePullPolicy: 'IfNotPresent',
    command: ['node', '-e', WAIT_SCRIPT, CATALOG_MOUNT, String(settings.volumeWaitSeconds), input.readOnly ? 'ro' : 'rw'],
    resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    volumeMounts: [{ name: 'catalog', mountPath: CATALOG_MOUNT, readOnly: input.readOnly }],
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: structuredClone(CONTAINER_SECURITY),
  };
}

// Volume types Pod Security "restricted" allows; overrides adding others (hostPath) are dropped.
const ALLOWED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

// Re-applied after the overrides: what Pod Security "restricted" and the plan depend on.
function harden(spec: PodSpec, input: RunnerJobInput): PodSpec {
  const containers = [...(spec.initContainers ?? []), ...spec.containers];
  for (const container of containers) {
    const own = isObject(container.securityContext) ? container.securityContext : {};
    container.securityContext = { ...own, ...structuredClone(CONTAINER_SECURITY) };
    const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
    for (const mount of mounts) if (isObject(mount) && mount.name === 'catalog' && input.readOnly) mount.readOnly = true;
  }
  const runner = spec.containers.find((container) => container.name === RUNNER_CONTAINER);
  if (runner) {
    const env: unknown[] = Array.isArray(runner.env) ? runner.env : [];
    runner.env = [{ name: 'FEATHERMAN_PLAN', value: JSON.stringify(input.plan) }, ...env.filter((item) => !(isObject(item) && item.name === 'FEATHERMAN_PLAN'))];
  }
  const volumes = (Array.isArray(spec.volumes) ? spec.volumes : [])
    .filter((volume) => isObject(volume) && Object.keys(volume).some((key) => ALLOWED_VOLUME_TYPES.has(key)))
    .map((volume) => (isObject(volume) && volume.name === 'catalog' ? catalogVolume(input) : volume));
  const podSecurity = isObject(spec.securityContext) ? spec.securityContext : {};
  return {
    ...spec,
    volumes,
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    hostNetwork: false,
    hostPID: false,
    hostIPC: false,
    securityContext: { ...podSecurity, runAsNonRoot: true, runAsUser: RUNNER_UID, runAsGroup: RUNNER_UID, fsGroup: RUNNER_UID, seccompProfile: { type: 'RuntimeDefault' } },
  };
}

function catalogVolume(input: RunnerJobInput): JSONObject {
  return { name: 'catalog', persistentVolumeClaim: { claimName: catalogPvcName(input.catalog.metadata.name), readOnly: input.readOnly } };
}

function isObject(value: unknown): value is JSONObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * buildRunnerJob builds the runner Job for one plan (pure): labels, a controlling
 * ownerReference, a hardened pod with the catalog volume (read-only for read operations),
 * emptyDirs for /tmp and the cache, the plan in FEATHERMAN_PLAN, S3 credentials by
 * secretKeyRef, the result on /dev/termination-log, and an init container that waits for
 * the catalog volume; then the ConfigMap's pod overrides, then the hardening again.
 */
export function buildRunnerJob(input: RunnerJobInput): Job {
  const settings: JobSettings = { ...DEFAULT_JOB_SETTINGS, ...input.settings };
  const labels = runnerLabels(input);
  const basePod: PodSpec = {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    enableServiceLinks: false,
    terminationGracePeriodSeconds: 30,
    initContainers: [waitContainer(input, settings)],
    containers: [runnerContainer(input, settings)],
    volumes: [
      catalogVolume(input),
      { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
      { name: 'cache', emptyDir: { sizeLimit: settings.cacheSizeLimit } },
    ],
  };
  const overrides = input.podOverrides;
  const podSpec = harden(mergeObjects(basePod, overrides?.spec), input);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      labels,
      ownerReferences: [{ apiVersion: input.owner.apiVersion, kind: input.owner.kind, name: input.owner.name, uid: input.owner.uid, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      backoffLimit: settings.backoffLimit,
      activeDeadlineSeconds: settings.activeDeadlineSeconds,
      ttlSecondsAfterFinished: settings.ttlSecondsAfterFinished,
      completions: 1,
      parallelism: 1,
      template: {
        metadata: {
          labels: { ...overrides?.metadata?.labels, ...labels },
          ...(overrides?.metadata?.annotations ? { annotations: { ...overrides.metadata.annotations } } : {}),
        },
        spec: podSpec,
      },
    },
  };
}
