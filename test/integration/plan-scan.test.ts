import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { initCatalog } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, type DuckDBHandle } from '../../runner/lake/duckdb.ts';
import { readFiles } from '../../runner/lake/read/files.ts';
import { readPartitionKeys } from '../../runner/lake/read/partition-keys.ts';
import { planScan } from '../../runner/lake/read/plan-scan.ts';
import { parseSelect } from '../../runner/lake/read/sql-guard.ts';
import { readTables } from '../../runner/lake/read/tables.ts';

// Files 0–9 (snapshot 2) and 10–19 (snapshot 3) of table 1, partitioned by region; files
// 0–4 end at snapshot 3. Region r<i % 3>, ids [10i, 10i + 9]; file 12 has a delete file.
async function buildCatalog(c: DuckDBConnection): Promise<void> {
  await initCatalog(c, { dataPath: 's3://b/lake/', createdBy: 'test', now: new Date('2025-01-01T00:00:00Z') });
  await c.run("INSERT INTO ducklake_snapshot SELECT s, TIMESTAMPTZ '2025-01-01 00:00:00+00' + to_hours(s), 1, 3, 20 FROM range(1, 4) t(s)");
  await c.run("INSERT INTO ducklake_table VALUES (1, uuid(), 1, NULL, 0, 'events', 'events/', true)");
  await c.run(`INSERT INTO ducklake_column VALUES
    (1, 1, NULL, 1, 1, 'id', 'int64', NULL, NULL, true, NULL, 'literal', 'duckdb'),
    (2, 1, NULL, 1, 2, 'region', 'varchar', NULL, NULL, true, NULL, 'literal', 'duckdb')`);
  await c.run('INSERT INTO ducklake_partition_info VALUES (2, 1, 1, NULL)');
  await c.run("INSERT INTO ducklake_partition_column VALUES (2, 1, 0, 2, 'identity')");
  await c.run(`INSERT INTO ducklake_data_file SELECT i, 1, CASE WHEN i < 10 THEN 2 ELSE 3 END, CASE WHEN i < 5 THEN 3 END, NULL,
    'region=r' || (i % 3) || '/f' || i || '.parquet', true, 'parquet', 10, 100 + i, 20, i * 10, 2, NULL, NULL, NULL FROM range(20) t(i)`);
  // A region only the ended files have: it must not count as visible, and pruning may still see it.
  await c.run("UPDATE ducklake_data_file SET path = 'region=gone/f0.parquet' WHERE data_file_id = 0");
  await c.run("INSERT INTO ducklake_file_partition_value SELECT i, 1, 0, CASE WHEN i = 0 THEN 'gone' ELSE 'r' || (i % 3) END FROM range(20) t(i)");
  await c.run(`INSERT INTO ducklake_file_column_stats
    SELECT i, 1, 1, 80, 10, 0, (i * 10)::VARCHAR, (i * 10 + 9)::VARCHAR, NULL, NULL FROM range(20) t(i)
    UNION ALL SELECT i, 1, 2, 20, 10, 0, CASE WHEN i = 0 THEN 'gone' ELSE 'r' || (i % 3) END, CASE WHEN i = 0 THEN 'gone' ELSE 'r' || (i % 3) END, NULL, NULL FROM range(20) t(i)`);
  await c.run("INSERT INTO ducklake_delete_file VALUES (30, 1, 3, NULL, 12, 'd12.parquet', true, 'parquet', 2, 50, 10, NULL, NULL)");
}

describe('planScan on a partitioned table', () => {
  let dir = '';
  let db: DuckDBHandle;
  let parser: DuckDBConnection;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-plan-scan-'));
    db = await openDuckDB(join(dir, 'cat.duckdb'));
    await buildCatalog(db.connection);
    parser = await (await DuckDBInstance.create(':memory:')).connect();
  });
  after(async () => {
    parser.closeSync();
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('counts the visible files per spec and lists every key value the table ever had', async () => {
    const keys = await readPartitionKeys(db.connection, 3, 1);
    assert.deepEqual(keys.specs, [{ partitionId: 2, files: 15 }]);
    assert.deepEqual([...(keys.values.get(0) ?? [])].sort(), ['gone', 'r0', 'r1', 'r2']);
  });

  it('keeps exactly the files that the unfiltered listing prunes to, with their delete files', async () => {
    const table = (await readTables(db.connection, 3, 's3://b/lake/'))[0];
    assert.ok(table);
    const shape = await parseSelect(parser, "SELECT * FROM events WHERE region IN ('r0', 'gone') AND id >= 100");
    const plan = await planScan(db.connection, 's3://b/lake/', 3, shape);
    const kept = plan.tables[0]?.files ?? [];
    // Visible at 3: files 5–19; region r0: 6, 9, 12, 15, 18; id >= 100 drops 6 and 9.
    assert.deepEqual(kept.map((f) => f.id), [12, 15, 18]);
    assert.equal(plan.filesTotal, 15);
    assert.equal(plan.filesPruned, 12);
    assert.deepEqual(kept.map((f) => f.partitionValues), [['r0'], ['r0'], ['r0']]);
    assert.equal(kept[0]?.path, 's3://b/lake/main/events/region=r0/f12.parquet');
    assert.deepEqual(kept[0]?.deleteFile, { id: 30, path: 's3://b/lake/main/events/d12.parquet', sizeBytes: 50, format: 'parquet', deleteCount: 2 });
    assert.equal(kept[1]?.deleteFile, null);
    // The region column is decided by its key: only the id stats were read.
    assert.deepEqual([...(kept[0]?.stats.keys() ?? [])], [1]);
    const all = await readFiles(db.connection, 3, table);
    assert.equal(all.length, 15);
    assert.equal(all.find((f) => f.id === 12)?.deleteFile?.id, 30);
  });

  it('sees the ended files when it travels back to snapshot 2', async () => {
    const shape = await parseSelect(parser, "SELECT * FROM events WHERE region = 'gone'");
    const plan = await planScan(db.connection, 's3://b/lake/', 2, shape);
    assert.deepEqual(plan.tables[0]?.files.map((f) => f.id), [0]);
    assert.equal(plan.filesTotal, 10);
  });
});
