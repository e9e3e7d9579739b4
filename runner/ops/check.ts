/**
 * The check operation (consistency): compare the catalog with the bucket. Referenced
 * objects that are missing or whose size differs are an alarm (data loss) and are logged
 * at ERROR; orphans (lake files no row references, older than the grace period) are
 * reported for cleanup-files, and so are abandoned multipart uploads (a runner killed
 * mid-upload: parts stored and billed, no object). The result lists at most `maxListed`
 * keys of each kind with exact counts. Read-only: shared lock, nothing is written or deleted.
 */
import type { CheckPlan } from '../../api/plan.ts';
import { openCatalogForReading } from '../lake/catalog/index.ts';
import { scanBucket } from '../lake/maintain/bucket-scan.ts';
import { readCatalogRefs } from '../lake/maintain/file-refs.ts';
import { scanCatalogUploads } from '../lake/maintain/open-uploads.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';
import { storeOf } from './context.ts';

async function run(plan: CheckPlan, ctx: OpContext): Promise<OpOutcome> {
  // Older formats (0.2–0.4) are read through a 1.0-shaped copy.
  const catalog = await openCatalogForReading(plan.catalog.path, `catalog ${plan.catalog.path}`, { log: ctx.log });
  try {
    const refs = await readCatalogRefs(catalog.connection, catalog.dataPath);
    const storeFor = (bucket: string) => storeOf(ctx, bucket);
    const graceMs = plan.graceHours * 3_600_000;
    const scan = await scanBucket(refs, storeFor, ctx.now(), graceMs);
    const uploads = await scanCatalogUploads(refs, plan, storeFor, ctx.now(), graceMs, ctx.log);
    const cap = <T>(items: readonly T[]) => items.slice(0, plan.maxListed);
    const liveMissing = scan.missing.filter((file) => file.endSnapshot === null).length;
    if (scan.missing.length > 0 || scan.sizeMismatch.length > 0) {
      ctx.log.error({ missing: cap(scan.missing).map((file) => file.url), sizeMismatch: cap(scan.sizeMismatch).map((file) => file.url) },
        `catalog ${plan.catalog.name} references ${scan.missing.length} missing objects and ${scan.sizeMismatch.length} objects of the wrong size`);
    }
    const orphanBytes = scan.orphans.reduce((sum, object) => sum + object.size, 0);
    const healthy = scan.missing.length === 0 && scan.sizeMismatch.length === 0;
    return maintenanceOutcome(
      `Catalog ${plan.catalog.name}: ${refs.files.length} files checked, ${scan.missing.length} missing, ${scan.sizeMismatch.length} size mismatches, ${scan.orphans.length} orphans, ${uploads.abandoned.length} abandoned uploads`,
      {
        details: {
          healthy,
          checkedFiles: refs.files.length,
          listedObjects: scan.listed,
          missingCount: scan.missing.length,
          liveMissingCount: liveMissing,
          sizeMismatchCount: scan.sizeMismatch.length,
          orphanCount: scan.orphans.length,
          orphanBytes,
          recentUnreferencedCount: scan.recent.length,
          abandonedUploadCount: uploads.abandoned.length,
          inFlightUploadCount: uploads.inFlight,
          uploadsListed: uploads.unlisted.length === 0,
          scheduledCount: refs.scheduled.length,
          missing: cap(scan.missing).map((file) => file.url),
          sizeMismatch: cap(scan.sizeMismatch).map((file) => ({ url: file.url, expected: file.sizeBytes, actual: file.actualSize })),
          orphans: cap(scan.orphans).map((object) => object.url),
          abandonedUploads: cap(uploads.abandoned).map((upload) => upload.url),
        },
      },
    );
  } finally {
    await catalog.close();
  }
}

/** operation compares the catalog with the bucket (reads only). */
export const operation: Operation<CheckPlan> = { lockMode: 'shared', run };
