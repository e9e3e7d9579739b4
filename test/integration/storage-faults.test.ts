import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';
import { httpStatusOf } from '../../runner/storage/retry.ts';
import { startFaultProxy, type FaultMode } from '../support/fault-proxy.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

async function exercise(store: ObjectStore, dir: string, prefix: string): Promise<void> {
  for (let index = 0; index < 12; index += 1) {
    const put = await store.putBytes(`${prefix}/small-${index}.txt`, `value ${index}`);
    assert.equal((await store.head(put.key))?.etag, put.etag);
    assert.equal(Buffer.from(await store.getBytes(put.key)).toString(), `value ${index}`);
  }
  const big = join(dir, `${prefix}.bin`);
  const bytes = randomBytes(11 * 1024 * 1024);
  await writeFile(big, bytes);
  const put = await store.putFile(`${prefix}/big.bin`, big);
  assert.equal((await store.head(put.key))?.size, bytes.length);
  await store.getToFile(put.key, `${big}.copy`);
  assert.ok(bytes.equals(await readFile(`${big}.copy`)));
  // A stream of unknown length goes up in buffered parts, each retried on its own.
  const third = Math.floor(bytes.length / 3);
  const streamed = await store.putStream(`${prefix}/streamed.bin`, Readable.from([bytes.subarray(0, third), bytes.subarray(third)]));
  assert.equal(streamed.size, bytes.length);
  assert.equal((await store.head(streamed.key))?.etag, streamed.etag);
  const opened = await store.getStream(streamed.key);
  assert.equal(opened.info.size, bytes.length);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.body) chunks.push(chunk as Buffer);
  assert.ok(bytes.equals(Buffer.concat(chunks)), 'the streamed object reads back byte for byte');
  const keys: string[] = [];
  for await (const item of store.list(`${prefix}/`)) keys.push(item.key);
  assert.equal(keys.length, 14);
  await store.deleteMany(keys);
  for (const key of keys) assert.equal(await store.head(key), undefined);
}

for (const [mode, seed] of [['500', 7], ['503', 11], ['reset', 13]] as Array<[FaultMode, number]>) {
  test(`every operation succeeds through retries with 25% injected ${mode} faults`, async (t) => {
    const s3 = await withEmbeddedS3(t);
    const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0.25, seed, mode });
    t.after(() => proxy.close());
    const store = s3.makeStore({ endpoint: proxy.endpoint, partSizeBytes: 5 * 1024 * 1024, maxAttempts: 10 });
    await exercise(store, await tempDir(t), `faults-${mode}`);
    assert.ok(proxy.counters.faults >= 5, `faults injected: ${proxy.counters.faults} of ${proxy.counters.requests}`);
    // s3rver itself now and then answers a 1,000-key delete with a 500, hence at least.
    assert.ok(store.stats.retries >= proxy.counters.faults, `retries ${store.stats.retries} cover faults ${proxy.counters.faults}`);
    assert.equal(store.stats.requests, proxy.counters.requests);
  });
}

test('a slow request past the socket timeout is retried', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0.3, seed: 5, mode: 'delay', delayMs: 1500 });
  t.after(() => proxy.close());
  const store = s3.makeStore({ endpoint: proxy.endpoint, socketTimeoutMs: 400, maxAttempts: 10 });
  for (let index = 0; index < 8; index += 1) {
    const put = await store.putBytes(`slow/${index}.txt`, `slow ${index}`);
    assert.equal((await store.head(put.key))?.size, put.size);
  }
  assert.ok(proxy.counters.faults >= 2, `delays injected: ${proxy.counters.faults}`);
  assert.ok(store.stats.retries >= proxy.counters.faults, 'each delayed request timed out and was retried');
});

test('an unknown access key (403) is not retried', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0, seed: 1, mode: '500' });
  t.after(() => proxy.close());
  const store = s3.makeStore({ endpoint: proxy.endpoint, credentials: { accessKeyId: 'NOT-A-KEY', secretAccessKey: 'wrong-secret' } });
  await assert.rejects(store.putBytes('denied/x.txt', 'x'), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_OBJECT_STORE');
    assert.equal(httpStatusOf(error.cause), 403);
    assert.match(error.message, /upload to s3:\/\/lake\/denied\/x\.txt failed: HTTP 403/);
    return true;
  });
  assert.equal(proxy.counters.requests, 1);
  assert.equal(store.stats.retries, 0);
});

test('a missing bucket (404) is not retried', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0, seed: 1, mode: '500' });
  t.after(() => proxy.close());
  const store = s3.makeStore({ endpoint: proxy.endpoint, bucket: 'no-such-bucket' });
  await assert.rejects(store.putBytes('x.txt', 'x'), /upload to s3:\/\/no-such-bucket\/x\.txt failed: HTTP 404 NoSuchBucket/);
  assert.equal(proxy.counters.requests, 1);
});

test('SSE-KMS headers go with every write when a key is set', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const proxy = await startFaultProxy({ target: s3.endpoint, failRate: 0, seed: 1, mode: '500' });
  t.after(() => proxy.close());
  const kmsKeyId = 'arn:aws:kms:us-east-1:111122223333:key/test-key';
  const store = s3.makeStore({ endpoint: proxy.endpoint, kmsKeyId, partSizeBytes: 5 * 1024 * 1024 });
  const dir = await tempDir(t);
  await writeFile(join(dir, 'big.bin'), randomBytes(6 * 1024 * 1024));
  await store.putBytes('kms/small.txt', 'secret');
  await store.putFile('kms/big.bin', join(dir, 'big.bin'));
  const writes = proxy.requests.filter((request) => request.method === 'PUT' && !request.url.includes('partNumber='));
  const creates = proxy.requests.filter((request) => request.method === 'POST' && request.url.includes('uploads'));
  assert.equal(writes.length, 1);
  assert.equal(creates.length, 1);
  for (const request of [...writes, ...creates]) {
    assert.equal(request.headers['x-amz-server-side-encryption'], 'aws:kms');
    assert.equal(request.headers['x-amz-server-side-encryption-aws-kms-key-id'], kmsKeyId);
  }
});
