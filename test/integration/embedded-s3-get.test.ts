import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LEAN_BODY_BUFFER_BYTES, LeanFileBody } from '../../local/s3/lean-file-body.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';

// Not a multiple of the send buffer, so the last read is a short one.
const SIZE = 3 * LEAN_BODY_BUFFER_BYTES + 12_345;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(url: URL, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** abortAfter starts a GET and destroys the connection once `bytes` of body arrived. */
function abortAfter(url: URL, bytes: number): Promise<number> {
  return new Promise((resolve, reject) => {
    let got = 0;
    const req = request(url, (res) => {
      res.on('data', (chunk: Buffer) => {
        got += chunk.length;
        if (got >= bytes) {
          req.destroy();
          resolve(got);
        }
      });
    });
    req.on('error', (error) => (got >= bytes ? undefined : reject(error)));
    req.end();
  });
}

async function openFiles(): Promise<number> {
  return (await readdir('/proc/self/fd')).length;
}

describe('the embedded S3 server sends object bodies through reused buffers', () => {
  let s3: TestS3;
  let dir: string;
  let body: Buffer;
  before(async () => {
    s3 = await startTestS3();
    dir = await tempDir();
    body = randomBytes(SIZE);
    await writeFile(join(dir, 'big.bin'), body);
    await s3.store.putFile('objects/big.bin', join(dir, 'big.bin'));
  });
  after(async () => {
    await s3.close();
    await removeDir(dir);
  });

  it('answers a presigned GET with every byte, the length and the MD5 ETag', async () => {
    const url = await s3.store.presignGet?.('objects/big.bin');
    assert.ok(url);
    const answer = await get(url);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-length'], String(SIZE));
    assert.equal(answer.headers.etag, `"${createHash('md5').update(body).digest('hex')}"`);
    assert.ok(answer.body.equals(body), 'the body differs from the object');
  });

  it('gets the same bytes through the SDK', async () => {
    assert.ok(Buffer.from(await s3.store.getBytes('objects/big.bin')).equals(body));
  });

  it('answers a range across a buffer boundary with 206 and exactly that slice', async () => {
    const url = await s3.store.presignGet?.('objects/big.bin');
    assert.ok(url);
    const first = LEAN_BODY_BUFFER_BYTES - 7;
    const last = 2 * LEAN_BODY_BUFFER_BYTES + 9;
    const answer = await get(url, { range: `bytes=${first}-${last}` });
    assert.equal(answer.status, 206);
    assert.equal(answer.headers['content-range'], `bytes ${first}-${last}/${SIZE}`);
    assert.ok(answer.body.equals(body.subarray(first, last + 1)));
    const tail = await get(url, { range: `bytes=${SIZE - 100}-` });
    assert.ok(tail.body.equals(body.subarray(SIZE - 100)));
  });

  it('answers an empty object with an empty body, and a one-byte range of a small one', async () => {
    await s3.store.putBytes('objects/empty.bin', new Uint8Array(0));
    await s3.store.putBytes('objects/tiny.txt', 'abc');
    const empty = await s3.store.presignGet?.('objects/empty.bin');
    const tiny = await s3.store.presignGet?.('objects/tiny.txt');
    assert.ok(empty && tiny);
    const nothing = await get(empty);
    assert.equal(nothing.status, 200);
    assert.equal(nothing.headers['content-length'], '0');
    assert.equal(nothing.body.length, 0);
    assert.equal((await get(tiny, { range: 'bytes=1-1' })).body.toString('utf8'), 'b');
    assert.equal((await get(tiny)).body.toString('utf8'), 'abc');
  });

  it('answers HEAD without a body and a missing key with 404 NoSuchKey', async () => {
    const url = await s3.store.presignGet?.('objects/big.bin');
    const missing = await s3.store.presignGet?.('objects/none.bin');
    assert.ok(url && missing);
    assert.equal((await get(missing)).status, 404);
    assert.match((await get(missing)).body.toString('utf8'), /NoSuchKey/);
    assert.equal((await s3.store.head('objects/big.bin'))?.size, SIZE);
  });

  it('closes the object file when a client goes away mid-body, and serves the next GET whole', async () => {
    const url = await s3.store.presignGet?.('objects/big.bin');
    assert.ok(url);
    const before = await openFiles();
    for (let i = 0; i < 5; i += 1) await abortAfter(url, LEAN_BODY_BUFFER_BYTES);
    let now = await openFiles();
    for (let wait = 0; now > before && wait < 50; wait += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      now = await openFiles();
    }
    assert.ok(now <= before, `${now - before} descriptors were left open by aborted GETs`);
    assert.ok((await get(url)).body.equals(body));
  });

  it('cuts the connection when the object is rewritten shorter during its GET, instead of leaving the client waiting', async () => {
    const long = randomBytes(32 * LEAN_BODY_BUFFER_BYTES);
    await writeFile(join(dir, 'long.bin'), long);
    await s3.store.putFile('objects/long.bin', join(dir, 'long.bin'));
    const url = await s3.store.presignGet?.('objects/long.bin');
    assert.ok(url);
    const outcome = await new Promise<string>((resolve) => {
      let got = 0;
      let rewritten = false;
      const req = request(url, (res) => {
        res.on('data', (chunk: Buffer) => {
          got += chunk.length;
          if (rewritten) return;
          rewritten = true;
          res.pause();
          void s3.store.putBytes('objects/long.bin', 'short').then(() => res.resume());
        });
        res.on('end', () => resolve(`ended after ${got} bytes`));
        res.on('error', () => resolve('cut'));
        res.on('aborted', () => resolve('cut'));
      });
      req.on('error', () => resolve('cut'));
      req.end();
      // Left open, the client would wait for the server's keep-alive timeout (5 s) before
      // it saw the end; the cut comes within a second.
      setTimeout(() => resolve('still waiting after 4 s'), 4000).unref();
    });
    assert.equal(outcome, 'cut');
  });

  it('hands a consumer that reads instead of piping the file stream\'s chunks', async () => {
    const lean = new LeanFileBody(createReadStream(join(dir, 'big.bin'), { start: 10, end: 2_000_009 }));
    const chunks: Buffer[] = [];
    for await (const chunk of lean) chunks.push(chunk as Buffer);
    assert.ok(Buffer.concat(chunks).equals(body.subarray(10, 2_000_010)));
  });
});
