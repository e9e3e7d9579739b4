/**
 * The ingest operation: landing files → Parquet → S3 → one DuckLake snapshot, each landing
 * object version exactly once (the ledger rows commit with the snapshot). Order matters
 * for crash safety: nothing is visible until the commit, and a crash before it leaves only
 * unreferenced objects, which the consistency check removes later.
 */
import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { PartitionKey } from '../../api/partition-spec.ts';
import type { IngestPlan } from '../../api/plan.ts';
import { FeathermanError, isFeathermanError } from '../errors.ts';
import { commitSnapshot, openCatalog, readSnapshot, readTable, readTableFigures, type CatalogTable } from '../lake/catalog/index.ts';
import { endAllInlinedRows } from '../lake/maintain/inlined-ttl.ts';
import { endVisibleFiles, insertDataFiles } from '../lake/write/commit-files.ts';
import { ingestSummary, objectLocation } from '../lake/write/file-plan.ts';
import { listLandingObjects, type LandingObject } from '../lake/write/landing.ts';
import { writeLandingFiles } from '../lake/write/landing-write.ts';
import { ensureLedger, ledgerKey, readIngested, recordIngested } from '../lake/write/ledger.ts';
import { planPartitionFields } from '../lake/write/partition.ts';
import { buildColumnTree, leafColumns } from '../lake/write/table-columns.ts';
import { uploadAndVerify } from '../lake/write/upload.ts';
import { createEarlyUploads } from '../lake/write/early-upload.ts';
import { createFileCache } from '../storage/file-cache.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';
import { storeOf } from './context.ts';

/** catalogPartitionKeys turns the catalog's partition spec into PartitionKeys by column name (pure). */
export function catalogPartitionKeys(table: CatalogTable): PartitionKey[] {
  if (!table.partition) return [];
  return table.partition.fields.map((field) => {
    const column = table.columns.find((each) => each.columnId === field.columnId && each.parentColumn === null);
    if (!column) throw new Error(`partition key ${field.index} of ${table.schemaName}.${table.name} names column id ${field.columnId}, which is not visible`);
    const bucket = /^bucket\((\d+)\)$/.exec(field.transform);
    if (bucket?.[1]) return { transform: 'bucket', column: column.name, buckets: Number(bucket[1]) };
    if (['identity', 'year', 'month', 'day', 'hour'].includes(field.transform)) {
      return { transform: field.transform as 'identity' | 'year' | 'month' | 'day' | 'hour', column: column.name };
    }
    throw new FeathermanError('FM_ERR_INVALID_SPEC', `partition key ${field.index} of ${table.schemaName}.${table.name} has transform ${JSON.stringify(field.transform)}, which ingest cannot write`);
  });
}

/**
 * deleteIngested deletes landing objects whose ingested version is still the current one
 * (side effect). A key rewritten since the listing has a new ETag and is kept for the next
 * ingest; S3 has no delete-if-ETag, so this narrows that window rather than closing it.
 */
async function deleteIngested(ctx: OpContext, objects: readonly LandingObject[]): Promise<void> {
  const current = await Promise.all(objects.map(async (object) => ({ object, info: await ctx.store.head(object.key) })));
  const keys = current.filter(({ object, info }) => info?.etag === object.etag).map(({ object }) => object.key);
  if (keys.length > 0) await ctx.store.deleteMany(keys);
  const kept = current.length - keys.length;
  if (kept > 0) ctx.log.info({ kept }, `kept ${kept} landing objects that changed or vanished since they were listed`);
}

