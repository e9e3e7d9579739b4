import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { RunnerResult } from '../../api/result.ts';
import type { LakeTableSpecInput } from '../../api/table-spec.ts';
import { CATALOG_MOUNT, buildRunnerJob, podsOfJob, startExecutorWorld, waitForJobEnd, waitUntil, type ExecutorWorld } from '../../local/job-executor/test-world.ts';

const TABLE: LakeTableSpecInput = {
  name: 'users',
  columns: [{ name: 'id', type: 'INTEGER' }, { name: 'name', type: 'VARCHAR' }],
  ingest: { prefix: 'landing/users/', format: 'csv' },
};

function terminated(pod: { status?: { containerStatuses?: { state?: { terminated?: { exitCode: number; reason?: string; message?: string } } }[] } }) {
  return pod.status?.containerStatuses?.[0]?.state?.terminated;
}

function condition(job: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }, type: string) {
  return job.status?.conditions?.find((entry) => entry.type === type && entry.status === 'True');
}

describe('job executor: runner Jobs against the local API server and embedded S3', () => {
  let world: ExecutorWorld;

  before(async () => {
    world = await startExecutorWorld();
  });
  after(async () => world.close());

  it('runs init-catalog to Complete, with the catalog on the claim folder and the result as the termination message', async () => {
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('init-1', { plan: { op: 'init-catalog', ...world.commonPlan } }) });
    const job = await waitForJobEnd(world, 'init-1');
    assert.ok(condition(job, 'Complete'), JSON.stringify(job.status));
    assert.equal(condition(job, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
    assert.equal(job.status?.succeeded, 1);
    assert.equal(job.status?.active, 0);
    assert.ok(job.status?.startTime && job.status.completionTime);
    assert.ok(new Date(job.status.completionTime).getTime() >= new Date(job.status.startTime).getTime());
    const [pod, ...others] = await podsOfJob(world, 'init-1');
    assert.equal(others.length, 0);
    assert.ok(pod);
    assert.match(pod.metadata?.name ?? '', /^init-1-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(pod.metadata?.labels?.['controller-uid'], job.metadata?.uid);
    assert.equal(pod.metadata?.ownerReferences?.[0]?.uid, job.metadata?.uid);
    assert.equal(pod.metadata?.ownerReferences?.[0]?.controller, true);
    assert.equal(pod.status?.phase, 'Succeeded');
    assert.equal(pod.status?.initContainerStatuses?.[0]?.state?.terminated?.reason, 'Completed');
    const state = terminated(pod);
    assert.equal(state?.exitCode, 0);
    assert.equal(state?.reason, 'Completed');
    const result = RunnerResult.parse(JSON.parse(state?.message ?? ''));
    assert.equal(result.op, 'init-catalog');
    assert.equal(result.ok, true);
    assert.equal(result.snapshotId, 0);
    assert.ok(fs.statSync(world.localCatalogPath).size > 0, 'the container path was rewritten to the claim folder');
    const events = await waitUntil('the Job and Pod Events', async () => {
      const list = (await world.core.listNamespacedEvent({ namespace: 'default' })).items;
      const reasons = list.filter((event) => [job.metadata?.name, pod.metadata?.name].includes(event.involvedObject.name)).map((event) => `${event.involvedObject.kind}/${event.reason ?? ''}`);
      return ['Job/SuccessfulCreate', 'Job/Completed', 'Pod/Scheduled', 'Pod/Started'].every((reason) => reasons.includes(reason)) ? reasons : undefined;
    }, 5000);
    assert.ok(events.length >= 4);
  });

  it('resolves secretKeyRef env: apply-table then ingest read S3 with the Secret keys and commit the rows', async () => {
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('apply-1', { plan: { op: 'apply-table', ...world.commonPlan, table: TABLE } }) });
    assert.ok(condition(await waitForJobEnd(world, 'apply-1'), 'Complete'));
    const client = new S3Client({ endpoint: world.s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: world.s3.accessKeyId, secretAccessKey: world.s3.secretAccessKey } });
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'landing/users/a.csv', Body: 'id,name\n1,ada\n2,bob\n' }));
    client.destroy();
    // s3rver refuses an unknown access key id, so only the Secret's real keys can succeed.
    const b64 = (text: string): string => Buffer.from(text).toString('base64');
    await world.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'wrong-credentials' }, data: { 'access-key': b64('NOPE'), 'secret-key': b64('NOPE') } } });
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('ingest-wrong', { plan: { op: 'ingest', ...world.commonPlan, table: TABLE }, secretName: 'wrong-credentials' }) });
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('ingest-1', { plan: { op: 'ingest', ...world.commonPlan, table: TABLE } }) });
    const [wrong, right] = await Promise.all([waitForJobEnd(world, 'ingest-wrong'), waitForJobEnd(world, 'ingest-1')]);
    assert.ok(condition(right, 'Complete'), JSON.stringify(right.status));
    const [pod] = await podsOfJob(world, 'ingest-1');
    const result = RunnerResult.parse(JSON.parse(terminated(pod ?? {})?.message ?? ''));
    assert.equal(result.ok, true);
    assert.equal(result.rows, 2);
    assert.equal(result.filesAdded, 1);
    assert.ok(condition(wrong, 'Failed'), JSON.stringify(wrong.status));
    const [wrongPod] = await podsOfJob(world, 'ingest-wrong');
    const wrongResult = RunnerResult.parse(JSON.parse(terminated(wrongPod ?? {})?.message ?? ''));
    assert.equal(wrongResult.ok, false);
    assert.ok(wrongResult.error?.message, 'the failure says why');
  });

  it('fails a Job whose plan is invalid after backoffLimit + 1 Pods, each with the result as the message', async () => {
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('bad-plan', { plan: '{"op":"init-catalog","catalog":{"name":"Bad Name"}}', backoffLimit: 1 }) });
    const job = await waitForJobEnd(world, 'bad-plan');
    const failed = condition(job, 'Failed');
    assert.equal(failed?.reason, 'BackoffLimitExceeded');
    assert.equal(failed?.message, 'Job has reached the specified backoff limit');
    assert.equal(condition(job, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    const pods = await podsOfJob(world, 'bad-plan');
    assert.equal(job.status?.failed, 2, `status ${JSON.stringify(job.status)}; pods ${JSON.stringify(pods.map((pod) => pod.status))}`);
    assert.equal(job.status?.completionTime, undefined);
    assert.equal(pods.length, 2, 'a new Pod per retry');
    for (const pod of pods) {
      assert.equal(pod.status?.phase, 'Failed');
      const state = terminated(pod);
      assert.equal(state?.exitCode, 2, JSON.stringify(state));
      assert.equal(state?.reason, 'Error');
      const result = RunnerResult.parse(JSON.parse(state?.message ?? ''));
      assert.equal(result.ok, false);
      assert.equal(result.error?.code, 'FM_ERR_INVALID_PLAN');
      assert.match(result.error?.message ?? '', /catalog\.name/);
      const log = fs.readFileSync(path.join(world.dataDir, 'logs', 'default', `${pod.metadata?.name ?? ''}.log`), 'utf8');
      assert.match(log, /catalog\.name: /, 'the container log is kept per Pod');
    }
  });

  it('fails the Pod like CreateContainerConfigError when the Secret or its key is missing, and runs nothing', async () => {
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('no-secret', { plan: { op: 'init-catalog', ...world.commonPlan }, secretName: 'missing-credentials' }) });
    await world.batch.createNamespacedJob({
      namespace: 'default',
      body: buildRunnerJob('no-key', { plan: { op: 'init-catalog', ...world.commonPlan }, extraEnv: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'lake-credentials', key: 'token' } } }] }),
    });
    const [noSecret, noKey] = await Promise.all([waitForJobEnd(world, 'no-secret'), waitForJobEnd(world, 'no-key')]);
    for (const [job, message] of [[noSecret, 'secret "missing-credentials" not found'], [noKey, "couldn't find key token in Secret default/lake-credentials"]] as const) {
      assert.equal(condition(job, 'Failed')?.reason, 'BackoffLimitExceeded');
      const [pod] = await podsOfJob(world, job.metadata?.name ?? '');
      assert.equal(pod?.status?.phase, 'Failed');
      assert.equal(pod?.status?.reason, 'CreateContainerConfigError');
      const waiting = pod?.status?.containerStatuses?.[0]?.state?.waiting;
      assert.equal(waiting?.reason, 'CreateContainerConfigError');
      assert.equal(waiting?.message, message);
      const warning = await waitUntil('the kubelet Warning', async () => (await world.core.listNamespacedEvent({ namespace: 'default' })).items
        .find((event) => event.involvedObject.name === pod?.metadata?.name && event.type === 'Warning'), 5000);
      assert.equal(warning.reason, 'Failed');
      assert.equal(warning.message, `Error: ${message}`);
    }
  });

  it('takes the plan from a ConfigMap, by configMapKeyRef and as a mounted file whose container paths are rewritten', async () => {
    const plan = { op: 'init-catalog', ...world.commonPlan, catalog: { name: 'other', path: `${CATALOG_MOUNT}/other.ducklake` } };
    await world.core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'plans' }, data: { init: JSON.stringify(plan) } } });
    const byRef = buildRunnerJob('cm-env', { plan: '' });
    const byRefContainer = byRef.spec?.template.spec?.containers[0];
    assert.ok(byRefContainer?.env);
    byRefContainer.env[0] = { name: 'FEATHERMAN_PLAN', valueFrom: { configMapKeyRef: { name: 'plans', key: 'init' } } };
    const byFile = buildRunnerJob('cm-file', { plan: '' });
    const byFileSpec = byFile.spec?.template.spec;
    const byFileContainer = byFileSpec?.containers[0];
    assert.ok(byFileSpec?.volumes && byFileContainer?.env && byFileContainer.volumeMounts);
    byFileContainer.env[0] = { name: 'FEATHERMAN_PLAN_FILE', value: '/etc/featherman/plan.json' };
    byFileContainer.volumeMounts.push({ name: 'plan', mountPath: '/etc/featherman/plan.json', subPath: 'plan.json', readOnly: true });
    byFileSpec.volumes.push({ name: 'plan', configMap: { name: 'plans', items: [{ key: 'init', path: 'plan.json' }] } });
    await world.batch.createNamespacedJob({ namespace: 'default', body: byRef });
    await world.batch.createNamespacedJob({ namespace: 'default', body: byFile });
    for (const name of ['cm-env', 'cm-file']) {
      const job = await waitForJobEnd(world, name);
      const [pod] = await podsOfJob(world, name);
      assert.ok(condition(job, 'Complete'), `${name}: ${JSON.stringify(pod?.status?.containerStatuses?.[0]?.state)}`);
      const result = RunnerResult.parse(JSON.parse(terminated(pod ?? {})?.message ?? ''));
      assert.equal(result.ok, true);
      assert.equal(result.op, 'init-catalog');
    }
    assert.ok(fs.existsSync(world.localCatalogPath.replace(/lake\.ducklake$/, 'other.ducklake')));
  });
});
