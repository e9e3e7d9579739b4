/**
 * A backup's manifest: a small JSON object beside each backup (`<name>.json`) recording the
 * snapshot the backup holds. Snapshot expiry keeps those snapshots, so that restoring a
 * retained backup never finds its latest snapshot's files deleted by cleanup.
 */
import { z } from 'zod';
import type { ObjectStore } from '../../storage/object-store.ts';
import { listBackups } from './backup-list.ts';

/** BackupManifest is what the manifest object holds. */
export const BackupManifest = z.object({ snapshotId: z.number().int().min(0), createdAt: z.string(), catalog: z.string() });
export type BackupManifest = z.infer<typeof BackupManifest>;

/** manifestKey is the manifest object's key for a backup key (pure). */
export function manifestKey(backupKey: string): string {
  return `${backupKey}.json`;
}

/** writeBackupManifest uploads the manifest of one backup (side effect: one object). */
export async function writeBackupManifest(store: ObjectStore, backupKey: string, manifest: BackupManifest): Promise<void> {
  await store.putBytes(manifestKey(backupKey), JSON.stringify(manifest), 'application/json');
}

/**
 * readBackupSnapshots lists the backups under a prefix and returns the snapshot ids their
 * manifests name (reads the bucket). A backup without a readable manifest is skipped and
 * counted in `unreadable`.
 */
export async function readBackupSnapshots(store: ObjectStore, prefix: string): Promise<{ snapshotIds: number[]; unreadable: number }> {
  const backups = await listBackups(store, prefix);
  const listed = new Set<string>();
  for await (const info of store.list(prefix)) listed.add(info.key);
  const snapshotIds = new Set<number>();
  let unreadable = 0;
  for (const backup of backups) {
    const key = manifestKey(backup.key);
    if (!listed.has(key)) {
      unreadable += 1;
      continue;
    }
    const parsed = BackupManifest.safeParse(JSON.parse(Buffer.from(await store.getBytes(key)).toString('utf8')));
    if (parsed.success) snapshotIds.add(parsed.data.snapshotId);
    else unreadable += 1;
  }
  return { snapshotIds: [...snapshotIds].sort((a, b) => a - b), unreadable };
}
