/**
 * The expire-snapshots operation: drop the snapshots older than the retention (never the
 * latest, never one the plan keeps for a pending query or backup), end the catalog rows
 * only they could see, and schedule the files nobody references any more for deletion
 * (cleanup-files deletes them after the grace period). It writes no snapshot.
 */
import type { ExpireSnapshotsPlan } from '../../api/plan.ts';
import { listSnapshots, openCatalog } from '../lake/catalog/index.ts';
import { expireSnapshots, selectExpired } from '../lake/maintain/expire.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';

async function run(plan: ExpireSnapshotsPlan, ctx: OpContext): Promise<OpOutcome> {
  const now = ctx.now();
  const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
  try {
    const snapshots = await listSnapshots(catalog.connection);
    const cutoff = new Date(now.getTime() - plan.olderThanDays * 86_400_000);
    const expired = selectExpired(snapshots, { cutoff, keep: plan.keepSnapshots });
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
          remainingSnapshots: snapshots.length - result.expiredSnapshots.length,
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
