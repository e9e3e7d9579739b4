import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { startEmbeddedS3, type EmbeddedS3 } from '../../local/s3/embedded-s3.ts';
import { startPingSource } from '../../local/event-router/ping-source.ts';
import { startS3Source, type S3Source } from '../../local/event-router/s3-source.ts';
import { startTestReceiver, type TestReceiver } from '../../local/event-router/test-receiver.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

interface AwsRecord { eventName: string; eventVersion: string; eventSource: string; s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; sequencer: string } } }

describe('event router: S3 notifications and PingSource', () => {
  let dir: string;
  let s3: EmbeddedS3;
  let client: S3Client;
  let receiver: TestReceiver;
  const sources: S3Source[] = [];

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-router-s3-'));
    s3 = await startEmbeddedS3({ dir, buckets: ['lake'] });
    client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    receiver = await startTestReceiver();
  });
  after(async () => {
    await Promise.all(sources.map((source) => source.close()));
    client.destroy();
    await receiver.close();
    await s3.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('posts an aws-sqs CloudEvent whose data is the AWS record with the URL-encoded key', async () => {
    sources.push(startS3Source({ events: s3.events, sink: `${receiver.url}/s3-object`, logger, prefix: 'landing/' }));
    const key = 'landing/users/day 1/part=1.csv';
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: 'id\n1\n' }));
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'elsewhere/x.csv', Body: 'id\n' }));
    await client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: key }));
    const received = await receiver.waitFor((all) => all.filter((request) => request.path === '/s3-object').length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const requests = received.filter((request) => request.path === '/s3-object');
    assert.equal(requests.length, 2, 'the key outside the prefix is filtered out');
    const [put, removed] = requests.map((request) => {
      assert.ok(request.event, `a CloudEvent: ${request.parseError}`);
      assert.equal(request.headers['ce-type'], 'dev.knative.connector.event.aws-sqs');
      assert.equal(request.event.source, 'dev.knative.eventing.aws-sqs-source');
      assert.equal(request.event.subject, 'aws-sqs-source');
      assert.match(request.event.id, /^[0-9A-F]{15}-\d{16}$/);
      const data = request.event.data as { Records: AwsRecord[] };
      assert.equal(data.Records.length, 1);
      return data.Records[0];
    });
    assert.equal(put?.eventName, 'ObjectCreated:Put');
    assert.equal(put?.eventVersion, '2.1');
    assert.equal(put?.eventSource, 'aws:s3');
    assert.equal(put?.s3.bucket.name, 'lake');
    assert.equal(put?.s3.object.key, 'landing/users/day+1/part%3D1.csv');
    assert.equal(decodeURIComponent((put?.s3.object.key ?? '').replace(/\+/g, ' ')), key);
    assert.equal(put?.s3.object.size, 5);
    assert.match(put?.s3.object.eTag ?? '', /^[0-9a-f]{32}$/);
    assert.equal(removed?.eventName, 'ObjectRemoved:Delete');
    assert.equal(removed?.s3.object.size, undefined, 'removals carry no size');
    assert.equal(removed?.s3.object.eTag, undefined);
    await sources.pop()?.close();
  });

  it('posts the MinIO webhook body with a bearer token, the plain Key and a query-escaped record key', async () => {
    sources.push(startS3Source({ events: s3.events, sink: `${receiver.url}/minio`, logger, shape: 'minio', authToken: 'sekret', endpoint: s3.endpoint }));
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'landing/a b/c.csv', Body: 'x' }));
    const received = await receiver.waitFor((all) => all.some((request) => request.path === '/minio'));
    const request = received.find((entry) => entry.path === '/minio');
    assert.ok(request);
    assert.equal(request.event, undefined, 'not a CloudEvent');
    assert.equal(request.headers.authorization, 'Bearer sekret');
    const body = JSON.parse(request.body) as { EventName: string; Key: string; Records: AwsRecord[] };
    assert.equal(body.EventName, 's3:ObjectCreated:Put');
    assert.equal(body.Key, 'lake/landing/a b/c.csv');
    assert.equal(body.Records[0]?.eventName, 's3:ObjectCreated:Put');
    assert.equal(body.Records[0]?.eventSource, 'minio:s3');
    assert.equal(body.Records[0]?.s3.object.key, 'landing%2Fa+b%2Fc.csv');
    await sources.pop()?.close();
  });

  it('posts the plain AWS record JSON in the aws shape', async () => {
    sources.push(startS3Source({ events: s3.events, sink: `${receiver.url}/aws`, logger, shape: 'aws' }));
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'landing/p q.csv', Body: 'x' }));
    const received = await receiver.waitFor((all) => all.some((request) => request.path === '/aws'));
    const request = received.find((entry) => entry.path === '/aws');
    assert.equal(request?.headers['ce-type'], undefined, 'not a CloudEvent');
    const body = JSON.parse(request?.body ?? '{}') as { Records: AwsRecord[] };
    assert.equal(body.Records[0]?.eventName, 'ObjectCreated:Put');
    assert.equal(body.Records[0]?.s3.object.key, 'landing/p+q.csv');
    await sources.pop()?.close();
  });

  it('ticks the PingSource once after start and then on its schedule, with a new id each time', async () => {
    const ping = startPingSource({ sink: `${receiver.url}/sweep`, logger, schedule: '* * * * * *', initialDelayMs: 0, jitterMs: 0 });
    const started = Date.now();
    const received = await receiver.waitFor((all) => all.filter((request) => request.path === '/sweep').length >= 3, 5000);
    await ping.close();
    const ticks = received.filter((request) => request.path === '/sweep');
    assert.ok(Date.now() - started >= 900, 'the scheduled ticks follow the every-second cron');
    for (const { event } of ticks) {
      assert.ok(event);
      assert.equal(event.type, 'dev.knative.sources.ping');
      assert.equal(event.source, '/apis/v1/namespaces/featherman-system/pingsources/featherman-resync');
      assert.equal(event.feathermantask, 'resync');
      assert.deepEqual(event.data, { task: 'resync' });
    }
    assert.equal(new Set(ticks.map((request) => request.event?.id)).size, ticks.length);
    const count = ticks.length;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    assert.equal(receiver.received.filter((request) => request.path === '/sweep').length, count, 'no tick after close');
  });

  it('does not tick early for a schedule more than 24.8 days away (beyond setTimeout\'s range)', async () => {
    const month = ((new Date().getMonth() + 6) % 12) + 1;
    const ping = startPingSource({ sink: `${receiver.url}/far`, logger, schedule: `0 0 1 ${month} *`, initialDelayMs: -1, jitterMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    await ping.close();
    assert.equal(receiver.received.filter((request) => request.path === '/far').length, 0);
  });

  it('refuses a bad cron schedule with a one-sentence error', () => {
    assert.throws(() => startPingSource({ sink: `${receiver.url}/sweep`, logger, schedule: 'every minute' }), /^Error: ping schedule: must be a cron expression; got "every minute"/);
  });
});
