/**
 * The expire-snapshots operation: drop the snapshots older than the retention (never the
 * latest, never one the plan keeps for a pending query, never one a retained backup holds
 * as its latest, read from the backup manifests), end the catalog rows
 * only they could see, and schedule the files nobody references any more for deletion
 * (cleanup-files deletes them after the grace period). It writes no snapshot.
 */
import type { ExpireSnapshotsPlan } from '../../api/plan.ts';
import { listSnapshots, openCatalog } from '../lake/catalog/index.ts';
import { backupPrefix } from '../lake/maintain/backup-keys.ts';
import { readBackupSnapshots } from '../lake/maintain/backup-manifest.ts';
import { expireSnapshots, selectExpired } from '../lake/maintain/expire.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';

async function run(plan: ExpireSnapshotsPlan, ctx: OpContext): Promise<OpOutcome> {
  const now = ctx.now();
  const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
  try {
    const snapshots = await listSnapshots(catalog.connection);
    const cutoff = new Date(now.getTime() - plan.olderThanDays * 86_400_000);
    const backups = plan.keepBackupSnapshots ? await readBackupSnapshots(ctx.store, backupPrefix(plan.objectStore.prefix, plan.catalog.name)) : { snapshotIds: [], unreadable: 0 };
    const expired = selectExpired(snapshots, { cutoff, keep: [...plan.keepSnapshots, ...backups.snapshotIds] });
    const result = await expireSnapshots(catalog.connection, catalog.dataPath, expired, now);
    const latest = snapshots.at(-1)?.snapshotId;
    return maintenanceOutcome(
      `Catalog ${plan.catalog.name}: ${result.expiredSnapshots.length} snapshots expired, ${result.scheduledFiles} files scheduled for deletion`,
      {
        ...(latest === undefined ? {} : { snapshotId: latest }),
        details: {
          expiredCount: result.expiredSnapshots.length,
          scheduledFiles: result.scheduledFiles,
          scheduledBytes: result.scheduledBytes,
          droppedTables: result.droppedTables,
          inlinedRows: result.inlinedRows,
          inlinedDeletes: result.inlinedDeletes,
          remainingSnapshots: snapshots.length - result.expiredSnapshots.length,
          keptForBackups: backups.snapshotIds.slice(0, 50),
          backupsWithoutManifest: backups.unreadable,
          expired: result.expiredSnapshots.slice(0, 50),
        },
      },
    );
  } finally {
    await catalog.close();
  }
}

/** operation expires old snapshots (side effect: catalog rows deleted and files scheduled; no object is touched). */
export const operation: Operation<ExpireSnapshotsPlan> = { lockMode: 'exclusive', run };
