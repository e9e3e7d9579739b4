/**
 * The cleanup-files operation: delete the objects scheduled for deletion once the grace
 * period has passed (then their rows), and orphan objects: lake files under a table's
 * directory that no row references and that are older than the grace period. Backups and
 * the catalog are never candidates, nor anything not named like a lake file. After a
 * restore, while a newer backup of the lineage it left is kept, nothing older than the
 * restore is deleted and scheduled files wait (restore-marker.ts). With orphans,
 * abandoned multipart uploads of lake files and backups (older than the grace period) are
 * aborted too: their parts are stored and billed, and no object will ever hold them. A dry run
 * logs and returns what it would delete and touches nothing. Objects are deleted before
 * their rows: a crash in between leaves rows whose objects are gone, and the next run
 * deletes them again (S3 deletes are idempotent).
 */
import type { CleanupFilesPlan } from '../../api/plan.ts';
import { openCatalog } from '../lake/catalog/index.ts';
import { runSql, withTransaction } from '../lake/duckdb.ts';
import { scanBucket } from '../lake/maintain/bucket-scan.ts';
import { backupPrefix } from '../lake/maintain/backup-keys.ts';
import { decideScheduled, groupByBucket, keepFromBefore } from '../lake/maintain/cleanup.ts';
import { readCatalogRefs } from '../lake/maintain/file-refs.ts';
import { abortUploads, NO_UPLOAD_SCAN, scanCatalogUploads } from '../lake/maintain/open-uploads.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import { readRestoreGuard } from '../lake/maintain/restore-marker.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';
import { storeOf } from './context.ts';

const LOG_CHUNK = 500;
const ROW_BATCH = 250;

async function run(plan: CleanupFilesPlan, ctx: OpContext): Promise<OpOutcome> {
  const now = ctx.now();
  const graceMs = plan.graceHours * 3_600_000;
  const catalog = await openCatalog(plan.catalog.path, { readOnly: plan.dryRun, log: ctx.log });
  try {
    const refs = await readCatalogRefs(catalog.connection, catalog.dataPath);
    const storeFor = (bucket: string) => storeOf(ctx, bucket);
    const decision = decideScheduled(refs, now, graceMs);
    // After a restore, a kept backup of the lineage it left may need any older object.
    const guard = await readRestoreGuard(catalog.connection, ctx.store, backupPrefix(plan.objectStore.prefix, plan.catalog.name));
    const due = guard ? [] : decision.due;
    const { deletable: orphans, kept: keptFromBeforeRestore } = keepFromBefore(plan.orphans ? (await scanBucket(refs, storeFor, now, graceMs)).orphans : [], guard?.since);
    if (guard) {
      ctx.log.info({ restoredAt: guard.since.toISOString(), newerBackups: guard.newerBackups, kept: keptFromBeforeRestore.slice(0, 20).map((object) => object.url) },
        `the catalog was restored at ${guard.since.toISOString()} and ${guard.newerBackups.length} newer backups are kept: deleting nothing older than the restore (${keptFromBeforeRestore.length} unreferenced objects kept, ${decision.due.length} scheduled files deferred)`);
    }
    const uploads = plan.orphans ? await scanCatalogUploads(refs, plan, storeFor, now, graceMs, ctx.log) : NO_UPLOAD_SCAN;
    if (uploads.abandoned.length > 0) {
      ctx.log.info({ dryRun: plan.dryRun, uploads: uploads.abandoned.slice(0, LOG_CHUNK).map((upload) => `${upload.url} ${upload.uploadId}`) },
        `cleanup ${plan.dryRun ? 'would abort' : 'aborting'} ${uploads.abandoned.length} abandoned multipart uploads`);
    }
    const scheduledUrls = due.map((row) => row.url);
    const orphanUrls = orphans.map((object) => object.url);
    const orphanBytes = orphans.reduce((sum, object) => sum + object.size, 0);
    const verb = plan.dryRun ? 'would delete' : 'deleting';
    for (let start = 0; start < scheduledUrls.length + orphanUrls.length; start += LOG_CHUNK) {
      const all = [...scheduledUrls, ...orphanUrls];
      ctx.log.info({ dryRun: plan.dryRun, objects: all.slice(start, start + LOG_CHUNK) }, `cleanup ${verb} ${all.length} objects`);
    }
    if (decision.stillReferenced.length > 0) {
      ctx.log.warn({ paths: decision.stillReferenced.slice(0, 20).map((row) => row.url) }, `${decision.stillReferenced.length} scheduled files are still referenced by a data or delete file row and are kept`);
    }
    if (!plan.dryRun) {
      for (const [bucket, keys] of groupByBucket([...scheduledUrls, ...orphanUrls])) await storeFor(bucket).deleteMany(keys);
      // Rows of non-S3 paths (a local data path) stay: this runner cannot delete those files.
      const removedRows = due;
      if (removedRows.length > 0) {
        await withTransaction(catalog.connection, async (connection) => {
          for (let start = 0; start < removedRows.length; start += ROW_BATCH) {
            const slice = removedRows.slice(start, start + ROW_BATCH);
            await runSql(connection, `DELETE FROM ducklake_files_scheduled_for_deletion USING (VALUES ${slice.map(() => '(?::BIGINT, ?::VARCHAR)').join(', ')}) AS done(id, p)
              WHERE data_file_id = done.id AND path = done.p`, slice.flatMap((row) => [row.fileId, row.path]));
          }
        });
      }
    }
    // Last: an abort that fails is logged and tried again by the next run.
    const aborted = plan.dryRun ? uploads.abandoned.length : await abortUploads(uploads.abandoned, storeFor, ctx.log);
    const cap = (urls: string[]) => urls.slice(0, 20);
    return maintenanceOutcome(
      `Catalog ${plan.catalog.name}: ${plan.dryRun ? 'dry run, would delete' : 'deleted'} ${scheduledUrls.length} scheduled files and ${orphanUrls.length} orphans${uploads.abandoned.length > 0 ? ` and ${plan.dryRun ? 'abort' : 'aborted'} ${aborted} abandoned uploads` : ''}; ${decision.waiting} scheduled files wait for the grace period`,
      {
        filesRemoved: plan.dryRun ? 0 : scheduledUrls.length + orphanUrls.length,
        bytesRemoved: plan.dryRun ? 0 : orphanBytes,
        details: {
          dryRun: plan.dryRun,
          scheduledDeleted: scheduledUrls.length,
          orphansDeleted: orphanUrls.length,
          orphanBytes,
          waiting: decision.waiting,
          stillReferenced: decision.stillReferenced.length,
          notS3: decision.notS3.length,
          orphansKeptFromBeforeRestore: keptFromBeforeRestore.length,
          scheduledDeferred: decision.due.length - due.length,
          ...(guard ? { restoreGuard: { since: guard.since.toISOString(), newerBackups: guard.newerBackups.slice(0, 5) } } : {}),
          abandonedUploadsAborted: aborted,
          abandonedUploadsLeft: uploads.abandoned.length - aborted,
          inFlightUploads: uploads.inFlight,
          uploadsListed: uploads.unlisted.length === 0,
          scheduled: cap(scheduledUrls),
          orphans: cap(orphanUrls),
          abandonedUploads: cap(uploads.abandoned.map((upload) => upload.url)),
        },
      },
    );
  } finally {
    await catalog.close();
  }
}

/** operation deletes scheduled and orphan objects (side effects: objects deleted, scheduled rows removed; none with dryRun). */
export const operation: Operation<CleanupFilesPlan> = { lockMode: 'exclusive', run };
