/**
 * Every writing operation refuses a catalog in an older DuckLake format version (0.2, 0.3,
 * 0.4 built as ducklake-format.md §12 describes) with FM_ERR_CATALOG_VERSION and the
 * migration hint, and touches nothing: the catalog file keeps its bytes, no WAL appears,
 * the bucket keeps exactly its objects (the landing file of the ingest included). The
 * same catalog stays readable by query afterwards.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { Plan, QueryPlan, type PlanInput } from '../../api/plan.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { createLogger } from '../../runner/log.ts';
import type { OpContext, Operation } from '../../runner/ops/context.ts';
import { operation as query } from '../../runner/ops/query.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { buildLegacyCatalog, type LegacyLake, type LegacyVersion } from './query-legacy-support.ts';

const VERSIONS: LegacyVersion[] = ['0.2', '0.3', '0.4'];
let s3: TestS3;
let dir: string;
const lakes = new Map<LegacyVersion, LegacyLake>();

const SALES = {
  name: 'sales',
  columns: [{ name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }, { name: 'note', type: 'VARCHAR' }],
  format: { partitioning: ['region'] },
  ingest: { prefix: 'landing/sales/', format: 'csv' as const },
};

/** WRITES are the writing operations with a plan that would change the lake on a 1.0 catalog. */
const WRITES: Array<[string, Record<string, unknown>]> = [
  ['apply-table', { table: SALES }],
  ['ingest', { table: SALES, keys: ['landing/sales/new.csv'] }],
  ['expire-rows', { table: { name: 'sales', ttlDays: 1, ttlColumn: 'ts' } }],
  ['compact', { table: { name: 'sales' }, force: true }],
  ['expire-snapshots', { olderThanDays: 0 }],
  ['cleanup-files', { graceHours: 0 }],
];

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

async function bucketState(): Promise<string[]> {
  const out: string[] = [];
  for await (const info of s3.store.list('')) out.push(`${info.key} ${info.size}`);
  return out.sort();
}

function ctx(): OpContext {
  const logs = new Writable({ write: (_c, _e, done) => done() });
  return { log: createLogger({}, logs), store: s3.store, storeFor: () => s3.store, cacheDir: join(dir, 'cache'), now: () => new Date('2030-01-01T00:00:00Z') };
}

before(async () => {
  s3 = await startTestS3();
  dir = await tempDir(undefined, 'fm-maintain-legacy-');
  for (const version of VERSIONS) {
    lakes.set(version, await buildLegacyCatalog(version, join(dir, `cat-${version}.ducklake`), dir, s3.store, `legacy-${version}`));
  }
  await s3.store.putBytes('landing/sales/new.csv', 'id,ts,region,amount,note\n9,2025-03-01 00:00:00,EU,1.5,x\n');
});

after(async () => {
  await s3.close();
  await removeDir(dir);
});

for (const version of VERSIONS) {
  describe(`writing to a DuckLake ${version} catalog`, () => {
    for (const [op, fields] of WRITES) {
      it(`${op} is refused with the version needed, touching nothing`, async () => {
        const lake = lakes.get(version);
        assert.ok(lake);
        const bytes = await sha(lake.catalogPath);
        const objects = await bucketState();
        const plan = Plan.parse({ op, catalog: { name: 'legacy', path: lake.catalogPath }, objectStore: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true }, ...fields } as PlanInput);
        const module = (await import(`../../runner/ops/${op}.ts`)) as { operation: Operation<typeof plan> };
        await assert.rejects(module.operation.run(plan, ctx()), (error: unknown) => {
          assert.ok(isFeathermanError(error), String(error));
          assert.equal(error.code, 'FM_ERR_CATALOG_VERSION');
          assert.equal(
            error.message,
            `catalog ${lake.catalogPath} is DuckLake format ${version}; Featherman writes 1.0: migrate it with DuckDB's ducklake extension (ATTACH … (AUTOMATIC_MIGRATION)) first.`,
          );
          return true;
        });
        assert.equal(await sha(lake.catalogPath), bytes, 'the catalog file keeps its bytes');
        await assert.rejects(stat(`${lake.catalogPath}.wal`), /ENOENT/, 'no WAL was written');
        assert.deepEqual(await bucketState(), objects, 'the bucket keeps exactly its objects');
      });
    }

    it('stays readable after the refusals', async () => {
      const lake = lakes.get(version);
      assert.ok(lake);
      const plan = QueryPlan.parse({ op: 'query', catalog: { name: 'legacy', path: lake.catalogPath }, objectStore: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true }, sql: 'SELECT count(*) AS n FROM sales' });
      const outcome = await query.run(plan, ctx());
      assert.equal(outcome.query?.preview, '{"n":"6"}');
    });
  });
}
