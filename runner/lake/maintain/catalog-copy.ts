/**
 * A consistent copy of the catalog DuckDB file. The caller holds the catalog lock (shared
 * is enough: writers hold it exclusively, so no commit is in progress and the file and its
 * WAL are stable). The file and its WAL are copied, and the COPY is checkpointed, so the
 * WAL is folded into a single self-contained file without opening the live catalog
 * read-write (a reader may have it open, and DuckDB allows no writer beside a reader).
 */
import { copyFile, rm, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { FeathermanError } from '../../errors.ts';
import { DUCKLAKE_VERSION, assertCatalogReadable, readSnapshot } from '../catalog/index.ts';
import { openDuckDB, queryRows, runSql } from '../duckdb.ts';

async function fileExists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** CatalogFileFacts is what verifying a catalog file found: its latest snapshot and data path. */
export interface CatalogFileFacts {
  snapshotId: number;
  dataPath: string;
  sizeBytes: number;
}

/**
 * verifyCatalogFile opens a DuckDB file read-only and checks it is a DuckLake catalog
 * Featherman reads (1.0, or 0.2–0.4 for backups of older catalogs) with a snapshot (reads only). Anything else is FM_ERR_CATALOG_VERSION naming `what`.
 */
export async function verifyCatalogFile(path: string, what: string, log?: Logger): Promise<CatalogFileFacts> {
  let handle;
  try {
    handle = await openDuckDB(path, { readOnly: true, ...(log ? { log } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${what} is not a DuckDB database (${reason}).`, { cause: error });
  }
  try {
    const { dataPath, version } = await assertCatalogReadable(handle.connection, what);
    // Older formats lack some snapshot_changes columns: take the id from ducklake_snapshot alone.
    const snapshot = version === DUCKLAKE_VERSION
      ? await readSnapshot(handle.connection)
      : (await queryRows(handle.connection, 'SELECT max(snapshot_id) AS id FROM ducklake_snapshot')).flatMap((row) => (row.id === null ? [] : [{ snapshotId: Number(row.id) }]))[0];
    if (!snapshot) throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${what} is a DuckLake catalog without any snapshot.`);
    return { snapshotId: snapshot.snapshotId, dataPath, sizeBytes: (await stat(path)).size };
  } finally {
    await handle.close();
  }
}

/**
 * copyCatalogConsistent copies the catalog file (and its WAL) to `destPath`, checkpoints
 * the copy and verifies it (side effects: files at destPath; the live catalog is only
 * read). A missing catalog is FM_ERR_CATALOG_MISSING.
 */
export async function copyCatalogConsistent(catalogPath: string, destPath: string, log?: Logger): Promise<CatalogFileFacts> {
  if (!(await fileExists(catalogPath))) {
    throw new FeathermanError('FM_ERR_CATALOG_MISSING', `catalog file ${catalogPath} does not exist; nothing to back up.`);
  }
  await rm(destPath, { force: true });
  await rm(`${destPath}.wal`, { force: true });
  await copyFile(catalogPath, destPath);
  if (await fileExists(`${catalogPath}.wal`)) await copyFile(`${catalogPath}.wal`, `${destPath}.wal`);
  const copy = await openDuckDB(destPath, log ? { log } : {});
  try {
    await runSql(copy.connection, 'CHECKPOINT');
  } finally {
    await copy.close();
  }
  await rm(`${destPath}.wal`, { force: true });
  return verifyCatalogFile(destPath, `the copy of catalog ${catalogPath}`, log);
}
