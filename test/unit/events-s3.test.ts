import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCloudEvent } from '../../functions/events/cloudevent.ts';
import { decodeS3Key, parseS3Notification, s3RecordKey, type S3Notification } from '../../functions/events/s3-notification.ts';
import { asBinary, readEventFixture } from './events-fixtures.ts';

function records(body: unknown): S3Notification {
  const result = parseS3Notification(body);
  assert.equal(result.kind, 's3', JSON.stringify(result));
  return result as S3Notification;
}

describe('parseS3Notification', () => {
  it('reads an AWS record with its key decoded (+ is a space, %3D is =)', () => {
    const result = records(readEventFixture('s3-aws-created'));
    assert.equal(result.shape, 'aws');
    assert.deepEqual(result.records, [{
      bucket: 'my-data-lake', key: 'landing/users/day 1/part=1.csv', action: 'created', eventName: 'ObjectCreated:Put',
      size: 1048576, eTag: 'd41d8cd98f00b204e9800998ecf8427e', versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
      sequencer: '0055AED6DCD90281E5', eventTime: '2026-08-20T12:34:56.789Z',
    }]);
  });

  it('reads a MinIO webhook body: s3: prefix stripped, query-escaped key decoded to match the top-level Key', () => {
    const fixture = readEventFixture('s3-minio-created');
    const result = records(fixture);
    assert.equal(result.shape, 'minio');
    const [record] = result.records;
    assert.equal(record?.eventName, 'ObjectCreated:Put');
    assert.equal(`${record?.bucket}/${record?.key}`, fixture.Key);
  });

  for (const name of ['s3-aws-removed', 's3-minio-removed']) {
    it(`reads a removal record without size or eTag (${name})`, () => {
      const [record] = records(readEventFixture(name)).records;
      assert.equal(record?.action, 'removed');
      assert.equal(record?.key, 'data/main/users/ducklake-0001.parquet');
      assert.equal(record?.size, undefined);
      assert.equal(record?.eTag, undefined);
      assert.ok(record && s3RecordKey(record).endsWith(`@${record.sequencer}`));
    });
  }

  it('reads the same records from a CloudEvent carrying S3 JSON, from an SNS envelope and from JSON text', () => {
    const expected = records(readEventFixture('s3-aws-created')).records;
    const { headers, body } = asBinary(readEventFixture('s3-cloudevent-sqs'));
    const event = parseCloudEvent(headers, body);
    assert.ok(!('kind' in event));
    assert.deepEqual(records(event.data).records, expected);
    assert.deepEqual(records(readEventFixture('s3-sns-envelope')).records, expected);
    assert.deepEqual(records(JSON.stringify(readEventFixture('s3-aws-created'))).records, expected);
  });

  it('ignores the S3 test event and unknown shapes with a reason', () => {
    const test = parseS3Notification(readEventFixture('s3-aws-testevent'));
    assert.deepEqual(test, { kind: 'ignore', reason: 'the S3 test event needs no action' });
    for (const body of [null, 42, 'not json', [], { hello: 'world' }, { Records: 'x' }]) {
      const result = parseS3Notification(body);
      assert.equal(result.kind, 'ignore', JSON.stringify(body));
      assert.ok(result.kind === 'ignore' && result.reason.length > 0);
    }
  });

  it('skips unreadable records and keeps the rest', () => {
    const good = (readEventFixture('s3-aws-created').Records as unknown[])[0];
    const result = records({ Records: [good, { s3: { bucket: { name: 'b' }, object: { key: 'bad%ZZ' } } }, 7] });
    assert.equal(result.records.length, 1);
    assert.equal(result.skipped.length, 2);
    assert.match(result.skipped[0] ?? '', /broken escapes/);
    assert.equal(parseS3Notification({ Records: [7] }).kind, 'ignore');
  });

  it('classifies NoOP and other event names as other', () => {
    const good = (readEventFixture('s3-minio-created').Records as Array<Record<string, unknown>>)[0];
    const result = records({ Records: [{ ...good, eventName: 's3:ObjectRemoved:NoOP' }, { ...good, eventName: 's3:ObjectAccessed:Get' }] });
    assert.deepEqual(result.records.map((record) => record.action), ['other', 'other']);
  });

  it('decodes keys and refuses broken escapes', () => {
    assert.equal(decodeS3Key('a+b%2Bc%2Fd'), 'a b+c/d');
    assert.equal(decodeS3Key('%E0%A4%A'), undefined);
  });
});
