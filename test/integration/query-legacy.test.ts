/**
 * Reading catalogs in older DuckLake format versions (0.2, 0.3, 0.4; ducklake-format.md
 * §12) built exactly as the format describes them: query sees the same rows as on 1.0
 * (files, delete file, inlined rows, time travel), prunes by the file stats (named
 * ducklake_file_column_statistics in 0.2), honours the 0.3 `partial_file_info` of a merged
 * file; check and backup work on them; the catalog file is never modified.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { BackupPlan, CheckPlan, QueryPlan } from '../../api/plan.ts';
import { openCatalogForReading } from '../../runner/lake/catalog/index.ts';
import { queryRows } from '../../runner/lake/duckdb.ts';
import { createLogger } from '../../runner/log.ts';
import { operation as backup } from '../../runner/ops/backup.ts';
import { operation as check } from '../../runner/ops/check.ts';
import type { OpContext } from '../../runner/ops/context.ts';
import { operation as query } from '../../runner/ops/query.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { buildLegacyCatalog, legacyTables, type LegacyLake, type LegacyVersion } from './query-legacy-support.ts';

const VERSIONS: LegacyVersion[] = ['0.2', '0.3', '0.4'];
let s3: TestS3;
let dir: string;
const lakes = new Map<LegacyVersion, LegacyLake>();

const sha = async (path: string) => createHash('sha256').update(await readFile(path)).digest('hex');

function ctx(): OpContext {
  const logs = new Writable({ write: (_c, _e, done) => done() });
  return { log: createLogger({}, logs), store: s3.store, storeFor: () => s3.store, cacheDir: join(dir, 'cache'), now: () => new Date() };
}

function common(version: LegacyVersion) {
  return { catalog: { name: `legacy${version.replace('.', '')}`, path: lakes.get(version)?.catalogPath ?? '' }, objectStore: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true } };
}

async function rowsAt(version: LegacyVersion, sql: string, snapshot?: number) {
  const outcome = await query.run(QueryPlan.parse({ op: 'query', ...common(version), sql, previewRows: 100, ...(snapshot === undefined ? {} : { snapshot: { id: snapshot } }) }), ctx());
  return { rows: (outcome.query?.preview ?? '').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>), details: outcome.details ?? {} };
}

before(async () => {
  s3 = await startTestS3();
  dir = await tempDir(undefined, 'fm-query-legacy-');
  for (const version of VERSIONS) {
    lakes.set(version, await buildLegacyCatalog(version, join(dir, `cat-${version}.ducklake`), dir, s3.store, `legacy-${version}`));
  }
});

after(async () => {
  await s3.close();
  await removeDir(dir);
});

describe('the legacy catalogs are built as §12 describes', () => {
  it('has the tables and columns of each version', () => {
    assert.equal(legacyTables('0.3').size, 22);
    assert.equal(legacyTables('0.4').size, 28);
    assert.ok(legacyTables('0.2').has('ducklake_file_column_statistics'));
    assert.ok(!legacyTables('0.2').has('ducklake_file_column_stats'));
    assert.deepEqual(legacyTables('0.3').get('ducklake_schema_versions')?.map(([name]) => name), ['begin_snapshot', 'schema_version']);
    assert.ok(legacyTables('0.3').get('ducklake_data_file')?.some(([name, type]) => name === 'partial_file_info' && type === 'VARCHAR'));
    assert.ok(legacyTables('0.4').get('ducklake_data_file')?.some(([name, type]) => name === 'partial_max' && type === 'BIGINT'));
    assert.ok(!legacyTables('0.4').get('ducklake_column')?.some(([name]) => name === 'default_value_type'));
  });
});

for (const version of VERSIONS) {
  describe(`DuckLake ${version} catalog`, () => {
    it('query shows the rows of every snapshot: files, delete file, inlined rows', async () => {
      const before = await sha(lakes.get(version)?.catalogPath ?? '');
      const sql = 'SELECT id, region FROM sales ORDER BY id';
      assert.deepEqual((await rowsAt(version, sql, 1)).rows, []);
      assert.deepEqual((await rowsAt(version, sql, 2)).rows.map((r) => r.id), [1, 2, 3]);
      assert.deepEqual((await rowsAt(version, sql, 3)).rows.map((r) => r.id), [1, 2, 3, 4, 5, 6]);
      assert.deepEqual((await rowsAt(version, sql, 4)).rows.map((r) => r.id), [1, 2, 3, 4, 6]);
      const five = await rowsAt(version, sql, 5);
      assert.deepEqual(five.rows.map((r) => r.id), [1, 2, 3, 4, 6, 7, 8]);
      assert.equal(five.details.inlinedRows, 2);
      assert.deepEqual((await rowsAt(version, sql)).rows, [
        { id: 1, region: 'EU' }, { id: 2, region: 'EU' }, { id: 3, region: 'US' }, { id: 4, region: 'EU' }, { id: 6, region: 'EU' }, { id: 8, region: 'APAC' },
      ]);
      assert.deepEqual((await rowsAt(version, 'SELECT amount FROM sales WHERE id = 4')).rows, [{ amount: 42 }]);
      assert.equal(await sha(lakes.get(version)?.catalogPath ?? ''), before, 'reading leaves the catalog file byte for byte');
      await assert.rejects(stat(`${lakes.get(version)?.catalogPath ?? ''}.wal`), /ENOENT/);
    });

    it('prunes files by the stats of its version and by partition', async () => {
      const byId = await rowsAt(version, 'SELECT count(*) AS n FROM sales WHERE id >= 4', 4);
      assert.deepEqual(byId.rows, [{ n: '2' }]);
      assert.equal(byId.details.filesTotal, 3);
      assert.equal(byId.details.filesPruned, 2, 'the files holding ids 1–3 are pruned by their min/max');
      const byRegion = await rowsAt(version, "SELECT id FROM sales WHERE region = 'US'", 4);
      assert.deepEqual(byRegion.rows, [{ id: 3 }]);
      assert.equal(byRegion.details.filesRead, 1);
    });

    it('exposes the 1.0 shape: missing tables empty, missing columns NULL', async () => {
      const handle = await openCatalogForReading(lakes.get(version)?.catalogPath ?? '', 'catalog legacy');
      try {
        assert.equal(handle.version, version);
        assert.equal(handle.dataPath, `s3://${s3.bucket}/legacy-${version}/`);
        assert.deepEqual(await queryRows(handle.connection, 'SELECT count(*) AS n FROM ducklake_macro'), [{ n: 0 }]);
        const columns = await queryRows(handle.connection, 'SELECT DISTINCT default_value_type FROM ducklake_column');
        assert.deepEqual(columns, [{ default_value_type: null }]);
        const versions = await queryRows(handle.connection, 'SELECT count(*) AS n, count(table_id) AS with_table FROM ducklake_schema_versions');
        assert.equal(versions[0]?.with_table, 0);
        const stats = await queryRows(handle.connection, 'SELECT count(*) AS n FROM ducklake_file_column_stats');
        assert.deepEqual(stats, [{ n: 6 }]);
      } finally {
        await handle.close();
      }
    });

    if (version !== '0.2') {
      it('hides the rows of a merged file inserted after the snapshot (partial max)', async () => {
        assert.deepEqual((await rowsAt(version, 'SELECT k FROM merged ORDER BY k', 8)).rows.map((r) => r.k), ['1', '2']);
        assert.deepEqual((await rowsAt(version, 'SELECT k FROM merged ORDER BY k', 9)).rows.map((r) => r.k), ['1', '2', '3']);
      });
    }

    it('check finds every referenced object and backup uploads a copy', async () => {
      const lake = lakes.get(version);
      assert.ok(lake);
      const before = await sha(lake.catalogPath);
      const checked = await check.run(CheckPlan.parse({ op: 'check', ...common(version), graceHours: 0 }), ctx());
      assert.equal(checked.details?.healthy, true);
      assert.equal(checked.details?.checkedFiles, lake.keys.length);
      assert.equal(checked.details?.missingCount, 0);
      await s3.store.putBytes(`legacy-${version}/main/sales/region=EU/ducklake-0199a1b2-0000-7000-8000-0000000000ff.parquet`, Buffer.from('x'));
      const orphaned = await check.run(CheckPlan.parse({ op: 'check', ...common(version), graceHours: 0 }), { ...ctx(), now: () => new Date(Date.now() + 3_600_000) });
      assert.equal(orphaned.details?.orphanCount, 1);
      const saved = await backup.run(BackupPlan.parse({ op: 'backup', ...common(version) }), ctx());
      assert.equal(saved.snapshotId, version === '0.2' ? 6 : 9);
      const key = String(saved.details?.backupKey);
      const copy = join(dir, `backup-${version}.ducklake`);
      await s3.store.getToFile(key, copy);
      const restored = await openCatalogForReading(copy, 'backup copy');
      try {
        assert.equal(restored.version, version);
        assert.deepEqual(await queryRows(restored.connection, 'SELECT count(*) AS n FROM ducklake_data_file'), [{ n: lake.tableCount === 2 ? 4 : 3 }]);
      } finally {
        await restored.close();
      }
      assert.equal(await sha(lake.catalogPath), before);
    });
  });
}
