import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pino } from 'pino';
import { JobExecutor } from '../../local/job-executor/job-executor.ts';
import { acquireCatalogLock, type CatalogLock } from '../../runner/lock.ts';
import { buildRunnerJob, podsOfJob, startExecutorWorld, waitForJobEnd, waitUntil, type ExecutorWorld } from '../../local/job-executor/test-world.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function runningPid(pod: { status?: { phase?: string; containerStatuses?: { containerID?: string }[] } } | undefined): number | undefined {
  if (pod?.status?.phase !== 'Running') return undefined;
  const id = /^featherman:\/\/(\d+)$/.exec(pod.status.containerStatuses?.[0]?.containerID ?? '');
  return id?.[1] ? Number(id[1]) : undefined;
}

describe('job executor: deadlines, deletion, TTL and concurrency', () => {
  let world: ExecutorWorld;
  let lock: CatalogLock;
  // The runner waits up to a minute for the catalog lock the test holds: a Job that cannot end by itself.
  const blockedPlan = () => ({ op: 'init-catalog' as const, ...world.commonPlan, lockTimeoutSeconds: 60 });

  before(async () => {
    world = await startExecutorWorld({ concurrency: 2 });
    fs.mkdirSync(path.dirname(world.localCatalogPath), { recursive: true });
    lock = await acquireCatalogLock(world.localCatalogPath, 'exclusive', 1000);
  });
  after(async () => {
    lock.release();
    await world.close();
  });

  it('kills the process at activeDeadlineSeconds and fails the Job with DeadlineExceeded', async () => {
    const started = Date.now();
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('deadline-1', { plan: blockedPlan(), activeDeadlineSeconds: 2, backoffLimit: 3 }) });
    const pid = await waitUntil('the Pod to run', async () => runningPid((await podsOfJob(world, 'deadline-1'))[0]));
    const job = await waitForJobEnd(world, 'deadline-1');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 2000 && elapsed < 20_000, `ended after ${elapsed} ms`);
    const failed = job.status?.conditions?.find((entry) => entry.type === 'Failed');
    assert.equal(failed?.reason, 'DeadlineExceeded');
    assert.equal(failed?.message, 'Job was active longer than specified deadline');
    assert.equal(job.status?.conditions?.find((entry) => entry.type === 'FailureTarget')?.reason, 'DeadlineExceeded');
    assert.equal(job.status?.failed, 1, 'no retry after the deadline');
    const pods = await podsOfJob(world, 'deadline-1');
    assert.equal(pods.length, 1);
    assert.equal(pods[0]?.status?.phase, 'Failed');
    assert.equal(pods[0]?.status?.reason, 'DeadlineExceeded');
    assert.equal(pods[0]?.status?.containerStatuses?.[0]?.state?.terminated?.exitCode, 137, 'SIGKILL');
    assert.equal(alive(pid), false);
  });

  it('kills the process of a Job deleted while it runs', async () => {
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('deleted-1', { plan: blockedPlan() }) });
    const pid = await waitUntil('the Pod to run', async () => runningPid((await podsOfJob(world, 'deleted-1'))[0]));
    assert.equal(alive(pid), true);
    await world.batch.deleteNamespacedJob({ namespace: 'default', name: 'deleted-1', propagationPolicy: 'Background' });
    await waitUntil('the process to die', async () => (alive(pid) ? undefined : true), 10_000);
    await waitUntil('the garbage collector to delete the Pod', async () => ((await podsOfJob(world, 'deleted-1')).length === 0 ? true : undefined), 10_000);
  });

  it('runs at most two Jobs at once and starts the third when a slot frees', async () => {
    for (const name of ['slot-1', 'slot-2', 'slot-3']) {
      await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob(name, { plan: blockedPlan() }) });
    }
    const first = await waitUntil('two Pods to run', async () => {
      const pods = (await Promise.all(['slot-1', 'slot-2', 'slot-3'].map((name) => podsOfJob(world, name)))).flat();
      return pods.filter((pod) => runningPid(pod)).length === 2 ? pods : undefined;
    });
    assert.equal(first.length, 2, 'the third Job has no Pod yet');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await podsOfJob(world, 'slot-3')).length, 0);
    const third = await world.batch.readNamespacedJob({ namespace: 'default', name: 'slot-3' });
    assert.equal(third.status?.startTime, undefined, 'a queued Job has not started');
    await world.batch.deleteNamespacedJob({ namespace: 'default', name: 'slot-1', propagationPolicy: 'Background' });
    await waitUntil('the third Job to get a running Pod', async () => runningPid((await podsOfJob(world, 'slot-3'))[0]), 15_000);
    for (const name of ['slot-2', 'slot-3']) await world.batch.deleteNamespacedJob({ namespace: 'default', name, propagationPolicy: 'Background' });
  });

  it('deletes a finished Job after ttlSecondsAfterFinished, and its Pods with it', async () => {
    lock.release();
    await world.batch.createNamespacedJob({ namespace: 'default', body: buildRunnerJob('ttl-1', { plan: { op: 'init-catalog', ...world.commonPlan }, ttlSecondsAfterFinished: 1 }) });
    const job = await waitForJobEnd(world, 'ttl-1');
    assert.ok(job.status?.conditions?.some((entry) => entry.type === 'Complete'));
    assert.equal((await podsOfJob(world, 'ttl-1')).length, 1);
    const finished = Date.now();
    await waitUntil('the Job to be deleted', async () => {
      try {
        await world.batch.readNamespacedJob({ namespace: 'default', name: 'ttl-1' });
        return undefined;
      } catch (error) {
        return error instanceof ApiException && error.code === 404 ? true : undefined;
      }
    }, 10_000);
    assert.ok(Date.now() - finished >= 500, 'not before the TTL');
    await waitUntil('its Pod to be collected', async () => ((await podsOfJob(world, 'ttl-1')).length === 0 ? true : undefined), 10_000);
  });

  it('on start, runs the unfinished Jobs it finds and fails the Pod a previous executor left running', async () => {
    const body = buildRunnerJob('restart-1', { plan: { op: 'init-catalog', ...world.commonPlan }, backoffLimit: 1 });
    body.metadata = { name: 'restart-1', labels: { test: 'restart' } };
    const job = await world.batch.createNamespacedJob({ namespace: 'default', body });
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    await world.batch.patchNamespacedJobStatus({ namespace: 'default', name: 'restart-1', body: { status: { startTime: new Date().toISOString(), active: 1 } } }, merge);
    const uid = job.metadata?.uid ?? '';
    await world.core.createNamespacedPod({
      namespace: 'default',
      body: { metadata: { name: 'restart-1-old00', labels: { 'job-name': 'restart-1', 'controller-uid': uid } }, spec: { containers: [{ name: 'runner', image: 'x' }] } },
    });
    await world.core.patchNamespacedPodStatus({ namespace: 'default', name: 'restart-1-old00', body: { status: { phase: 'Running' } } }, merge);
    const second = new JobExecutor({ kubeConfig: world.harness.kubeConfig, dataDir: world.dataDir, logger: pino({ level: 'silent' }), labelSelector: 'test=restart', retryDelayMs: 100, baseEnv: { PATH: process.env.PATH ?? '' } });
    await second.start();
    try {
      const finished = await waitForJobEnd(world, 'restart-1');
      assert.ok(finished.status?.conditions?.some((entry) => entry.type === 'Complete' && entry.status === 'True'), JSON.stringify(finished.status));
      assert.equal(finished.status?.failed, 1, 'the orphaned Pod counts as a failure');
      assert.equal(finished.status?.succeeded, 1);
      const old = await world.core.readNamespacedPod({ namespace: 'default', name: 'restart-1-old00' });
      assert.equal(old.status?.phase, 'Failed');
      assert.equal(old.status?.reason, 'NodeLost');
      assert.equal((await podsOfJob(world, 'restart-1')).length, 2);
    } finally {
      await second.close();
    }
  });
});
