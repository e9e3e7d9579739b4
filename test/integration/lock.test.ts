import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { isFeathermanError } from '../../runner/errors.ts';
import { acquireCatalogLock } from '../../runner/lock.ts';
import { holdLockInChild } from '../support/lock-holder.ts';
import { tempDir } from '../support/temp-dir.ts';

async function expectTimeout(catalog: string, mode: 'exclusive' | 'shared'): Promise<number> {
  const started = Date.now();
  await assert.rejects(acquireCatalogLock(catalog, mode, 300), (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_LOCK_TIMEOUT');
    assert.equal(error.message.startsWith(`catalog ${catalog} is locked by another`), true, error.message);
    assert.match(error.message, /waited 0\.3 s$/);
    return true;
  });
  return Date.now() - started;
}

test('an exclusive holder in another process excludes exclusive and shared lockers', async (t) => {
  const catalog = join(await tempDir(t), 'lake.ducklake');
  const holder = await holdLockInChild(catalog, 'exclusive');
  t.after(() => holder.kill());
  const waited = await expectTimeout(catalog, 'exclusive');
  assert.ok(waited >= 290 && waited < 2000, `waited ${waited} ms`);
  await expectTimeout(catalog, 'shared');
  await holder.kill();
  const lock = await acquireCatalogLock(catalog, 'exclusive', 1000);
  lock.release();
  lock.release();
});

test('shared holders allow other shared holders but not a writer', async (t) => {
  const catalog = join(await tempDir(t), 'lake.ducklake');
  const holder = await holdLockInChild(catalog, 'shared');
  t.after(() => holder.kill());
  const reader = await acquireCatalogLock(catalog, 'shared', 300);
  await expectTimeout(catalog, 'exclusive');
  reader.release();
  await expectTimeout(catalog, 'exclusive');
});

test('the kernel releases the lock of a SIGKILLed holder', async (t) => {
  const catalog = join(await tempDir(t), 'lake.ducklake');
  const holder = await holdLockInChild(catalog, 'exclusive');
  t.after(() => holder.kill());
  await expectTimeout(catalog, 'exclusive');
  const waiting = acquireCatalogLock(catalog, 'exclusive', 5000);
  const ticks: number[] = [];
  const ticker = setInterval(() => ticks.push(Date.now()), 10);
  await new Promise((resolve) => setTimeout(resolve, 200));
  await holder.kill('SIGKILL');
  const lock = await waiting;
  clearInterval(ticker);
  assert.equal(holder.child.signalCode, 'SIGKILL');
  assert.ok(ticks.length >= 10, `the event loop kept running while waiting (${ticks.length} ticks)`);
  lock.release();
});

test('a catalog folder that does not exist is FM_ERR_CATALOG_MISSING', async (t) => {
  const catalog = join(await tempDir(t), 'no-such-folder', 'lake.ducklake');
  await assert.rejects(acquireCatalogLock(catalog, 'shared', 100), { code: 'FM_ERR_CATALOG_MISSING', message: `catalog ${catalog} does not exist: cannot create its lock file ${catalog}.lock` });
});
