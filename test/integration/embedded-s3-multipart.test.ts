import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand,
  S3Client, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { MIN_PART_BYTES } from '../../local/s3/multipart-uploads.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** s3Etag computes S3's multipart ETag independently of the server: MD5 of the binary part MD5s, dash, count. */
function s3Etag(parts: readonly Uint8Array[]): string {
  const digests = parts.map((part) => createHash('md5').update(part).digest());
  return `${createHash('md5').update(Buffer.concat(digests)).digest('hex')}-${parts.length}`;
}

function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : String(error);
}

describe('the embedded S3 server does multipart uploads as S3 does', () => {
  let s3: TestS3;
  let client: S3Client;
  let dir: string;
  const big = () => randomBytes(MIN_PART_BYTES);

  before(async () => {
    s3 = await startTestS3();
    dir = await tempDir(undefined, 'fm-multipart-');
    client = new S3Client({ ...s3.storeOptions, maxAttempts: 1, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  });
  after(async () => {
    client.destroy();
    await s3.close();
    await removeDir(dir);
  });

  async function begin(key: string): Promise<string> {
    const out = await client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: key }));
    assert.ok(out.UploadId);
    return out.UploadId;
  }

  async function part(key: string, uploadId: string, number: number, body: Uint8Array): Promise<string> {
    const out = await client.send(new UploadPartCommand({ Bucket: s3.bucket, Key: key, UploadId: uploadId, PartNumber: number, Body: body }));
    assert.equal(out.ETag, `"${md5(body)}"`);
    return out.ETag;
  }

  function complete(key: string, uploadId: string, parts: readonly { number: number; etag: string }[]) {
    return client.send(new CompleteMultipartUploadCommand({
      Bucket: s3.bucket, Key: key, UploadId: uploadId,
      MultipartUpload: { Parts: parts.map((each) => ({ PartNumber: each.number, ETag: each.etag })) },
    }));
  }

  async function read(key: string): Promise<{ body: Buffer; etag: string | undefined }> {
    const out = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
    return { body: Buffer.from(await out.Body!.transformToByteArray()), etag: out.ETag };
  }

  async function exists(key: string): Promise<boolean> {
    try {
      await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: key }));
      return true;
    } catch (error) {
      if (errorCode(error) === 'NotFound') return false;
      throw error;
    }
  }

  it('joins the parts in order and gives the ETag S3 gives, with the number of parts', async () => {
    const local = join(dir, 'three-parts.bin');
    const bytes = randomBytes(2 * MIN_PART_BYTES + 12_345);
    await writeFile(local, bytes);
    const store = s3.makeStore({ partSizeBytes: MIN_PART_BYTES });
    const put = await store.putFile('multi/three.bin', local);
    const expected = s3Etag([bytes.subarray(0, MIN_PART_BYTES), bytes.subarray(MIN_PART_BYTES, 2 * MIN_PART_BYTES), bytes.subarray(2 * MIN_PART_BYTES)]);
    assert.equal(put.etag, expected);
    const got = await read('multi/three.bin');
    assert.equal(got.etag, `"${expected}"`);
    assert.ok(got.body.equals(bytes), 'the object is the parts joined in order');
    const head = await store.head('multi/three.bin');
    assert.deepEqual([head?.size, head?.etag], [bytes.length, expected]);
  });

  it('leaves out a part the list leaves out, even after it was joined', async () => {
    const key = 'multi/skip-two.bin';
    const uploadId = await begin(key);
    const bodies = [big(), big(), randomBytes(1000)];
    const etags = [];
    for (const [index, body] of bodies.entries()) etags.push(await part(key, uploadId, index + 1, body));
    await complete(key, uploadId, [{ number: 1, etag: etags[0]! }, { number: 3, etag: etags[2]! }]);
    const got = await read(key);
    assert.ok(got.body.equals(Buffer.concat([bodies[0]!, bodies[2]!])));
    assert.equal(got.etag, `"${s3Etag([bodies[0]!, bodies[2]!])}"`);
  });

  it('takes the last upload of a part that was uploaded twice', async () => {
    const key = 'multi/again.bin';
    const uploadId = await begin(key);
    const first = big();
    const second = big();
    const again = big();
    await part(key, uploadId, 1, first);
    const etag2 = await part(key, uploadId, 2, second);
    const etag1 = await part(key, uploadId, 1, again);
    await complete(key, uploadId, [{ number: 1, etag: etag1 }, { number: 2, etag: etag2 }]);
    assert.ok((await read(key)).body.equals(Buffer.concat([again, second])));
  });

  it('refuses a wrong ETag, parts out of order and a small part that is not the last, and writes nothing', async () => {
    const key = 'multi/refused.bin';
    const uploadId = await begin(key);
    const small = randomBytes(1000);
    const etag1 = await part(key, uploadId, 1, small);
    const etag2 = await part(key, uploadId, 2, big());
    const refusals: [string, { number: number; etag: string }[]][] = [
      ['InvalidPart', [{ number: 1, etag: etag1 }, { number: 2, etag: `"${'0'.repeat(32)}"` }]],
      ['InvalidPart', [{ number: 1, etag: etag1 }, { number: 3, etag: etag2 }]],
      ['InvalidPartOrder', [{ number: 2, etag: etag2 }, { number: 1, etag: etag1 }]],
      ['EntityTooSmall', [{ number: 1, etag: etag1 }, { number: 2, etag: etag2 }]],
    ];
    for (const [code, parts] of refusals) {
      await assert.rejects(complete(key, uploadId, parts), (error) => errorCode(error) === code, code);
      assert.equal(await exists(key), false, `${code} left no object`);
    }
    // The upload is still open: a list S3 accepts completes it.
    await complete(key, uploadId, [{ number: 2, etag: etag2 }]);
    assert.equal(await exists(key), true);
  });

  it('answers NoSuchUpload for a part or a completion of an upload that does not exist, and stores no part', async () => {
    const key = 'multi/nothing.bin';
    const missing = 'f'.repeat(32);
    await assert.rejects(client.send(new UploadPartCommand({ Bucket: s3.bucket, Key: key, UploadId: missing, PartNumber: 1, Body: randomBytes(10) })), (error) => errorCode(error) === 'NoSuchUpload');
    await assert.rejects(complete(key, missing, [{ number: 1, etag: '"x"' }]), (error) => errorCode(error) === 'NoSuchUpload');
    const uploads = await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads')).catch(() => [] as string[]);
    assert.equal(uploads.includes(missing), false);
    assert.equal(await exists(key), false);
  });

  it('keeps the old object readable until the completion replaces it, and removes the upload folder after', async () => {
    const key = 'multi/replace.bin';
    await s3.store.putBytes(key, 'old');
    const uploadId = await begin(key);
    const body = randomBytes(2000);
    const etag = await part(key, uploadId, 1, body);
    assert.equal((await read(key)).body.toString(), 'old');
    await complete(key, uploadId, [{ number: 1, etag }]);
    assert.ok((await read(key)).body.equals(body));
    const uploads = await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads'));
    assert.equal(uploads.includes(uploadId), false);
  });

  it('aborts an upload: its parts are removed and it can be neither completed nor aborted again', async () => {
    const key = 'multi/aborted.bin';
    const uploadId = await begin(key);
    const etag = await part(key, uploadId, 1, big());
    const abort = (onKey: string) => client.send(new AbortMultipartUploadCommand({ Bucket: s3.bucket, Key: onKey, UploadId: uploadId }));
    await assert.rejects(abort('multi/other.bin'), (error) => errorCode(error) === 'NoSuchUpload', 'an abort names the key of the upload');
    const answer = await abort(key);
    assert.equal(answer.$metadata.httpStatusCode, 204);
    assert.equal((await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads'))).includes(uploadId), false);
    await assert.rejects(complete(key, uploadId, [{ number: 1, etag }]), (error) => errorCode(error) === 'NoSuchUpload');
    await assert.rejects(abort(key), (error) => errorCode(error) === 'NoSuchUpload');
    assert.equal(await exists(key), false);
  });

  it('lets a streamed upload whose body breaks report the break, and leaves no parts behind', async () => {
    const store = s3.makeStore({ partSizeBytes: MIN_PART_BYTES });
    let sent = 0;
    const body = new Readable({
      read() {
        // Three whole parts first, so that lib-storage has begun a multipart upload.
        if (sent >= 3 * MIN_PART_BYTES) {
          this.destroy(new Error('the source broke'));
          return;
        }
        sent += MIN_PART_BYTES;
        this.push(randomBytes(MIN_PART_BYTES));
      },
    });
    const before = await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads')).catch(() => [] as string[]);
    await assert.rejects(store.putStream('multi/broken.bin', body), (error: Error) => {
      const text = `${error.message} ${String(error.cause)}`;
      return text.includes('the source broke') && !/405|MethodNotAllowed/.test(text);
    });
    const after = await readdir(join(s3.dir, s3.bucket, '._S3rver_uploads')).catch(() => [] as string[]);
    assert.deepEqual(after.filter((id) => !before.includes(id)), [], 'the aborted upload left no folder');
    assert.equal(await exists('multi/broken.bin'), false);
  });

  it('lists open uploads by prefix, key and initiation, a page at a time, and drops completed and aborted ones', async () => {
    const keys = ['list/b', 'list/a', 'list/c', 'list/a', 'other/a'];
    const ids: string[] = [];
    for (const key of keys) ids.push(await begin(key));
    const [b, a1, c, a2] = ids;
    const pages: Array<Array<[string, string]>> = [];
    let markers: { KeyMarker?: string; UploadIdMarker?: string } = {};
    for (;;) {
      const out = await client.send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: 'list/', MaxUploads: 2, ...markers }));
      pages.push((out.Uploads ?? []).map((upload) => [upload.Key ?? '', upload.UploadId ?? '']));
      if (!out.IsTruncated) break;
      assert.ok(out.NextKeyMarker && out.NextUploadIdMarker);
      markers = { KeyMarker: out.NextKeyMarker, UploadIdMarker: out.NextUploadIdMarker };
    }
    assert.deepEqual(pages, [[['list/a', a1], ['list/a', a2]], [['list/b', b], ['list/c', c]]], 'two pages of two, the same key in initiation order');

    const store = s3.makeStore();
    const listed = async () => {
      const out: string[] = [];
      for await (const upload of store.listUploads('list/')) out.push(`${upload.key} ${upload.uploadId}`);
      return out;
    };
    assert.ok(b && a1 && c && a2);
    await complete('list/b', b, [{ number: 1, etag: await part('list/b', b, 1, randomBytes(10)) }]);
    await store.abortUpload('list/c', c);
    await store.abortUpload('list/c', c);
    assert.deepEqual(await listed(), [`list/a ${a1}`, `list/a ${a2}`], 'completed and aborted uploads are gone; a second abort is no error');
  });
});
