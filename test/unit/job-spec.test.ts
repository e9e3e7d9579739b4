import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Plan } from '../../api/plan.ts';
import { buildApplyTablePlan, buildQueryPlan } from '../../functions/core/plan-build.ts';
import { ownerOf, type DuckLakeCatalog, type DuckLakeQuery, type DuckLakeTable } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { validateQuery } from '../../functions/core/validate-query.ts';
import { validateTable } from '../../functions/core/validate-table.ts';
import { buildEvent } from '../../functions/specs/event.ts';
import { buildRunnerJob, RUNNER_CONTAINER, type RunnerJobInput } from '../../functions/specs/job.ts';
import type { Container, Job, JSONObject, PodSpec } from '../../functions/specs/k8s-types.ts';
import { buildCatalogPvc } from '../../functions/specs/pvc.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const meta = (name: string, uid: string) => ({ name, namespace: 'analytics', uid, generation: 2 });

function catalogOf(objectStore: JSONObject = { bucket: 'lake-data', credentialsSecret: { name: 's3-creds', accessKeyField: 'id', secretKeyField: 'key' } }): DuckLakeCatalog {
  const result = validateCatalog({ apiVersion: API, kind: 'DuckLakeCatalog', metadata: meta('lake', 'cat-uid'), spec: { objectStore, storageClass: 'ssd', size: '2Gi' } });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}
function tableOf(extra: JSONObject = {}): DuckLakeTable {
  const result = validateTable({ apiVersion: API, kind: 'DuckLakeTable', metadata: meta('sales', 'tab-uid'), spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'INT' }], ...extra } });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}
function queryOf(): DuckLakeQuery {
  const result = validateQuery({ apiVersion: API, kind: 'DuckLakeQuery', metadata: meta('q1', 'q-uid'), spec: { catalogRef: 'lake', sql: 'SELECT 1' } });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

function applyJob(overrides: Partial<RunnerJobInput> = {}): Job {
  const catalog = catalogOf();
  const table = tableOf();
  return buildRunnerJob({ name: 'fm-apply-table-sales-1234abcd', namespace: 'analytics', owner: ownerOf(table), plan: buildApplyTablePlan(catalog, table), catalog, image: 'ghcr.io/featherman/runner:0.1.0', op: 'apply-table', readOnly: false, generation: 2, ...overrides });
}

const obj = (value: unknown): JSONObject => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JSONObject) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/**
 * restrictedViolations checks a pod against Pod Security Standards "restricted" (v1.32
 * wording; baseline checks included): what the admission plugin would refuse.
 */
function restrictedViolations(pod: PodSpec): string[] {
  const out: string[] = [];
  const podSc = obj(pod.securityContext);
  const containers: Container[] = [...(pod.initContainers ?? []), ...pod.containers];
  if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true) out.push('host namespaces');
  const allowed = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);
  for (const volume of list(pod.volumes)) {
    const types = Object.keys(obj(volume)).filter((key) => key !== 'name');
    if (!types.every((type) => allowed.has(type))) out.push(`volume type ${types.join(',')}`);
  }
  if (podSc.runAsUser === 0) out.push('pod runAsUser 0');
  const podSeccomp = obj(podSc.seccompProfile).type;
  if (podSeccomp === 'Unconfined') out.push('pod seccomp Unconfined');
  for (const container of containers) {
    const sc = obj(container.securityContext);
    const name = container.name;
    if (sc.privileged === true) out.push(`${name}: privileged`);
    if (sc.allowPrivilegeEscalation !== false) out.push(`${name}: allowPrivilegeEscalation != false`);
    if (sc.runAsNonRoot !== true && podSc.runAsNonRoot !== true) out.push(`${name}: runAsNonRoot != true`);
    if (sc.runAsNonRoot === false) out.push(`${name}: runAsNonRoot false`);
    if (sc.runAsUser === 0) out.push(`${name}: runAsUser 0`);
    const seccomp = obj(sc.seccompProfile).type ?? podSeccomp;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') out.push(`${name}: seccompProfile ${String(seccomp)}`);
    const caps = obj(sc.capabilities);
    if (!list(caps.drop).includes('ALL')) out.push(`${name}: capabilities must drop ALL`);
    if (list(caps.add).some((cap) => cap !== 'NET_BIND_SERVICE')) out.push(`${name}: capabilities add ${list(caps.add).join(',')}`);
    if (list(container.ports).some((port) => obj(port).hostPort !== undefined && obj(port).hostPort !== 0)) out.push(`${name}: hostPort`);
  }
  return out;
}

const runner = (job: Job): Container => {
  const found = job.spec.template.spec.containers.find((c) => c.name === RUNNER_CONTAINER);
  assert.ok(found);
  return found;
};
const envOf = (container: Container) => list(container.env).map(obj);
const mountOf = (container: Container, name: string) => list(container.volumeMounts).map(obj).find((m) => m.name === name);

