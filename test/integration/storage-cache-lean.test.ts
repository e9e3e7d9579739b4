import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import { createFileCache } from '../../runner/storage/file-cache.ts';
import { LEAN_GET_MIN_BYTES } from '../../runner/storage/lean-get.ts';
import { startFaultProxy, type FaultMode, type FaultProxy } from '../support/fault-proxy.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

// The file cache downloads objects of LEAN_GET_MIN_BYTES and more through the lean GET
// (presigned URL, reused buffers) and smaller ones, or any the lean GET gives up on,
// through the SDK. A recording, faulting proxy sits in front of the real server.

const presigned = (url: string) => url.includes('X-Amz-Signature=');

async function proxiedCache(t: TestContext, mode: FaultMode, faultFirstPresigned: boolean, truncateBytes?: number) {
  const s3 = await withEmbeddedS3(t);
  let seen = 0;
  const proxy: FaultProxy = await startFaultProxy({
    target: s3.endpoint, failRate: 1, seed: 3, mode, ...(truncateBytes ? { truncateBytes } : {}),
    eligible: (method, url) => faultFirstPresigned && method === 'GET' && presigned(url) && seen++ === 0,
  });
  t.after(() => proxy.close());
  const store = s3.makeStore({ endpoint: proxy.endpoint });
  const cache = createFileCache(await tempDir(t), store);
  const gets = (key: string) => proxy.requests.filter((request) => request.method === 'GET' && request.url.split('?')[0]?.endsWith(`/${key}`));
  return { s3, cache, gets };
}

test('a big object comes through one presigned GET and a small one through one SDK GET, bytes intact', async (t) => {
  const { s3, cache, gets } = await proxiedCache(t, '500', false);
  const big = randomBytes(LEAN_GET_MIN_BYTES + 4321);
  const small = randomBytes(1000);
  const bigPut = await s3.store.putBytes('cache/big.parquet', big);
  const smallPut = await s3.store.putBytes('cache/small.parquet', small);
  assert.ok((await readFile(await cache.fetch('cache/big.parquet', bigPut.etag, bigPut.size))).equals(big));
  assert.ok((await readFile(await cache.fetch('cache/small.parquet', smallPut.etag, smallPut.size))).equals(small));
  assert.deepEqual(gets('cache/big.parquet').map((get) => presigned(get.url)), [true]);
  assert.deepEqual(gets('cache/small.parquet').map((get) => presigned(get.url)), [false]);
});

test('a lean GET cut short mid-body is downloaded again through the SDK; the cached file is whole', async (t) => {
  const { s3, cache, gets } = await proxiedCache(t, 'truncate', true, 2 * 1024 * 1024);
  const big = randomBytes(LEAN_GET_MIN_BYTES + 99);
  const put = await s3.store.putBytes('cache/cut.parquet', big);
  assert.ok((await readFile(await cache.fetch('cache/cut.parquet', put.etag, put.size))).equals(big));
  assert.deepEqual(gets('cache/cut.parquet').map((get) => presigned(get.url)), [true, false], 'the cut presigned GET, then the SDK GET');
});

test('an object rewritten since it was listed is refused with FM_ERR_OBJECT_MISMATCH and nothing is cached', async (t) => {
  const { s3, cache } = await proxiedCache(t, '500', false);
  const listed = await s3.store.putBytes('cache/moved.parquet', randomBytes(LEAN_GET_MIN_BYTES + 1));
  await s3.store.putBytes('cache/moved.parquet', randomBytes(LEAN_GET_MIN_BYTES + 1));
  await assert.rejects(cache.fetch('cache/moved.parquet', listed.etag, listed.size), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_OBJECT_MISMATCH');
  assert.deepEqual((await readdir(cache.dir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name), [], 'no file, whole or partial, is left in the cache');
});
