import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CATALOG_WAL_CHECKPOINT_BYTES, commitSnapshot, initCatalog, openCatalog } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import { insertDataFiles } from '../../runner/lake/write/commit-files.ts';

async function walBytes(path: string): Promise<number> {
  return stat(`${path}.wal`).then((info) => info.size, () => 0);
}

/** appendOne commits one one-row data file through a writer's open and close, as a runner Job does. */
async function appendOne(path: string, n: number): Promise<void> {
  const catalog = await openCatalog(path);
  try {
    await commitSnapshot(catalog.connection, {}, async (tx) => {
      await insertDataFiles(tx, {
        tableId: 1, partitionId: null, leaves: [{ columnId: 1, path: ['id'], type: 'int64' }],
        files: [{ localPath: '', relativePath: `f${n}.parquet`, rowCount: 1, sizeBytes: 100, footerSize: 10, partitionValues: [],
          columnStats: [{ columnId: 1, columnSizeBytes: 8, valueCount: 1, nullCount: 0, minValue: String(n), maxValue: String(n), containsNan: null }] }],
      });
      tx.addChange('inserted_into_table', 1);
    });
  } finally {
    await catalog.close();
  }
}

test('a writer leaves a small catalog WAL for the next open and checkpoints it once it reaches the limit', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fm-catalog-wal-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'cat.ducklake');
  const init = await openDuckDB(path);
  await initCatalog(init.connection, { dataPath: 's3://bucket/lake/', createdBy: 'test' });
  await init.close();
  assert.equal(await walBytes(path), 0, 'init-catalog checkpoints: a new catalog is one file');

  await appendOne(path, 0);
  const afterOne = await walBytes(path);
  assert.ok(afterOne > 0 && afterOne < CATALOG_WAL_CHECKPOINT_BYTES, `one commit stays in the WAL (${afterOne} B)`);

  // A reader opening the catalog read-only replays the WAL: it sees the commit.
  const reader = await openCatalog(path, { readOnly: true });
  try {
    assert.deepEqual(await queryRows(reader.connection, 'SELECT count(*) AS files FROM ducklake_data_file'), [{ files: 1 }]);
  } finally {
    await reader.close();
  }

  let commits = 1;
  let sizes = [afterOne];
  while ((sizes.at(-1) ?? 0) > 0 && commits < 400) {
    await appendOne(path, commits);
    commits += 1;
    sizes = [...sizes, await walBytes(path)];
  }
  assert.equal(sizes.at(-1), 0, 'a close checkpointed the WAL away');
  assert.ok(Math.max(...sizes) < 2 * CATALOG_WAL_CHECKPOINT_BYTES, `the WAL never grew far past the limit (max ${Math.max(...sizes)} B)`);
  const grew = (sizes.at(-2) ?? 0) - (sizes.at(-3) ?? 0);
  assert.ok((sizes.at(-2) ?? 0) + grew >= CATALOG_WAL_CHECKPOINT_BYTES, `the checkpoint came when the WAL reached the limit (${sizes.join(', ')})`);
  assert.ok(commits > 10, 'and not before: small WALs are left for the next open');
  const check = await openDuckDB(path, { readOnly: true });
  try {
    assert.deepEqual(await queryRows(check.connection, 'SELECT (SELECT count(*) FROM ducklake_data_file) AS files, (SELECT max(snapshot_id) FROM ducklake_snapshot) AS latest'), [{ files: commits, latest: commits }]);
  } finally {
    await check.close();
  }
});
