import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { InitCatalogPlan } from '../../api/plan.ts';
import { catalogDataPath, initCatalog, openCatalogFile } from '../lake/catalog/index.ts';
import type { OpOutcome, Operation } from './context.ts';

/** CREATED_BY is what Featherman records as ducklake_metadata.created_by. */
export const CREATED_BY = 'Featherman 0.1.0';

/**
 * operation (init-catalog) creates the DuckLake 1.0 catalog file with snapshot 0 and
 * schema main (side effect: creates the file and its folder). It is idempotent: on an
 * existing 1.0 catalog with the same data path it writes nothing; anything else is refused.
 */
export const operation: Operation<InitCatalogPlan> = {
  lockMode: 'exclusive',
  async run(plan, ctx): Promise<OpOutcome> {
    const dataPath = catalogDataPath(plan.catalog, plan.objectStore);
    await mkdir(dirname(plan.catalog.path), { recursive: true });
    const handle = await openCatalogFile(plan.catalog.path, { create: true, log: ctx.log });
    try {
      const result = await initCatalog(handle.connection, { dataPath, createdBy: CREATED_BY, now: ctx.now() }, `catalog file ${plan.catalog.path}`);
      const verb = result.created ? 'created' : 'already initialised';
      return {
        filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0,
        snapshotId: result.snapshotId,
        summary: `Catalog ${plan.catalog.name}: ${verb}, data path ${result.dataPath}, snapshot ${result.snapshotId}`,
        details: { created: result.created, dataPath: result.dataPath },
      };
    } finally {
      await handle.close();
    }
  },
};
