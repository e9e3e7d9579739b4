import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { InitCatalogPlan } from '../../api/plan.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import type { OpContext } from '../../runner/ops/context.ts';
import { operation } from '../../runner/ops/init-catalog.ts';
import { createObjectStoreFromPlan } from '../../runner/storage/from-plan.ts';

describe('init-catalog operation', () => {
  let dir = '';
  let ctx: OpContext;
  let closeStore = (): void => {};
  const plan = (path: string, extra: Record<string, unknown> = {}) =>
    InitCatalogPlan.parse({ op: 'init-catalog', catalog: { name: 'lake', path, ...extra }, objectStore: { bucket: 'data-bucket', prefix: 'a/b' } });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-init-op-'));
    const store = createObjectStoreFromPlan(plan(join(dir, 'x')).objectStore, {});
    closeStore = () => store.close();
    const log = pino({ level: 'silent' }, new Writable({ write(_chunk, _encoding, done) { done(); } }));
    ctx = { log, store, storeFor: () => store, cacheDir: dir, now: () => new Date('2026-02-03T04:05:06Z') };
  });
  after(async () => {
    closeStore();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the folder and the catalog with the default data path s3://bucket/prefix/', async () => {
    const path = join(dir, 'nested', 'folder', 'lake.duckdb');
    const outcome = await operation.run(plan(path), ctx);
    assert.equal(operation.lockMode, 'exclusive');
    assert.equal(outcome.summary, 'Catalog lake: created, data path s3://data-bucket/a/b/, snapshot 0');
    assert.deepEqual(outcome.details, { created: true, dataPath: 's3://data-bucket/a/b/' });
    const db = await openDuckDB(path, { readOnly: true });
    try {
      assert.deepEqual(await queryRows(db.connection, "SELECT value FROM ducklake_metadata WHERE key IN ('created_by', 'version') ORDER BY key"), [
        { value: 'Featherman 0.1.0' }, { value: '1.0' },
      ]);
      const [snapshot] = await queryRows(db.connection, 'SELECT snapshot_time FROM ducklake_snapshot');
      assert.equal((snapshot?.snapshot_time as Date).toISOString(), '2026-02-03T04:05:06.000Z');
    } finally {
      await db.close();
    }
  });

  it('uses the plan data path when given', async () => {
    const outcome = await operation.run(plan(join(dir, 'explicit.duckdb'), { dataPath: 's3://other/lake' }), ctx);
    assert.equal(outcome.summary, 'Catalog lake: created, data path s3://other/lake/, snapshot 0');
  });

  it('refuses a file that is not a DuckDB database, leaving it as it was', async () => {
    const path = join(dir, 'notes.duckdb');
    await writeFile(path, 'shopping list: eggs, milk\n'.repeat(400));
    const before = await readFile(path);
    await assert.rejects(operation.run(plan(path), ctx), (error: unknown) => {
      assert.ok(isFeathermanError(error));
      assert.equal(error.code, 'FM_ERR_CATALOG_VERSION');
      assert.match(error.message, /notes\.duckdb exists but DuckDB cannot open it as a database/);
      return true;
    });
    assert.ok((await readFile(path)).equals(before));
  });
});
