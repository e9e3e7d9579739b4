import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { tailFile } from '../../runner/storage/tail-file.ts';
import { tempDir } from '../support/temp-dir.ts';

test('tailFile streams a file while it is appended to and ends only after the writer is done', async (t) => {
  const path = join(await tempDir(t), 'growing.bin');
  await writeFile(path, '');
  const pieces = Array.from({ length: 6 }, (_, index) => randomBytes(200_000 + index * 50_000));
  let done = false;
  const received: Buffer[] = [];
  let ended = false;
  const reading = (async () => {
    for await (const chunk of tailFile(path, { finished: () => done, pollMs: 5 })) received.push(chunk as Buffer);
    ended = true;
  })();
  for (const piece of pieces) {
    await appendFile(path, piece);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(ended, false, 'no end while the writer may still append');
  }
  done = true;
  await reading;
  assert.ok(Buffer.concat(pieces).equals(Buffer.concat(received)), 'every byte, in order');
});

test('a destroyed tail stops polling and reports no end', async (t) => {
  const path = join(await tempDir(t), 'stuck.bin');
  await writeFile(path, 'abc');
  const stream = tailFile(path, { finished: () => false, pollMs: 5 });
  const first = await new Promise<Buffer>((resolve) => stream.once('data', resolve));
  assert.equal(first.toString(), 'abc');
  const failed = new Promise<Error>((resolve) => stream.once('error', resolve));
  const closed = new Promise((resolve) => stream.once('close', resolve));
  stream.destroy(new Error('cancelled'));
  assert.equal((await failed).message, 'cancelled');
  await closed;
  assert.equal(stream.readableEnded, false, 'a cancelled tail never looks like a whole file');
});
