import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CloudEvent } from 'cloudevents';
import type { EmbeddedS3 } from '../../local/s3/embedded-s3.ts';
import {
  startLakeWorld, type LakeWorld,
  apiServerEvent, condition, createResource, finishAndTell, jobEvent, readResource, sendEvent, tableSpec, unfinished,
  type FunctionsWorld,
} from './functions-harness.ts';

const MISSING = 'data/main/users/ducklake-1.parquet';

function removedEvent(key: string): CloudEvent<unknown> {
  const record = {
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-11-25T12:00:00.000Z', eventName: 'ObjectRemoved:Delete',
    s3: { s3SchemaVersion: '1.0', bucket: { name: 'lake', arn: 'arn:aws:s3:::lake' }, object: { key, sequencer: '0055AED6DCD90281E5' } },
  };
  return new CloudEvent<unknown>({ type: 'dev.knative.connector.event.aws-sqs', source: 'dev.knative.eventing.aws-sqs-source', subject: 'aws-sqs-source', datacontenttype: 'application/json', data: { Records: [record] } });
}

function ping(task: string): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/featherman-system/pingsources/featherman-resync', datacontenttype: 'application/json', feathermantask: task, data: { task } });
}

describe('job-finished keeps the catalog status and the ObjectMissing alarm right, over HTTP', () => {
  let world: FunctionsWorld;
  let s3: EmbeddedS3;
  let lake: LakeWorld;

  before(async () => {
    lake = await startLakeWorld('job-finished');
    ({ world, s3 } = lake);
  });

  after(() => lake.close());

  it('refreshes the catalog\'s snapshotId and tableCount after apply and ingest Jobs of its tables, and writes nothing on a replay', async () => {
    assert.deepEqual([(await readResource(world, 'DuckLakeCatalog', 'lake')).status.snapshotId, (await readResource(world, 'DuckLakeCatalog', 'lake')).status.tableCount], [1, 0]);
    const users = await createResource(world, 'DuckLakeTable', 'users', tableSpec('lake', 'users'));
    await sendEvent(world, '/reconcile-table', apiServerEvent(users, 'add'));
    const applied = await finishAndTell(world, await unfinished(world, 'apply-table', 'users'), { op: 'apply-table', snapshotId: 2, table: { rowCount: 0, fileCount: 0, schemaVersion: 1, bytes: 0 } });
    assert.equal(applied.body.catalog.name, 'lake');
    let catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.deepEqual([catalog.status.snapshotId, catalog.status.tableCount], [2, 1]);

    // The first apply of a table with an ingest prefix starts one catch-up ingest.
    const ingest = await unfinished(world, 'ingest', 'users');
    await finishAndTell(world, ingest, { op: 'ingest', snapshotId: 3, rows: 10, table: { rowCount: 10, fileCount: 1, schemaVersion: 1, bytes: 900 } });
    catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.equal(catalog.status.snapshotId, 3);
    assert.equal((await readResource(world, 'DuckLakeTable', 'users')).status.rowCount, 10);
    const replay = await sendEvent(world, '/job-finished', jobEvent(ingest));
    assert.equal(replay.status, 200);
    assert.equal((await readResource(world, 'DuckLakeCatalog', 'lake')).metadata.resourceVersion, catalog.metadata.resourceVersion, 'a replay writes no catalog status');

    const orders = await createResource(world, 'DuckLakeTable', 'orders', tableSpec('lake', 'orders', { ingest: undefined }));
    await sendEvent(world, '/reconcile-table', apiServerEvent(orders, 'add'));
    await finishAndTell(world, await unfinished(world, 'apply-table', 'orders'), { op: 'apply-table', snapshotId: 4 });
    catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.deepEqual([catalog.status.snapshotId, catalog.status.tableCount], [4, 2]);
  });

  it('the drop Job of a deleted table lowers the catalog\'s tableCount once the table is gone', async () => {
    await world.custom.deleteNamespacedCustomObject({ group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default', plural: 'ducklaketables', name: 'orders' });
    await sendEvent(world, '/reconcile-table', apiServerEvent(await readResource(world, 'DuckLakeTable', 'orders'), 'update', 'Resource'));
    const finished = await finishAndTell(world, await unfinished(world, 'drop-table', 'orders'), { op: 'drop-table', snapshotId: 5 });
    assert.equal(finished.body.catalog.name, 'lake');
    await assert.rejects(readResource(world, 'DuckLakeTable', 'orders'), (error: { code?: number }) => error.code === 404);
    const catalog = await readResource(world, 'DuckLakeCatalog', 'lake');
    assert.deepEqual([catalog.status.tableCount, catalog.status.snapshotId], [1, 5], 'the drop\'s snapshot counts although its table is gone');
  });

  it('keeps Degraded=ObjectMissing through the sweep, a spec change and an unhealthy check; a later healthy check clears it', async () => {
    const gone = await sendEvent(world, '/s3-object', removedEvent(MISSING));
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(gone.body.missing, [`s3://lake/${MISSING}`]);
    const alarm = condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded');
    assert.deepEqual([alarm?.status, alarm?.reason], ['True', 'ObjectMissing']);
    const stillAlarmed = async (step: string) => {
      const now = condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded');
      assert.deepEqual([now?.status, now?.reason, now?.message, now?.lastTransitionTime], ['True', 'ObjectMissing', alarm?.message, alarm?.lastTransitionTime], step);
    };

    const sweep = await sendEvent(world, '/sweep', ping('resync-only'));
    assert.equal(sweep.status, 200, JSON.stringify(sweep.body));
    await stillAlarmed('after the sweep reconciled the table');

    const table = await readResource(world, 'DuckLakeTable', 'users');
    const changed = await world.custom.replaceNamespacedCustomObject({
      group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default', plural: 'ducklaketables', name: 'users',
      body: { ...table, spec: { ...table.spec, columns: [...table.spec.columns, { name: 'note', type: 'VARCHAR' }] } },
    });
    await sendEvent(world, '/reconcile-table', apiServerEvent(changed as never, 'update', 'Resource'));
    await finishAndTell(world, await unfinished(world, 'apply-table', 'users'), { op: 'apply-table', snapshotId: 5 });
    await stillAlarmed('after a new generation was applied');
    assert.equal(condition(await readResource(world, 'DuckLakeTable', 'users'), 'Ready')?.status, 'True');

    // The sweep starts the daily consistency check; the first still finds the object missing.
    const due = await sendEvent(world, '/sweep', ping('resync'));
    assert.equal(due.status, 200, JSON.stringify(due.body));
    const unhealthy = await finishAndTell(world, await unfinished(world, 'check'), { op: 'check', details: { healthy: false, missing: [`s3://lake/${MISSING}`], missingCount: 1 } });
    assert.deepEqual(unhealthy.body.woken, ['DuckLakeTable/users']);
    await stillAlarmed('after a check that lists the object');

    await sleep(1100); // check start times have one-second precision
    world.clock.now = new Date(world.clock.now.getTime() + 86_400_000);
    await sendEvent(world, '/sweep', ping('resync'));
    await finishAndTell(world, await unfinished(world, 'check'), { op: 'check', details: { healthy: true, missing: [], missingCount: 0 } });
    const cleared = condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded');
    assert.deepEqual([cleared?.status, cleared?.reason], ['False', 'AsExpected']);
    const events = await world.core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(events.items.some((event) => event.reason === 'ObjectsPresent' && event.type === 'Normal' && event.involvedObject.name === 'users'));
  });
});
