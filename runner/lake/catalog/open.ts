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
export async function openCatalogFile(path: string, options: { create?: boolean; readOnly?: boolean; log?: Logger } = {}): Promise<DuckDBHandle> {
  if (!options.create && !(await exists(path))) {
    throw new FeathermanError('FM_ERR_CATALOG_MISSING', `catalog file ${path} does not exist; run init-catalog first.`);
  }
  try {
    return await openDuckDB(path, { threads: 1, ...(options.readOnly ? { readOnly: true } : {}), ...(options.log ? { log: options.log } : {}) });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `catalog file ${path} exists but DuckDB cannot open it as a database (${reason}).`, { cause: error });
  }
}

/**
 * openCatalog opens an existing DuckLake 1.0 catalog and checks it (side effects as
 * openCatalogFile); the handle is closed again if the check fails.
 */
export async function openCatalog(path: string, options: { readOnly?: boolean; log?: Logger } = {}): Promise<DuckDBHandle & { dataPath: string }> {
  const handle = await openCatalogFile(path, options);
  try {
    const { dataPath } = await assertCatalogV1(handle.connection, `catalog ${path}`);
    return Object.assign(handle, { dataPath });
  } catch (error) {
    await handle.close();
    throw error;
  }
}