async function run(plan: IngestPlan, ctx: OpContext): Promise<OpOutcome> {
  const ingest = plan.table.ingest;
  const name = `${plan.table.schema}.${plan.table.name}`;
  if (!ingest) throw new FeathermanError('FM_ERR_INVALID_SPEC', `table.ingest: must be set to ingest into ${name}; got nothing`);
  // The listing is network-bound and needs nothing from the catalog: it runs while the
  // catalog opens and is read (one after the other they took about 70 and 40 ms).
  ctx.log.debug({ phase: 'read', prefix: ingest.prefix }, 'listing landing files');
  const listing = listLandingObjects(ctx.store, ingest.prefix, plan.keys);
  listing.catch(() => undefined);
  const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
  const workDir = join(ctx.cacheDir, `ingest-${randomUUID()}`);
  try {
    await ensureLedger(catalog.connection);
    const latest = await readSnapshot(catalog.connection);
    if (!latest) throw new FeathermanError('FM_ERR_CATALOG_MISSING', `the catalog ${plan.catalog.path} has no snapshot; run init-catalog first`);
    const table = await readTable(catalog.connection, plan.table.schema, plan.table.name, latest.snapshotId);
    if (!table) throw new FeathermanError('FM_ERR_TABLE_MISSING', `table ${name} does not exist in catalog ${plan.catalog.name}; apply the table first`);
    const columns = buildColumnTree(table.columns);
    const fields = planPartitionFields(catalogPartitionKeys(table), columns.map((column) => ({ name: column.name, columnId: column.columnId, type: column.typeName })));

    const listed = await listing;
    const done = await readIngested(catalog.connection, table.tableId, listed);
    const fresh = listed.filter((object) => !done.has(ledgerKey(object)));
    ctx.log.debug({ phase: 'read', listed: listed.length, alreadyIngested: listed.length - fresh.length, fresh: fresh.length }, 'landing files');
    if (fresh.length === 0) {
      // Already-ingested landing versions are deleted here too: a run that crashed between
      // its commit and its delete leaves them behind.
      if (ingest.deleteAfterIngest && listed.length > 0) await deleteIngested(ctx, listed);
      return {
        summary: `Table ${name}: nothing new under ${ingest.prefix} (${listed.length} landing files already ingested)`,
        filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0,
        details: { landingFiles: 0, skipped: listed.length },
      };
    }
    const cache = createFileCache(join(ctx.cacheDir, 'objects'), ctx.store);
    const target = (relativePath: string) => {
      const location = objectLocation(table.location, relativePath);
      return { key: location.key, store: storeOf(ctx, location.bucket) };
    };
    const early = createEarlyUploads({ target, log: ctx.log });
    ctx.log.debug({ phase: 'write', files: fresh.length }, 'writing Parquet');
    let landingWrite;
    try {
      landingWrite = await writeLandingFiles({
        store: ctx.store, cache, ingest, objects: fresh, columns, partitionFields: fields,
        compression: plan.table.format.compression === 'SNAPPY' ? 'snappy' : 'zstd',
        targetFileSizeBytes: plan.table.format.targetFileSizeMB * 1024 * 1024,
        memoryLimit: process.env.FEATHERMAN_MEMORY_LIMIT ?? '512MB',
        workDir,
        log: ctx.log,
        watchDir: (dir) => early.watch(dir),
      });
    } catch (error) {
      await early.abort();
      if (isFeathermanError(error)) throw error;
      throw new Error(`while writing Parquet for ${name}`, { cause: error });
    }
    const { files: written, downloaded } = landingWrite;
    const rows = written.reduce((sum, file) => sum + file.rowCount, 0);
    const bytes = written.reduce((sum, file) => sum + file.sizeBytes, 0);

    ctx.log.debug({ phase: 'upload', files: written.length, bytes }, 'uploading data files');
    const uploaded = await early.finish(new Map(written.map((file) => [file.localPath, file.sizeBytes])));
    const items = written.map((file) => ({ localPath: file.localPath, sizeBytes: file.sizeBytes, ...target(file.relativePath), ...(uploaded.has(file.localPath) ? { uploaded: uploaded.get(file.localPath) } : {}) }));
    await uploadAndVerify(items, ctx.log);

    ctx.log.debug({ phase: 'commit', files: written.length }, 'committing snapshot');
    let removed = { files: 0, bytes: 0 };
    const commit = await commitSnapshot(catalog.connection, { author: plan.author, message: `ingest ${fresh.length} landing files into ${name}`, now: ctx.now() }, async (tx) => {
      if (plan.table.mode === 'overwrite') {
        removed = await endVisibleFiles(tx, table.tableId);
        if (removed.files > 0) tx.addChange('deleted_from_table', table.tableId);
        // Rows the extension inlined into the catalog are part of the contents too.
        if ((await endAllInlinedRows(tx.connection, table.tableId, tx.snapshotId)) > 0) tx.addChange('inlined_delete', table.tableId);
      }
      if (written.length > 0) {
        await insertDataFiles(tx, { tableId: table.tableId, partitionId: table.partition?.partitionId ?? null, files: written, leaves: leafColumns(columns) });
        tx.addChange('inserted_into_table', table.tableId);
      }
      await recordIngested(tx.connection, table.tableId, tx.snapshotId, ctx.now(), fresh);
    });
    ctx.log.debug({ phase: 'done', snapshotId: commit.snapshotId }, 'committed');

    // Every listed version is in the ledger now (skipped ones were already), so all may go.
    if (ingest.deleteAfterIngest) await deleteIngested(ctx, listed);
    // A committed landing version is never read again: drop its cached copy (a crash before
    // the commit keeps it, so the re-run need not download it again).
    await Promise.all(downloaded.map((path) => rm(path, { force: true })));
    const figures = await readTableFigures(catalog.connection, table.tableId, commit.snapshotId, commit.schemaVersion);
    return {
      summary: ingestSummary(name, written.length, bytes, rows, commit.snapshotId, removed.files),
      snapshotId: commit.snapshotId,
      filesAdded: written.length,
      bytesAdded: bytes,
      filesRemoved: removed.files,
      bytesRemoved: removed.bytes,
      rows,
      table: figures,
      details: { landingFiles: fresh.length, skipped: listed.length - fresh.length },
    };
  } catch (error) {
    if (isFeathermanError(error)) throw error;
    throw new Error(`while ingesting into ${name}`, { cause: error });
  } finally {
    await rm(workDir, { recursive: true, force: true });
    await catalog.close();
  }
}

/** operation ingests the landing files of one table (side effects: objects, one catalog snapshot, optionally deleted landing files). */
export const operation: Operation<IngestPlan> = { lockMode: 'exclusive', run };
