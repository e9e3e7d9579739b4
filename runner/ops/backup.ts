/**
 * The backup operation: a consistent copy of the catalog file (shared lock; the copy is
 * checkpointed) uploaded to `<prefix>/_backups/<catalog>/<time>.ducklake` (SSE-KMS when the
 * store has a key) with a manifest naming its snapshot (snapshot expiry keeps it), then
 * the backups older than the retention are deleted with their manifests.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupPlan } from '../../api/plan.ts';
import { backupName, backupPrefix, expiredBackups } from '../lake/maintain/backup-keys.ts';
import { listBackups } from '../lake/maintain/backup-list.ts';
import { manifestKey, writeBackupManifest } from '../lake/maintain/backup-manifest.ts';
import { copyCatalogConsistent } from '../lake/maintain/catalog-copy.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';

/** BACKUP_CONTENT_TYPE is the media type of a backup object (a DuckDB database file). */
export const BACKUP_CONTENT_TYPE = 'application/vnd.duckdb';

async function run(plan: BackupPlan, ctx: OpContext): Promise<OpOutcome> {
  const now = ctx.now();
  const workDir = join(ctx.cacheDir, `backup-${randomUUID()}`);
  await mkdir(workDir, { recursive: true });
  try {
    const local = join(workDir, 'catalog.ducklake');
    const facts = await copyCatalogConsistent(plan.catalog.path, local, ctx.log);
    const prefix = backupPrefix(plan.objectStore.prefix, plan.catalog.name);
    const key = `${prefix}${backupName(now)}`;
    const put = await ctx.store.putFile(key, local, BACKUP_CONTENT_TYPE);
    const head = await ctx.store.head(key);
    if (!head || head.size !== facts.sizeBytes) {
      throw new Error(`backup object s3://${ctx.store.bucket}/${key} reads back as ${head?.size ?? 'missing'} bytes, expected ${facts.sizeBytes}`);
    }
    await writeBackupManifest(ctx.store, key, { snapshotId: facts.snapshotId, createdAt: now.toISOString(), catalog: plan.catalog.name });
    let deleted: string[] = [];
    if (plan.retentionDays !== undefined) {
      const expired = expiredBackups(await listBackups(ctx.store, prefix), now, plan.retentionDays, key);
      deleted = expired.map((backup) => backup.key);
      if (deleted.length > 0) await ctx.store.deleteMany(deleted.flatMap((each) => [each, manifestKey(each)]));
    }
    ctx.log.debug({ key, snapshotId: facts.snapshotId, bytes: put.size, deleted }, 'backup uploaded');
    return maintenanceOutcome(`Catalog ${plan.catalog.name}: backup ${key} (${put.size} bytes, snapshot ${facts.snapshotId}), ${deleted.length} old backups deleted`, {
      snapshotId: facts.snapshotId,
      filesAdded: 1,
      bytesAdded: put.size,
      filesRemoved: deleted.length,
      details: { backupKey: key, backupName: key.slice(prefix.length), deleted: deleted.slice(0, 20), deletedCount: deleted.length },
    });
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** operation backs up the catalog file to the bucket (side effects: one object uploaded, expired backups deleted). */
export const operation: Operation<BackupPlan> = { lockMode: 'shared', run };
