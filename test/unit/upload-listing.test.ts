import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageOfUploads, type OpenUploadEntry } from '../../local/s3/upload-listing.ts';

const upload = (key: string, uploadId: string, ns: number): OpenUploadEntry => ({ key, uploadId, initiated: new Date(ns / 1e6), initiatedNs: BigInt(ns) });
// Stored in no particular order: the same key twice (initiated 1 ns apart), another prefix, ids that sort against their age.
const ALL = [upload('t/b', 'z', 5), upload('t/a', 'y', 3), upload('u/a', 'x', 1), upload('t/a', 'b', 4), upload('t/c', 'a', 2)];
const names = (page: { uploads: OpenUploadEntry[] }) => page.uploads.map((each) => `${each.key}:${each.uploadId}`);

test('pageOfUploads orders by key, then by initiation, within the prefix', () => {
  const page = pageOfUploads(ALL, { prefix: 't/', maxUploads: 1000 });
  assert.deepEqual(names(page), ['t/a:y', 't/a:b', 't/b:z', 't/c:a']);
  assert.equal(page.next, undefined);
});

test('pageOfUploads pages with both markers and resumes inside a key', () => {
  const first = pageOfUploads(ALL, { prefix: 't/', maxUploads: 1 });
  assert.deepEqual(names(first), ['t/a:y']);
  assert.deepEqual(first.next, { keyMarker: 't/a', uploadIdMarker: 'y' });
  const second = pageOfUploads(ALL, { prefix: 't/', maxUploads: 2, keyMarker: 't/a', uploadIdMarker: 'y' });
  assert.deepEqual(names(second), ['t/a:b', 't/b:z']);
  assert.deepEqual(second.next, { keyMarker: 't/b', uploadIdMarker: 'z' });
  const last = pageOfUploads(ALL, { prefix: 't/', maxUploads: 2, keyMarker: 't/b', uploadIdMarker: 'z' });
  assert.deepEqual(names(last), ['t/c:a']);
  assert.equal(last.next, undefined);
});

test('pageOfUploads with a key marker alone starts after every upload of that key', () => {
  assert.deepEqual(names(pageOfUploads(ALL, { prefix: '', maxUploads: 10, keyMarker: 't/a' })), ['t/b:z', 't/c:a', 'u/a:x']);
  assert.deepEqual(names(pageOfUploads(ALL, { prefix: '', maxUploads: 10, keyMarker: 'u/z' })), []);
});
