/**
 * The compact operation: merge the small files of one table, per partition, into files
 * near the target size, applying their delete files, in one snapshot. The sources (and
 * their delete files) are ended at that snapshot, not deleted: older snapshots keep
 * reading them (time travel), and expire-snapshots schedules them for deletion once no
 * snapshot sees them. Row counts and query results are unchanged, and merged rows keep
 * their row ids: every merged file carries `_ducklake_internal_row_id`
 * (lake/maintain/row-lineage.ts). Which partitions to merge follows the cost rule of
 * lake/maintain/compaction-plan.ts.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import type { CompactPlan } from '../../api/plan.ts';
import { FeathermanError, isFeathermanError } from '../errors.ts';
import { commitSnapshot, openCatalog, readSnapshot, readTable, readTableFigures, type CatalogTable } from '../lake/catalog/index.ts';
import { openDuckDB, type DuckDBHandle } from '../lake/duckdb.ts';
import type { StoreLookup } from '../lake/maintain/bucket-scan.ts';
import { decideCompaction, partitionDirOf, type CompactionGroup } from '../lake/maintain/compaction-plan.ts';
import { buildCompactionSource, type LocalSource } from '../lake/maintain/compaction-source.ts';
import { downloadObject } from '../lake/maintain/local-files.ts';
import { mapLimit } from '../lake/maintain/map-limit.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import { rowIdColumnNode, withoutHiddenStats } from '../lake/maintain/row-lineage.ts';
import { readTableFiles } from '../lake/maintain/table-files.ts';
import { readInlinedDeletes } from '../lake/read/inlined.ts';
import { insertDataFiles } from '../lake/write/commit-files.ts';
import { objectLocation } from '../lake/write/file-plan.ts';
import { writeDataFiles, type WrittenFile } from '../lake/write/parquet-writer.ts';
import { buildColumnTree, leafColumns } from '../lake/write/table-columns.ts';
import { uploadAndVerify } from '../lake/write/upload.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';
import { storeOf } from './context.ts';

/** DOWNLOADS_IN_FLIGHT is how many source objects compaction downloads at once. */
const DOWNLOADS_IN_FLIGHT = 32;

interface Merged {
  group: CompactionGroup;
  written: WrittenFile[];
}

/** downloadGroup fetches a group's sources and their delete files into its work folder (side effect: local files). */
async function downloadGroup(group: CompactionGroup, index: number, storeFor: StoreLookup, workDir: string, inlinedDeletes: ReadonlyMap<number, readonly number[]>): Promise<LocalSource[]> {
  const dir = join(workDir, `group-${index}`);
  await mkdir(dir, { recursive: true });
  return mapLimit(group.files, DOWNLOADS_IN_FLIGHT, async (file) => ({
    dataPath: await downloadObject(storeFor, file.url, join(dir, `${file.dataFileId}.parquet`)),
    deletePath: file.deleteFile ? await downloadObject(storeFor, file.deleteFile.url, join(dir, `${file.dataFileId}-delete.parquet`)) : null,
    rowIdStart: file.rowIdStart,
    inlinedDeletes: inlinedDeletes.get(file.dataFileId) ?? [],
  }));
}

async function mergeGroup(group: CompactionGroup, index: number, sources: LocalSource[], table: CatalogTable, plan: CompactPlan, work: DuckDBHandle, workDir: string): Promise<Merged> {
  const dir = join(workDir, `group-${index}`);
  const columns = buildColumnTree(table.columns);
  const source = await buildCompactionSource(work.connection, sources, columns, table.columns);
  const written = await writeDataFiles({
    connection: work.connection,
    source,
    columns: [...columns, rowIdColumnNode()],
    partitionFields: [],
    compression: plan.compression === 'SNAPPY' ? 'snappy' : 'zstd',
    targetFileSizeBytes: plan.targetFileSizeMB * 1024 * 1024,
    outDir: join(dir, 'out'),
  });
  // All rows of a group share its partition: keep its hive directory and its values.
  const partitionDir = partitionDirOf(group.files[0]?.path ?? '');
  return {
    group,
    written: written.map((file) => ({
      ...file, relativePath: `${partitionDir}${basename(file.localPath)}`, partitionValues: group.partitionValues, columnStats: withoutHiddenStats(file.columnStats),
    })),
  };
}

