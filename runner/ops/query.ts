import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { QueryPlan } from '../../api/plan.ts';
import { FeathermanError } from '../errors.ts';
import { openCatalogForReading } from '../lake/catalog/index.ts';
import { Fetcher, type FetchRequest } from '../lake/read/fetch.ts';
import { exportInlinedRows, readInlinedDeletes } from '../lake/read/inlined.ts';
import { readNameMappings } from '../lake/read/name-mapping.ts';
import { CONTENT_TYPES, runToOutput } from '../lake/read/output.ts';
import { planScan } from '../lake/read/plan-scan.ts';
import { buildPreview } from '../lake/read/preview.ts';
import { lockSandbox, openSandbox } from '../lake/read/sandbox.ts';
import { resolveSnapshot } from '../lake/read/snapshot.ts';
import { parseSelect, prepareSelect } from '../lake/read/sql-guard.ts';
import { createLakeViews } from '../lake/read/views.ts';
import type { OpContext, OpOutcome, Operation } from './context.ts';
import { storeOf } from './context.ts';

const S3_URL = /^s3:\/\/([^/]+)\/(.+)$/;

/** formatBytes renders a byte count for the summary line (pure): `56 KB`, `23 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 'B';
  for (const next of units) {
    if (value < 1000) break;
    value /= 1000;
    unit = next;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

/**
 * operation runs one read-only SELECT over the lake at a snapshot (shared lock): open the
 * catalog read-only, resolve S, plan and prune the files, fetch the survivors into the
 * cache, expose the tables in a sandboxed in-memory DuckDB, run the statement, write the
 * full result to `output.location` and return a preview of at most 2 KiB. Side effects:
 * downloads into the cache, one uploaded result object.
 */
export const operation: Operation<QueryPlan> = {
  lockMode: 'shared',
  async run(plan: QueryPlan, ctx: OpContext): Promise<OpOutcome> {
    const target = plan.output ? S3_URL.exec(plan.output.location) : null;
    if (plan.output && !(target?.[1] && target[2])) {
      throw new FeathermanError('FM_ERR_INVALID_PLAN', `output.location: must be an s3://bucket/key URL; got ${JSON.stringify(plan.output.location)}.`);
    }
    // A 1.0 catalog is opened read-only; a 0.2–0.4 one is read through a 1.0-shaped copy.
    const catalog = await openCatalogForReading(plan.catalog.path, `catalog ${plan.catalog.name}`, { threads: 1, log: ctx.log });
    const workRoot = join(ctx.cacheDir, 'query-work');
    await mkdir(workRoot, { recursive: true });
    const workDir = await mkdtemp(join(workRoot, 'q-'));
    const sandbox = await openSandbox(workDir);
    try {
      const { dataPath } = catalog;
      const snapshot = await resolveSnapshot(catalog.connection, plan.snapshot);
      ctx.log.debug({ sql: plan.sql, snapshotId: snapshot.snapshotId }, 'query sql');
      const shape = await parseSelect(sandbox.connection, plan.sql);
      const scan = await planScan(catalog.connection, dataPath, snapshot.snapshotId, shape);
      const requests: FetchRequest[] = [];
      for (const { files } of scan.tables) {
        for (const file of files) {
          requests.push({ path: file.path, sizeBytes: file.sizeBytes });
          if (file.deleteFile) requests.push({ path: file.deleteFile.path, sizeBytes: file.deleteFile.sizeBytes });
        }
      }
      const objectsDir = join(ctx.cacheDir, 'lake-objects');
      const fetcher = new Fetcher({ storeFor: (bucket) => storeOf(ctx, bucket), objectsDir });
      const localPaths = await fetcher.fetchAll(requests);
      // Rows and deletes the extension inlined into the catalog (Featherman itself never inlines).
      const inlinedDir = join(sandbox.scratchDir, 'inlined');
      await mkdir(inlinedDir, { recursive: true });
      let inlinedRows = 0;
      for (const entry of scan.tables) {
        const inlined = await exportInlinedRows(catalog.connection, entry.table, snapshot.snapshotId, inlinedDir);
        entry.inlinedFiles = inlined.map((i) => i.path);
        entry.inlinedDeletes = await readInlinedDeletes(catalog.connection, entry.table.tableId, snapshot.snapshotId);
        const mappingIds = [...new Set(entry.files.flatMap((file) => (file.mappingId === null ? [] : [file.mappingId])))];
        entry.nameMappings = await readNameMappings(catalog.connection, mappingIds);
        inlinedRows += inlined.reduce((sum, i) => sum + i.rows, 0);
      }
      await createLakeViews(sandbox.connection, scan.tables, localPaths, snapshot.snapshotId);
      await lockSandbox(sandbox, [objectsDir, inlinedDir]);
      const prepared = await prepareSelect(sandbox.connection, plan.sql);
      let output;
      try {
        output = await runToOutput(prepared, workDir, plan.output?.format, plan.previewRows);
      } finally {
        prepared.destroySync();
      }
      let outputLocation: string | undefined;
      let bytes = 0;
      if (plan.output && target?.[1] && target[2] && output.file) {
        const store = storeOf(ctx, target[1]);
        const put = await store.putFile(target[2], output.file.path, CONTENT_TYPES[plan.output.format]);
        outputLocation = plan.output.location;
        bytes = put.size;
      }
      const preview = buildPreview(output.previewRows);
      const cache = fetcher.stats();
      const perTable = scan.tables.map((t) => ({
        table: `${t.table.schemaName}.${t.table.tableName}`,
        filesTotal: t.filesTotal,
        filesRead: t.files.length,
        filesPruned: t.filesPruned,
        predicates: t.predicates,
      }));
      ctx.log.debug({ tables: perTable, cache }, 'query files');
      return {
        snapshotId: snapshot.snapshotId,
        filesAdded: 0,
        filesRemoved: 0,
        bytesAdded: 0,
        bytesRemoved: 0,
        rows: output.rows,
        query: { rows: output.rows, bytes, ...(outputLocation ? { outputLocation } : {}), preview },
        details: {
          filesTotal: scan.filesTotal,
          filesRead: scan.filesRead,
          filesPruned: scan.filesPruned,
          bytesScanned: scan.bytesRead,
          inlinedRows,
          cacheHits: cache.hits,
          downloads: cache.downloads,
          // Few entries: the result must fit the 4 KiB termination log next to the preview.
          tables: perTable.slice(0, 5),
        },
        summary:
          `Query on snapshot ${snapshot.snapshotId}: ${output.rows.toLocaleString('en-US')} row${output.rows === 1 ? '' : 's'}, ` +
          `${scan.filesRead} of ${scan.filesTotal} files read (${scan.filesPruned} pruned), ${formatBytes(bytes)}`,
      };
    } finally {
      await sandbox.close();
      await catalog.close();
      await rm(workDir, { recursive: true, force: true });
    }
  },
};
