import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CloudEvent } from 'cloudevents';
import { startEmbeddedS3, type EmbeddedS3 } from '../../local/s3/embedded-s3.ts';
import {
  apiServerEvent, catalogSpec, condition, createResource, featherJobs, finishJob, post, readResource, runnerResult, sendEvent, startFunctionsWorld, tableSpec,
  type FunctionsWorld,
} from './functions-harness.ts';

const TOKEN = 'webhook-secret-token';

function awsRecord(key: string, eventName = 'ObjectCreated:Put', extra: Record<string, unknown> = {}) {
  return {
    eventVersion: '2.1', eventSource: 'aws:s3', awsRegion: 'us-east-1', eventTime: '2026-11-25T12:00:00.000Z', eventName,
    s3: { s3SchemaVersion: '1.0', bucket: { name: 'lake', arn: 'arn:aws:s3:::lake' }, object: { key: encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/'), sequencer: '0055AED6DCD90281E5', ...extra } },
  };
}

function minioBody(key: string, eventName = 's3:ObjectCreated:Put') {
  return {
    EventName: eventName, Key: `lake/${key}`,
    Records: [{ ...awsRecord(key, eventName), eventVersion: '2.0', eventSource: 'minio:s3', s3: { bucket: { name: 'lake' }, object: { key: encodeURIComponent(key).replace(/%20/g, '+'), size: 10, eTag: 'abc', sequencer: '17D5E6B0C8A1F2E3' } } }],
  };
}

function sqsEvent(body: unknown): CloudEvent<unknown> {
  return new CloudEvent<unknown>({ type: 'dev.knative.connector.event.aws-sqs', source: 'dev.knative.eventing.aws-sqs-source', subject: 'aws-sqs-source', datacontenttype: 'application/json', data: body });
}

async function ingestJobs(world: FunctionsWorld): Promise<string[]> {
  return (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/operation'] === 'ingest').map((job) => job.metadata.name).sort();
}

describe('s3-object function over HTTP', () => {
  let world: FunctionsWorld;
  let s3: EmbeddedS3;
  let s3Dir: string;
  let catchUp: string[] = [];

  before(async () => {
    s3Dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-functions-s3-'));
    s3 = await startEmbeddedS3({ dir: s3Dir, buckets: ['lake'] });
    world = await startFunctionsWorld({ webhookToken: TOKEN });
    const b64 = (text: string) => Buffer.from(text).toString('base64');
    await world.core.createNamespacedSecret({ namespace: 'default', body: { metadata: { name: 'lake-credentials' }, data: { 'access-key': b64(s3.accessKeyId), 'secret-key': b64(s3.secretAccessKey) } } });
    const spec = catalogSpec();
    const catalog = await createResource(world, 'DuckLakeCatalog', 'lake', { ...spec, objectStore: { ...spec.objectStore, endpoint: s3.endpoint } });
    await sendEvent(world, '/reconcile-catalog', apiServerEvent(catalog, 'add'));
    const [init] = await featherJobs(world);
    assert.ok(init);
    await finishJob(world, init, runnerResult({ op: 'init-catalog', snapshotId: 1 }));
    await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: init.metadata }, 'update'));
    const table = await createResource(world, 'DuckLakeTable', 'users', tableSpec('lake', 'users'));
    await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    const apply = (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/operation'] === 'apply-table');
    assert.ok(apply);
    await finishJob(world, apply, runnerResult({ op: 'apply-table', snapshotId: 2 }));
    await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: apply.metadata }, 'update'));
    assert.equal(condition(await readResource(world, 'DuckLakeTable', 'users'), 'Ready')?.status, 'True');
    // The first time a generation is applied, one catch-up ingest takes files that landed earlier.
    catchUp = await ingestJobs(world);
    assert.equal(catchUp.length, 1);
  });

  after(async () => {
    await world.close();
    await s3.close();
    fs.rmSync(s3Dir, { recursive: true, force: true });
  });

  it('refuses a MinIO webhook post without the Bearer token with 401 and touches nothing', async () => {
    const body = JSON.stringify(minioBody('landing/users/a.csv'));
    const none = await post(world, '/s3-object', body, { 'content-type': 'application/json' });
    const wrong = await post(world, '/s3-object', body, { 'content-type': 'application/json', authorization: 'Bearer nope' });
    assert.deepEqual([none.status, wrong.status], [401, 401]);
    assert.match(String(none.body.error), /Bearer token/);
    assert.deepEqual(await ingestJobs(world), catchUp);
  });

  it('acknowledges the S3 test event and records outside every ingest prefix without a Job', async () => {
    const test = await post(world, '/s3-object', JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'lake' }), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` });
    assert.equal(test.status, 200);
    assert.match(String(test.body.ignored), /test event/);
    const elsewhere = await sendEvent(world, '/s3-object', sqsEvent({ Records: [awsRecord('other/file.csv')] }));
    assert.equal(elsewhere.status, 200);
    assert.deepEqual(elsewhere.body.ingests, []);
    assert.deepEqual(await ingestJobs(world), catchUp);
  });

  it('creates one ingest Job for ten objects in the same minute, in all three shapes', async () => {
    world.clock.now = new Date('2026-11-25T12:05:01Z');
    const answers = [];
    for (let index = 0; index < 10; index++) {
      const key = `landing/users/day ${index}/part=${index}.csv`;
      if (index % 3 === 0) answers.push(await post(world, '/s3-object', JSON.stringify(minioBody(key)), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }));
      else if (index % 3 === 1) answers.push(await sendEvent(world, '/s3-object', sqsEvent({ Records: [awsRecord(key)] }), index % 2 === 0 ? 'binary' : 'structured'));
      else answers.push(await post(world, '/s3-object', JSON.stringify({ Records: [awsRecord(key)] }), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }));
      world.clock.now = new Date(world.clock.now.getTime() + 5000);
    }
    for (const answer of answers) assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answers.flatMap((answer) => answer.body.ingests[0].jobsCreated).length, 1);
    assert.equal((await ingestJobs(world)).length, 2);
    const table = await readResource(world, 'DuckLakeTable', 'users');
    assert.equal(condition(table, 'Reconciling')?.reason, 'Ingesting');
    world.clock.now = new Date('2026-11-25T12:06:00Z');
    await sendEvent(world, '/s3-object', sqsEvent({ Records: [awsRecord('landing/users/next.csv')] }));
    assert.equal((await ingestJobs(world)).length, 3);
  });

  it('job-finished handles a table with several finished ingest Jobs and keeps the newest figures', async () => {
    const ingests = (await featherJobs(world)).filter((job) => job.metadata.labels?.['featherman.dev/operation'] === 'ingest').slice(0, 2);
    assert.equal(ingests.length, 2);
    let snapshot = 10;
    for (const job of ingests) {
      await finishJob(world, job, runnerResult({ op: 'ingest', snapshotId: ++snapshot, rows: 5, table: { rowCount: snapshot * 5, fileCount: snapshot, schemaVersion: 1, bytes: 1000 } }));
      const answer = await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata }, 'update'));
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
    }
    const table = await readResource(world, 'DuckLakeTable', 'users');
    assert.deepEqual([table.status.lastAppliedSnapshot, table.status.rowCount, table.status.fileCount], [12, 60, 12]);
  });

  it('marks the table Degraded with an Event when a data object it holds is removed, but not when HEAD finds it again', async () => {
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'data/main/users/back.parquet', Body: 'x' }));
    client.destroy();
    const back = await sendEvent(world, '/s3-object', sqsEvent({ Records: [awsRecord('data/main/users/back.parquet', 'ObjectRemoved:Delete')] }));
    assert.deepEqual(back.body.missing, []);
    assert.notEqual(condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded')?.status, 'True');
    const gone = await post(world, '/s3-object', JSON.stringify(minioBody('data/main/users/ducklake-1.parquet', 's3:ObjectRemoved:Delete')), { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` });
    assert.equal(gone.status, 200, JSON.stringify(gone.body));
    assert.deepEqual(gone.body.missing, ['s3://lake/data/main/users/ducklake-1.parquet']);
    const degraded = condition(await readResource(world, 'DuckLakeTable', 'users'), 'Degraded');
    assert.equal(degraded?.status, 'True');
    assert.equal(degraded?.reason, 'ObjectMissing');
    const events = await world.core.listNamespacedEvent({ namespace: 'default' });
    assert.ok(events.items.some((event) => event.reason === 'ObjectMissing' && event.type === 'Warning' && event.involvedObject.name === 'users'));
  });

  it('deleting a table with deletionPolicy Delete drops it with a Job, then deletes its objects and releases the finalizer', async () => {
    const table = await createResource(world, 'DuckLakeTable', 'scratch', tableSpec('lake', 'scratch', { deletionPolicy: 'Delete' }));
    await sendEvent(world, '/reconcile-table', apiServerEvent(table, 'add'));
    const byOp = async (op: string) => (await featherJobs(world)).find((job) => job.metadata.labels?.['featherman.dev/table'] === 'scratch' && job.metadata.labels['featherman.dev/operation'] === op);
    const apply = await byOp('apply-table');
    assert.ok(apply);
    await finishJob(world, apply, runnerResult({ op: 'apply-table', snapshotId: 5 }));
    await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: apply.metadata }, 'update'));
    const client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    for (const key of ['data/main/scratch/a.parquet', 'data/main/scratch/b.parquet', 'data/main/users/keep.parquet']) await client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: 'x' }));

    await world.custom.deleteNamespacedCustomObject({ group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default', plural: 'ducklaketables', name: 'scratch' });
    const deleting = await readResource(world, 'DuckLakeTable', 'scratch');
    assert.ok(deleting.metadata.deletionTimestamp);
    const update = await sendEvent(world, '/reconcile-table', apiServerEvent(deleting, 'update', 'Resource'));
    assert.equal(update.status, 200, JSON.stringify(update.body));
    assert.equal(condition(await readResource(world, 'DuckLakeTable', 'scratch'), 'Ready')?.reason, 'Deleting');
    const drop = await byOp('drop-table');
    assert.ok(drop);
    await finishJob(world, drop, runnerResult({ op: 'apply-table', snapshotId: 6 }));
    const finished = await sendEvent(world, '/job-finished', apiServerEvent({ apiVersion: 'batch/v1', kind: 'Job', metadata: drop.metadata }, 'update'));
    assert.equal(finished.status, 200, JSON.stringify(finished.body));
    const left = await client.send(new ListObjectsV2Command({ Bucket: 'lake', Prefix: 'data/main/' }));
    client.destroy();
    assert.deepEqual((left.Contents ?? []).map((item) => item.Key).sort(), ['data/main/users/back.parquet', 'data/main/users/keep.parquet']);
    await assert.rejects(readResource(world, 'DuckLakeTable', 'scratch'), (error: { code?: number }) => error.code === 404);
  });

  it('answers 400 to a plain post that is not JSON', async () => {
    const answer = await post(world, '/s3-object', 'not json', { 'content-type': 'text/plain', authorization: `Bearer ${TOKEN}` });
    assert.equal(answer.status, 400);
  });
});
