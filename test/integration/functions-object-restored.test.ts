import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { CloudEvent } from 'cloudevents';
import type { EmbeddedS3 } from '../../local/s3/embedded-s3.ts';
import {
  startLakeWorld, type LakeWorld,
  apiServerEvent, condition, createResource, featherJobs, finishAndTell, readResource, sendEvent, tableSpec, unfinished,
  type FunctionsWorld,
} from './functions-harness.ts';

const FIRST = 'data/main/users/ducklake-1.parquet';
const SECOND = 'data/main/users/ducklake-2.parquet';

function s3Event(key: string, eventName: string): CloudEvent<unknown> {
  const record = {
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-11-25T12:00:00.000Z', eventName,
    s3: { s3SchemaVersion: '1.0', bucket: { name: 'lake', arn: 'arn:aws:s3:::lake' }, object: { key, sequencer: '0055AED6DCD90281E5', ...(eventName.startsWith('ObjectCreated') ? { size: 1, eTag: 'abc' } : {}) } },
  };
  return new CloudEvent<unknown>({ type: 'dev.knative.connector.event.aws-sqs', source: 'dev.knative.eventing.aws-sqs-source', subject: 'aws-sqs-source', datacontenttype: 'application/json', data: { Records: [record] } });
}

async function checkJobs(world: FunctionsWorld): Promise<string[]> {
  return (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/operation'] === 'check').map((job) => job.metadata.name).sort();
}

async function degradedOf(world: FunctionsWorld): Promise<[unknown, unknown]> {
  const found = condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded');
  return [found?.status, found?.reason];
}

describe('s3-object starts a consistency check when an object comes back under an alarmed table, over HTTP', () => {
  let world: FunctionsWorld;
  let s3: EmbeddedS3;
  let lake: LakeWorld;

  before(async () => {
    lake = await startLakeWorld('restored');
    ({ world, s3 } = lake);
    const users = await createResource(world, 'DuckLakeTable', 'users', tableSpec('lake', 'users', { ingest: undefined }));
    await sendEvent(world, '/reconcile-table', apiServerEvent(users, 'add'));
    await finishAndTell(world, await unfinished(world, 'apply-table', 'users'), { op: 'apply-table', snapshotId: 2 });
    assert.equal(condition(await readResource(world, 'DuckLakeTable', 'users'), 'Ready')?.status, 'True');
  });

  after(() => lake.close());

  it('starts no check for a new data object of a healthy table', async () => {
    const answer = await sendEvent(world, '/s3-object', s3Event('data/main/users/ducklake-0.parquet', 'ObjectCreated:Put'));
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(answer.body.checks, []);
    assert.deepEqual(await checkJobs(world), []);
  });

  it('two objects removed, one back: one deduplicated check, which lists the other, and the alarm stays; the second back clears it', async () => {
    for (const key of [FIRST, SECOND]) {
      const gone = await sendEvent(world, '/s3-object', s3Event(key, 'ObjectRemoved:Delete'));
      assert.deepEqual(gone.body.missing, [`s3://lake/${key}`]);
    }
    assert.deepEqual(await degradedOf(world), ['True', 'ObjectMissing']);
    assert.deepEqual((await readResource(world, 'DuckLakeTable', 'users')).status.missingObjects.urls, [FIRST, SECOND].map((key) => `s3://lake/${key}`));

    const back = await sendEvent(world, '/s3-object', s3Event(FIRST, 'ObjectCreated:Put'));
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.equal(back.body.checks.length, 1);
    const replay = await sendEvent(world, '/s3-object', s3Event(FIRST, 'ObjectCreated:Put'));
    assert.deepEqual(replay.body.checks, [], 'a check that has not started yet will see the object');
    assert.deepEqual(await checkJobs(world), back.body.checks);

    const first = await unfinished(world, 'check');
    const listing = await finishAndTell(world, first, { op: 'check', details: { healthy: false, missing: [`s3://lake/${SECOND}`], missingCount: 1 } });
    assert.deepEqual(listing.body.woken, ['DuckLakeTable/users']);
    assert.deepEqual(await degradedOf(world), ['True', 'ObjectMissing'], 'the other object is still missing');

    const again = await sendEvent(world, '/s3-object', s3Event(SECOND, 'ObjectCreated:Put'));
    assert.equal(again.body.checks.length, 1, 'the first check had already run: the next one in the chain starts');
    assert.notDeepEqual(again.body.checks, back.body.checks);
    await sleep(1100); // check start times have one-second precision: two in one second are not ordered
    await finishAndTell(world, await unfinished(world, 'check'), { op: 'check', details: { healthy: true, missing: [], missingCount: 0 } });
    assert.deepEqual(await degradedOf(world), ['False', 'AsExpected']);
    assert.equal((await readResource(world, 'DuckLakeTable', 'users')).status.missingObjects, undefined);
    const events = await world.core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(events.items.some((event) => event.reason === 'ObjectsPresent' && event.involvedObject.name === 'users'));

    const after = await sendEvent(world, '/s3-object', s3Event('data/main/users/ducklake-3.parquet', 'ObjectCreated:Put'));
    assert.deepEqual(after.body.checks, [], 'no alarm, no check');
  });
});
