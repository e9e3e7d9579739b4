import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CloudEvent } from 'cloudevents';
import { createFunctionsApp } from '../../functions/handlers/app.ts';
import { KubeAdapter } from '../../functions/adapters/kube.ts';
import {
  apiServerEvent, catalogSpec, condition, createResource, featherJobs, finishJob, readResource, runnerResult, sendEvent, startFunctionsWorld, tableSpec,
  type FunctionsWorld,
} from './functions-harness.ts';

function ping(task = 'resync'): CloudEvent<unknown> {
  return new CloudEvent<unknown>({
    type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/featherman-system/pingsources/featherman-resync',
    datacontenttype: 'application/json', feathermantask: task, data: { task },
  });
}

async function opsOf(world: FunctionsWorld): Promise<string[]> {
  return (await featherJobs(world)).map((job) => `${job.metadata.labels?.['featherman.dev/operation']}`).sort();
}

async function finishAll(world: FunctionsWorld, op: string, fields: Record<string, unknown>): Promise<void> {
  for (const job of (await featherJobs(world)).filter((item) => item.metadata.labels?.['featherman.dev/operation'] === op && item.status?.conditions === undefined)) {
    await finishJob(world, job, runnerResult({ op, ...fields }));
  }
}

describe('sweep, query and single-handler mode over HTTP', () => {
  let world: FunctionsWorld;
  before(async () => {
    world = await startFunctionsWorld();
  });
  after(async () => {
    await world.close();
  });

  it('reconciles resources whose events were lost, then starts the maintenance that is due, once per period', async () => {
    await createResource(world, 'DuckLakeCatalog', 'lake', catalogSpec({ backupPolicy: { schedule: '@daily', retentionDays: 3 } }));
    await createResource(world, 'DuckLakeTable', 'events', tableSpec('lake', 'events', { ttlDays: 30, ttlColumn: 'ts' }));
    const first = await sendEvent(world, '/sweep', ping());
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.reconciled, 2);
    assert.deepEqual(await opsOf(world), ['init-catalog']);
    assert.equal(condition(await readResource(world, 'DuckLakeTable', 'events'), 'Ready')?.reason, 'CatalogNotReady');

    await finishAll(world, 'init-catalog', { snapshotId: 1 });
    const second = await sendEvent(world, '/sweep', ping(), 'structured');
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual(await opsOf(world), ['apply-table', 'backup', 'check', 'cleanup-files', 'expire-snapshots', 'init-catalog']);

    await finishAll(world, 'apply-table', { snapshotId: 2 });
    const third = await sendEvent(world, '/sweep', ping());
    assert.equal(third.status, 200, JSON.stringify(third.body));
    assert.deepEqual(third.body.maintenanceJobs.map((name: string) => name.split('-').slice(1, -2).join('-')).sort(), ['compact', 'expire-rows', 'ingest'],
      'a table with landing files also gets a catch-up ingest, for notifications that were lost');
    assert.deepEqual(await opsOf(world), ['apply-table', 'backup', 'check', 'cleanup-files', 'compact', 'expire-rows', 'expire-snapshots', 'ingest', 'ingest', 'init-catalog']);
    const ingestJobs = (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/operation'] === 'ingest');
    assert.equal(ingestJobs.length, 2, 'the catch-up ingest after apply-table and the sweep\'s periodic one');
    const plan = JSON.parse(String(((await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/operation'] === 'expire-rows')
      ?.spec.template.spec.containers[0]?.env as Array<{ name: string; value?: string }> | undefined)?.find((item) => item.name === 'FEATHERMAN_PLAN')?.value)) as { table: unknown };
    assert.deepEqual(plan.table, { schema: 'main', name: 'events', ttlDays: 30, ttlColumn: 'ts' });
    // What TTL and snapshot expiry leave for deletion leaves the bucket through the daily cleanup.
    const cleanup = (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/operation'] === 'cleanup-files');
    const cleanupPlan = JSON.parse(String((cleanup?.spec.template.spec.containers[0]?.env as Array<{ name: string; value?: string }> | undefined)
      ?.find((item) => item.name === 'FEATHERMAN_PLAN')?.value)) as Record<string, unknown>;
    assert.deepEqual([cleanupPlan.op, cleanupPlan.graceHours, cleanupPlan.orphans, cleanupPlan.dryRun], ['cleanup-files', 24, true, false]);
    assert.equal(cleanupPlan.lockTimeoutSeconds, 900, 'the daily Jobs of a catalog take turns on its lock');

    const again = await sendEvent(world, '/sweep', ping());
    assert.deepEqual(again.body.maintenanceJobs, []);
    assert.equal((await featherJobs(world)).length, 10);
  });

  it('runs a query once and copies rows, preview and snapshot into its status', async () => {
    const query = await createResource(world, 'DuckLakeQuery', 'top-users', { catalogRef: 'lake', sql: 'SELECT id FROM events LIMIT 2' });
    const answer = await sendEvent(world, '/reconcile-query', apiServerEvent(query, 'add', 'Resource'), 'structured');
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const job = (await featherJobs(world)).find((item) => item.metadata.labels?.['featherman.dev/query'] === 'top-users');
    assert.ok(job);
    assert.equal((job.spec.template.spec.volumes as Array<{ name: string; persistentVolumeClaim?: { readOnly?: boolean } }> | undefined)?.find((volume) => volume.name === 'catalog')?.persistentVolumeClaim?.readOnly, true);
    await finishJob(world, job, runnerResult({ op: 'query', snapshotId: 2, rows: 2, query: { rows: 2, bytes: 40, preview: 'id\n1\n2' } }));
    await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata }, 'update'));
    const fresh = await readResource(world, 'DuckLakeQuery', 'top-users');
    assert.equal(fresh.status.phase, 'Succeeded');
    assert.deepEqual([fresh.status.rows, fresh.status.preview, fresh.status.snapshotId], [2, 'id\n1\n2', 2]);
    assert.match(String(condition(fresh, 'Ready')?.message), /returned 2 rows/);
  });

  it('mounts one handler on / when asked, answers /healthz, and refuses an unknown handler name', async () => {
    const single = createFunctionsApp({ kube: new KubeAdapter(world.harness.kubeConfig), handler: 'sweep', log: (await import('pino')).pino({ level: 'silent' }) });
    const server = single.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.status, 200);
      const root = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json', 'ce-specversion': '1.0', 'ce-id': '1', 'ce-source': '/ping', 'ce-type': 'dev.knative.sources.ping' }, body: '{"task":"resync-only"}' });
      assert.equal(root.status, 200);
      assert.equal(((await root.json()) as { task: string }).task, 'resync-only');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await single.closeFunctions();
    }
    assert.throws(() => createFunctionsApp({ kube: new KubeAdapter(world.harness.kubeConfig), handler: 'nope' }), /FEATHERMAN_HANDLER: must be one of reconcile-catalog/);
  });

  it('answers 503 while the API server is down, so Knative redelivers', async () => {
    const table = await readResource(world, 'DuckLakeTable', 'events');
    await world.harness.server.close();
    const down = await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    assert.equal(down.status, 503);
    assert.match(String(down.body.error), /while reading DuckLakeTable default\/events/);
    const sweep = await sendEvent(world, '/sweep', ping());
    assert.equal(sweep.status, 503);
    // A restarted server listens on another port; the world's close() needs one running.
    await world.harness.restart();
  });
});