async function run(plan: CompactPlan, ctx: OpContext): Promise<OpOutcome> {
  const name = `${plan.table.schema}.${plan.table.name}`;
  const storeFor: StoreLookup = (bucket) => storeOf(ctx, bucket);
  const workDir = join(ctx.cacheDir, `compact-${randomUUID()}`);
  await mkdir(workDir, { recursive: true });
  const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
  const work = await openDuckDB(':memory:', { tempDir: join(workDir, 'spill'), memoryLimit: process.env.FEATHERMAN_MEMORY_LIMIT ?? '512MB', log: ctx.log });
  try {
    const latest = await readSnapshot(catalog.connection);
    if (!latest) throw new FeathermanError('FM_ERR_CATALOG_MISSING', `the catalog ${plan.catalog.path} has no snapshot; run init-catalog first`);
    const table = await readTable(catalog.connection, plan.table.schema, plan.table.name, latest.snapshotId);
    if (!table) throw new FeathermanError('FM_ERR_TABLE_MISSING', `table.name: table ${name} does not exist in catalog ${plan.catalog.name}; got ${JSON.stringify(plan.table.name)}`);
    // Small deletes the extension kept in the catalog instead of a delete file: positions too.
    const inlinedDeletes = await readInlinedDeletes(catalog.connection, table.tableId, latest.snapshotId);
    const files = (await readTableFiles(catalog.connection, table.tableId, table.location, latest.snapshotId))
      .map((file) => ({ ...file, inlinedDeleteCount: inlinedDeletes.get(file.dataFileId)?.length ?? 0 }));
    const groups = decideCompaction(files, {
      targetBytes: plan.targetFileSizeMB * 1024 * 1024, smallFileRatio: plan.smallFileRatio, minSmallFiles: plan.minSmallFiles, deletedShare: plan.deletedShare, force: plan.force,
    });
    if (groups.length === 0) {
      return maintenanceOutcome(`Table ${name}: nothing to compact (${files.length} files)`, { snapshotId: latest.snapshotId, details: { groups: 0, filesBefore: files.length } });
    }
    const merged: Merged[] = [];
    // The next group downloads while this one merges (S3 transfers and DuckDB overlap).
    let next: Promise<LocalSource[]> | undefined = groups[0] ? downloadGroup(groups[0], 0, storeFor, workDir, inlinedDeletes) : undefined;
    try {
      for (const [index, group] of groups.entries()) {
        const sources = await (next ?? Promise.resolve([]));
        const following = groups[index + 1];
        next = following ? downloadGroup(following, index + 1, storeFor, workDir, inlinedDeletes) : undefined;
        // A failed prefetch surfaces when awaited; until then keep it from being unhandled.
        next?.catch(() => undefined);
        merged.push(await mergeGroup(group, index, sources, table, plan, work, workDir));
      }
    } catch (error) {
      // Let a prefetch still in flight settle before the work folder is removed.
      await next?.catch(() => undefined);
      throw error;
    }
    const outputs = merged.flatMap((each) => each.written);
    await uploadAndVerify(outputs.map((file) => {
      const location = objectLocation(table.location, file.relativePath);
      return { localPath: file.localPath, key: location.key, sizeBytes: file.sizeBytes, store: storeFor(location.bucket) };
    }), ctx.log);
    const sources = groups.flatMap((group) => group.files);
    const mergedRows = outputs.reduce((sum, file) => sum + file.rowCount, 0);
    const removedBytes = sources.reduce((sum, file) => sum + file.sizeBytes, 0);
    const leaves = leafColumns(buildColumnTree(table.columns));
    const commit = await commitSnapshot(catalog.connection, { author: plan.author, message: `compact ${sources.length} files of ${name} into ${outputs.length}`, now: ctx.now() }, async (tx) => {
      // Two set-based statements, however many sources (10,000 point updates cost seconds).
      const ids = listValue(sources.map((file) => BigInt(file.dataFileId)));
      await tx.run('UPDATE ducklake_data_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL AND data_file_id IN (SELECT unnest(?::BIGINT[]))', [tx.snapshotId, table.tableId, ids]);
      await tx.run('UPDATE ducklake_delete_file SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL AND data_file_id IN (SELECT unnest(?::BIGINT[]))', [tx.snapshotId, table.tableId, ids]);
      for (const each of merged) {
        if (each.written.length > 0) await insertDataFiles(tx, { tableId: table.tableId, partitionId: each.group.partitionId, files: each.written, leaves, rowIdsInFiles: true });
      }
      // insertDataFiles added the merged rows and bytes. record_count must stay the count of
      // rows ever inserted: the extension answers MIN/MAX from ducklake_table_column_stats when
      // record_count equals the live row count, and those bounds still include the rows the
      // merge dropped. So take the merged rows out again, not the sources'. The rows keep their
      // ids, so next_row_id stays (row_id_start is NULL: the ids are in the files).
      await tx.run('UPDATE ducklake_table_stats SET record_count = greatest(record_count - ?, 0), file_size_bytes = greatest(file_size_bytes - ?, 0) WHERE table_id = ?', [mergedRows, removedBytes, table.tableId]);
      tx.addChange('merge_adjacent', table.tableId);
    });
    const rows = outputs.reduce((sum, file) => sum + file.rowCount, 0);
    const bytesAdded = outputs.reduce((sum, file) => sum + file.sizeBytes, 0);
    const figures = await readTableFigures(catalog.connection, table.tableId, commit.snapshotId, commit.schemaVersion);
    return maintenanceOutcome(
      `Table ${name}: compacted ${sources.length} files into ${outputs.length} (${groups.length} partitions, ${rows} rows), snapshot ${commit.snapshotId}`,
      {
        snapshotId: commit.snapshotId,
        rows,
        filesAdded: outputs.length,
        bytesAdded,
        filesRemoved: sources.length,
        bytesRemoved: removedBytes,
        table: figures,
        details: { groups: groups.length, filesBefore: files.length, filesAfter: files.length - sources.length + outputs.length, reasons: [...new Set(groups.map((group) => group.reason))] },
      },
    );
  } catch (error) {
    if (isFeathermanError(error)) throw error;
    throw new Error(`while compacting ${name}`, { cause: error });
  } finally {
    await work.close();
    await catalog.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** operation compacts one table (side effects: merged files uploaded, one snapshot ending the sources). */
export const operation: Operation<CompactPlan> = { lockMode: 'exclusive', run };
