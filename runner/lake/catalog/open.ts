import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CatalogPlan, ObjectStorePlan } from '../../../api/plan.ts';
import { FeathermanError } from '../../errors.ts';
import { openDuckDB, type DuckDBHandle } from '../duckdb.ts';
import { assertCatalogV1, withTrailingSlash } from './init.ts';

/** catalogDataPath is the plan's data path, or `s3://<bucket>/<prefix>/` by default (pure). */
export function catalogDataPath(catalog: CatalogPlan, objectStore: ObjectStorePlan): string {
  if (catalog.dataPath !== undefined) return withTrailingSlash(catalog.dataPath);
  const prefix = objectStore.prefix.replace(/^\/+|\/+$/g, '');
  return prefix === '' ? `s3://${objectStore.bucket}/` : `s3://${objectStore.bucket}/${prefix}/`;
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * openCatalogFile opens a catalog DuckDB file (side effect: DuckDB may write its WAL).
 * A missing file is FM_ERR_CATALOG_MISSING unless `create` is set; a file DuckDB cannot
 * open is FM_ERR_CATALOG_VERSION, saying so. It does not check the DuckLake tables.
 *
 * The instance runs one thread: catalog statements are small, and DuckDB's idle worker
 * threads cost CPU that a commit competes with. On 2 cores a one-file commit took 12–15%
 * less wall and CPU time with one thread. Data work (COPY, merges) has its own instances.
 */
export async function openCatalogFile(path: string, options: { create?: boolean; readOnly?: boolean; deferCheckpoints?: boolean; log?: Logger } = {}): Promise<DuckDBHandle> {
  if (!options.create && !(await exists(path))) {
    throw new FeathermanError('FM_ERR_CATALOG_MISSING', `catalog file ${path} does not exist; run init-catalog first.`);
  }
  try {
    return await openDuckDB(path, {
      threads: 1,
      ...(options.readOnly ? { readOnly: true } : {}),
      ...(options.deferCheckpoints && !options.readOnly ? { checkpointAtWalBytes: CATALOG_WAL_CHECKPOINT_BYTES } : {}),
      ...(options.log ? { log: options.log } : {}),
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `catalog file ${path} exists but DuckDB cannot open it as a database (${reason}).`, { cause: error });
  }
}

/**
 * CATALOG_WAL_CHECKPOINT_BYTES is how large a writer lets the catalog's WAL grow before it
 * checkpoints at close. A checkpoint rewrites the primary-key indexes of the format's
 * tables: 100–150 ms at 100k data files, most of a small Job's run if paid at every close.
 * A one-file commit adds about 2 KB of WAL, and replaying it when the next process opens
 * the catalog costs well under a millisecond, so 64 KB of WAL adds a few tens of ms to an
 * open at most. (DuckDB's own checkpoint_threshold cannot be used: it estimates a commit's
 * size far above what it writes, and checkpointed every commit at 1 MB.) DuckDB, and so the
 * ducklake extension, replays the WAL on open, read-only opens included; backups fold it
 * in; restore moves a stale WAL aside. The catalog on disk is the file plus `<file>.wal`.
 */
export const CATALOG_WAL_CHECKPOINT_BYTES = 64 * 1024;

/**
 * openCatalog opens an existing DuckLake 1.0 catalog and checks it (side effects as
 * openCatalogFile; a writer leaves small WALs unfolded, see CATALOG_WAL_CHECKPOINT_BYTES);
 * the handle is closed again if the check fails.
 */
export async function openCatalog(path: string, options: { readOnly?: boolean; log?: Logger } = {}): Promise<DuckDBHandle & { dataPath: string }> {
  const handle = await openCatalogFile(path, { ...options, deferCheckpoints: true });
  try {
    const { dataPath } = await assertCatalogV1(handle.connection, `catalog ${path}`);
    return Object.assign(handle, { dataPath });
  } catch (error) {
    await handle.close();
    throw error;
  }
}
