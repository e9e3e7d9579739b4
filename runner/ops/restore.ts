/**
 * The restore operation: download a named backup (or the latest), verify that it opens
 * and is a DuckLake 1.0 catalog, and move it into place of a missing catalog file. An
 * existing catalog is refused unless the plan says `overwrite: true`; then it is kept
 * beside the new one as `<catalog>.replaced-<time>` rather than deleted. The restored
 * catalog records the restore (restore-marker.ts), so that cleanup-files keeps the objects
 * that the replaced catalog or newer backups may still reference.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { RestorePlan } from '../../api/plan.ts';
import { FeathermanError } from '../errors.ts';
import { backupName, backupPrefix } from '../lake/maintain/backup-keys.ts';
import { listBackups } from '../lake/maintain/backup-list.ts';
import { verifyCatalogFile } from '../lake/maintain/catalog-copy.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import { markRestored } from '../lake/maintain/restore-marker.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function run(plan: RestorePlan, ctx: OpContext): Promise<OpOutcome> {
  const target = plan.catalog.path;
  const present = await exists(target);
  if (present && !plan.overwrite) {
    throw new FeathermanError('FM_ERR_DATA_LOSS_REFUSED', `catalog.path: a catalog already exists at ${JSON.stringify(target)}; restore replaces it only with overwrite: true.`);
  }
  const prefix = backupPrefix(plan.objectStore.prefix, plan.catalog.name);
  const backups = await listBackups(ctx.store, prefix);
  const chosen = plan.fromBackup === 'latest' ? backups.at(-1) : backups.find((backup) => backup.name === plan.fromBackup);
  if (!chosen) {
    const where = `s3://${ctx.store.bucket}/${prefix}`;
    throw plan.fromBackup === 'latest'
      ? new FeathermanError('FM_ERR_CATALOG_MISSING', `fromBackup: no backup exists under ${where}; got "latest".`)
      : new FeathermanError('FM_ERR_INVALID_PLAN', `fromBackup: must name a backup under ${where} (${backups.length} exist); got ${JSON.stringify(plan.fromBackup)}.`);
  }
  await mkdir(dirname(target), { recursive: true });
  // A restore killed mid-download leaves its temp file; it was never in place, so drop it.
  const stale = (await readdir(dirname(target))).filter((name) => name.startsWith(`${basename(target)}.restore-`));
  for (const name of stale) await rm(join(dirname(target), name), { force: true });
  // Download beside the target so the final rename is atomic on one filesystem.
  const temp = `${target}.restore-${randomUUID()}`;
  try {
    await ctx.store.getToFile(chosen.key, temp);
    const facts = await verifyCatalogFile(temp, `backup s3://${ctx.store.bucket}/${chosen.key}`, ctx.log);
    // Before it is in place: cleanup-files must never delete what the lineage left behind.
    await markRestored(temp, chosen.name, ctx.now());
    let replaced: string | undefined;
    const suffix = backupName(ctx.now()).replace('.ducklake', '');
    if (present) {
      replaced = `${target}.replaced-${suffix}`;
      await rename(target, replaced);
      if (await exists(`${target}.wal`)) await rename(`${target}.wal`, `${replaced}.wal`);
    } else if (await exists(`${target}.wal`)) {
      // A WAL without its catalog file would be replayed onto the restored file: kept aside.
      await rename(`${target}.wal`, `${target}.wal.orphaned-${suffix}`);
    }
    await rename(temp, target);
    ctx.log.debug({ key: chosen.key, snapshotId: facts.snapshotId, replaced }, 'catalog restored');
    return maintenanceOutcome(`Catalog ${plan.catalog.name}: restored from ${chosen.name} (snapshot ${facts.snapshotId})${replaced ? `, previous catalog kept as ${replaced}` : ''}`, {
      snapshotId: facts.snapshotId,
      details: { backupKey: chosen.key, backupName: chosen.name, dataPath: facts.dataPath, ...(replaced ? { replacedCatalog: replaced } : {}) },
    });
  } finally {
    await rm(temp, { force: true });
    await rm(`${temp}.wal`, { force: true });
  }
}

/** operation restores the catalog file from a backup (side effects: the catalog file is created or, with overwrite, replaced). */
export const operation: Operation<RestorePlan> = { lockMode: 'exclusive', run };
