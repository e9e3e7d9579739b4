import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { test } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import { createFileCache } from '../../runner/storage/file-cache.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

test('the file cache downloads once, reuses the copy and re-downloads when the ETag changes', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const cache = createFileCache(await tempDir(t), s3.store);
  const first = await s3.store.putBytes('cache/data.csv', 'a,b\n1,2\n');

  const path = await cache.fetch('cache/data.csv', first.etag, first.size);
  assert.equal(await readFile(path, 'utf8'), 'a,b\n1,2\n');
  assert.match(path, /\.csv$/);
  const requestsAfterFirst = s3.store.stats.requests;
  assert.equal(await cache.fetch('cache/data.csv', first.etag, first.size), path);
  assert.equal(s3.store.stats.requests, requestsAfterFirst, 'a hit sends no request');
  assert.deepEqual(cache.stats, { hits: 1, downloads: 1 });

  const second = await s3.store.putBytes('cache/data.csv', 'a,b\n3,4\n5,6\n');
  assert.notEqual(second.etag, first.etag);
  const newPath = await cache.fetch('cache/data.csv');
  assert.notEqual(newPath, path);
  assert.equal(await readFile(newPath, 'utf8'), 'a,b\n3,4\n5,6\n');
  assert.equal(cache.stats.downloads, 2);
  assert.equal(await readFile(path, 'utf8'), 'a,b\n1,2\n', 'the old version stays intact');
});

test('concurrent fetches of one object share a single download', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const cache = createFileCache(await tempDir(t), s3.store);
  const put = await s3.store.putBytes('cache/shared.parquet', Buffer.alloc(200_000, 7));
  const paths = await Promise.all(Array.from({ length: 8 }, () => cache.fetch('cache/shared.parquet', put.etag, put.size)));
  assert.equal(new Set(paths).size, 1);
  assert.equal(cache.stats.downloads, 1);
  assert.equal((await readFile(paths[0] ?? '')).length, 200_000);
});

test('a stale ETag is a mismatch error and leaves no file behind', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const dir = await tempDir(t);
  const cache = createFileCache(dir, s3.store);
  await s3.store.putBytes('cache/moved.json', '{"v":2}');
  await assert.rejects(cache.fetch('cache/moved.json', '0123456789abcdef0123456789abcdef'), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_OBJECT_MISMATCH');
    assert.match(error.message, /expected 0123456789abcdef0123456789abcdef/);
    return true;
  });
  const leftovers = (await readdir(dir, { recursive: true })).filter((name) => /\.(download|part)$/.test(name) || name.endsWith('.json'));
  assert.deepEqual(leftovers, []);
});
