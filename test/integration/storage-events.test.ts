import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import type { S3ObjectEvent } from '../../local/s3/embedded-s3.ts';
import { withEmbeddedS3 } from '../support/s3.ts';

test('the embedded server reports object puts and deletes as S3 event records', async (t) => {
  const s3 = await withEmbeddedS3(t, ['lake', 'other']);
  const events: S3ObjectEvent[] = [];
  s3.server.events.on('object', (event: S3ObjectEvent) => events.push(event));
  const put = await s3.store.putBytes('landing/a.csv', 'x,y\n1,2\n');
  const other = s3.makeStore({ bucket: 'other' });
  await other.putBytes('b.json', '{}');
  const deleted = once(s3.server.events, 'object');
  const { DeleteObjectCommand, S3Client } = await import('@aws-sdk/client-s3');
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  t.after(() => client.destroy());
  await client.send(new DeleteObjectCommand({ Bucket: 'lake', Key: 'landing/a.csv' }));
  await deleted;
  assert.deepEqual(
    events.map((event) => [event.eventName, event.s3.bucket.name, event.s3.object.key]),
    [['ObjectCreated:Put', 'lake', 'landing/a.csv'], ['ObjectCreated:Put', 'other', 'b.json'], ['ObjectRemoved:Delete', 'lake', 'landing/a.csv']],
  );
  assert.equal(events[0]?.s3.object.eTag, put.etag);
  assert.equal(events[0]?.s3.object.size, put.size);
});