describe('buildRunnerJob', () => {
  it('passes Pod Security "restricted"', () => {
    assert.deepEqual(restrictedViolations(applyJob().spec.template.spec), []);
  });

  it('the checker catches a weak pod', () => {
    const weak: PodSpec = { hostNetwork: true, volumes: [{ name: 'h', hostPath: { path: '/' } }], containers: [{ name: 'c', image: 'x', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } }] };
    assert.equal(restrictedViolations(weak).length, 8);
  });

  it('keeps the pod restricted whatever the ConfigMap overrides say', () => {
    const job = applyJob({
      podOverrides: {
        spec: {
          hostNetwork: true,
          securityContext: { runAsUser: 0, seccompProfile: { type: 'Unconfined' } },
          volumes: [{ name: 'host', hostPath: { path: '/var/run' } }, { name: 'catalog', persistentVolumeClaim: { claimName: 'someone-elses' } }],
          containers: [
            { name: 'runner', securityContext: { privileged: true, allowPrivilegeEscalation: true, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } }, env: [{ name: 'FEATHERMAN_PLAN', value: '{"op":"evil"}' }] },
            { name: 'sidecar', image: 'busybox' },
          ],
        },
      },
    });
    const pod = job.spec.template.spec;
    assert.deepEqual(restrictedViolations(pod), []);
    assert.deepEqual(list(pod.volumes).map((v) => obj(v).name), ['catalog', 'tmp', 'cache']);
    assert.equal(obj(obj(list(pod.volumes)[0]).persistentVolumeClaim).claimName, 'fm-catalog-lake');
    const plans = envOf(runner(job)).filter((e) => e.name === 'FEATHERMAN_PLAN');
    assert.equal(plans.length, 1);
    assert.equal(JSON.parse(String(plans[0]?.value)).op, 'apply-table');
  });

  it('merges harmless overrides: scheduling, resources, extra env, pod labels', () => {
    const job = applyJob({
      podOverrides: {
        metadata: { labels: { team: 'data', 'featherman.dev/operation': 'spoofed' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } },
        spec: {
          nodeSelector: { pool: 'batch' },
          tolerations: [{ key: 'batch', operator: 'Exists', effect: 'NoSchedule' }],
          containers: [{ name: 'runner', resources: { limits: { memory: '4Gi' } }, env: [{ name: 'FEATHERMAN_S3_MAX_ATTEMPTS', value: '7' }] }],
        },
      },
    });
    const pod = job.spec.template.spec;
    assert.deepEqual(pod.nodeSelector, { pool: 'batch' });
    assert.equal(list(pod.tolerations).length, 1);
    assert.deepEqual(obj(runner(job).resources).limits, { memory: '4Gi', 'ephemeral-storage': '4Gi' });
    assert.ok(envOf(runner(job)).some((e) => e.name === 'FEATHERMAN_S3_MAX_ATTEMPTS' && e.value === '7'));
    assert.ok(envOf(runner(job)).some((e) => e.name === 'AWS_REGION'));
    assert.equal(job.spec.template.metadata.labels.team, 'data');
    assert.equal(job.spec.template.metadata.labels['featherman.dev/operation'], 'apply-table');
    assert.equal(job.spec.template.metadata.annotations?.['cluster-autoscaler.kubernetes.io/safe-to-evict'], 'false');
  });

  it('labels the Job and makes its owner the controller', () => {
    const job = applyJob();
    assert.deepEqual(job.metadata.labels, {
      'app.kubernetes.io/managed-by': 'featherman', 'app.kubernetes.io/component': 'runner', 'featherman.dev/catalog': 'lake',
      'featherman.dev/table': 'sales', 'featherman.dev/operation': 'apply-table', 'featherman.dev/owner-uid': 'tab-uid', 'featherman.dev/generation': '2',
    });
    assert.deepEqual(job.metadata.ownerReferences, [{ apiVersion: API, kind: 'DuckLakeTable', name: 'sales', uid: 'tab-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(job.spec.template.metadata.labels, job.metadata.labels);
  });

  it('sets the Job limits and the pod basics', () => {
    const job = applyJob({ settings: { backoffLimit: 0, activeDeadlineSeconds: 600 } });
    assert.equal(job.spec.backoffLimit, 0);
    assert.equal(job.spec.activeDeadlineSeconds, 600);
    assert.equal(job.spec.ttlSecondsAfterFinished, 3600);
    const pod = job.spec.template.spec;
    assert.equal(pod.restartPolicy, 'Never');
    assert.equal(pod.automountServiceAccountToken, false);
    const container = runner(job);
    assert.equal(container.terminationMessagePath, '/dev/termination-log');
    assert.equal(container.terminationMessagePolicy, 'FallbackToLogsOnError');
    assert.deepEqual(obj(container.resources).requests, { cpu: '250m', memory: '512Mi', 'ephemeral-storage': '1Gi' });
    assert.equal(obj(container.securityContext).readOnlyRootFilesystem, true);
  });

  it('mounts the catalog writable for writes and read-only for reads, with emptyDirs for /tmp and the cache', () => {
    const write = runner(applyJob());
    assert.equal(mountOf(write, 'catalog')?.readOnly, false);
    assert.equal(mountOf(write, 'catalog')?.mountPath, '/var/lib/featherman/catalog');
    assert.equal(mountOf(write, 'tmp')?.mountPath, '/tmp');
    assert.equal(mountOf(write, 'cache')?.mountPath, '/var/cache/featherman');
    const catalog = catalogOf();
    const query = queryOf();
    const read = buildRunnerJob({ name: 'fm-query-q1-1', namespace: 'analytics', owner: ownerOf(query), plan: buildQueryPlan(catalog, query), catalog, image: 'img', op: 'query', readOnly: true });
    assert.equal(mountOf(runner(read), 'catalog')?.readOnly, true);
    assert.equal(obj(obj(list(read.spec.template.spec.volumes)[0]).persistentVolumeClaim).readOnly, true);
    assert.equal(read.metadata.labels?.['featherman.dev/query'], 'q1');
    const wait = read.spec.template.spec.initContainers?.[0];
    assert.equal(wait?.name, 'wait-for-catalog-volume');
    assert.deepEqual(list(wait?.command).slice(-3), ['/var/lib/featherman/catalog', '120', 'ro']);
  });

  it('carries the plan in FEATHERMAN_PLAN and the credentials only by secretKeyRef', () => {
    const container = runner(applyJob());
    const env = envOf(container);
    const plan = Plan.parse(JSON.parse(String(env.find((e) => e.name === 'FEATHERMAN_PLAN')?.value)));
    assert.equal(plan.op, 'apply-table');
    assert.deepEqual(env.find((e) => e.name === 'AWS_ACCESS_KEY_ID')?.valueFrom, { secretKeyRef: { name: 's3-creds', key: 'id' } });
    assert.deepEqual(env.find((e) => e.name === 'AWS_SECRET_ACCESS_KEY')?.valueFrom, { secretKeyRef: { name: 's3-creds', key: 'key' } });
    assert.ok(!JSON.stringify(plan).includes('s3-creds'));
  });

  it('uses the table\'s own Secret when the table overrides the object store, and the pod identity without one', () => {
    const catalog = catalogOf({ bucket: 'lake-data' });
    const table = tableOf({ objectStore: { bucket: 'other', credentialsSecret: { name: 'other-creds' } } });
    const job = buildRunnerJob({ name: 'j', namespace: 'analytics', owner: ownerOf(table), plan: buildApplyTablePlan(catalog, table), catalog, image: 'img', op: 'apply-table', readOnly: false, credentialsSecret: table.spec.objectStore?.credentialsSecret });
    assert.deepEqual(envOf(runner(job)).find((e) => e.name === 'AWS_ACCESS_KEY_ID')?.valueFrom, { secretKeyRef: { name: 'other-creds', key: 'access-key' } });
    const plain = buildRunnerJob({ name: 'j', namespace: 'analytics', owner: ownerOf(catalog), plan: buildApplyTablePlan(catalog, tableOf()), catalog, image: 'img', op: 'apply-table', readOnly: false });
    assert.ok(!envOf(runner(plain)).some((e) => String(e.name).startsWith('AWS_ACCESS')));
  });

  it('is deterministic', () => {
    assert.deepEqual(applyJob(), applyJob());
  });
});

describe('buildCatalogPvc and buildEvent', () => {
  it('builds the catalog volume claim', () => {
    const pvc = buildCatalogPvc(catalogOf());
    assert.equal(pvc.metadata.name, 'fm-catalog-lake');
    assert.deepEqual(pvc.spec, { accessModes: ['ReadWriteOnce'], storageClassName: 'ssd', volumeMode: 'Filesystem', resources: { requests: { storage: '2Gi' } } });
    assert.equal(pvc.metadata.ownerReferences?.[0]?.uid, 'cat-uid');
  });

  it('builds an Event with a stable name per occurrence', () => {
    const now = new Date('2026-11-25T10:00:00Z');
    const input = { involved: ownerOf(tableOf()), type: 'Warning' as const, reason: 'JobFailed', message: 'x'.repeat(2000), key: 'fm-apply-table-sales-1', now };
    const event = buildEvent(input);
    assert.equal(event.metadata.name, buildEvent({ ...input, now: new Date('2026-11-25T11:00:00Z') }).metadata.name);
    assert.notEqual(event.metadata.name, buildEvent({ ...input, key: 'other' }).metadata.name);
    assert.equal(event.message.length, 1024);
    assert.equal(event.involvedObject.uid, 'tab-uid');
    assert.equal(event.firstTimestamp, '2026-11-25T10:00:00Z');
    assert.equal(event.type, 'Warning');
  });
});
