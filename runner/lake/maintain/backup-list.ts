import type { ObjectStore } from '../../storage/object-store.ts';
import { toBackupObject, type BackupObject } from './backup-keys.ts';

/** listBackups lists the backups under a prefix, oldest first (reads the bucket listing only). */
export async function listBackups(store: ObjectStore, prefix: string): Promise<BackupObject[]> {
  const backups: BackupObject[] = [];
  for await (const info of store.list(prefix)) {
    const backup = toBackupObject(prefix, info.key, info.size);
    if (backup) backups.push(backup);
  }
  return backups.sort((a, b) => a.time.getTime() - b.time.getTime() || a.name.localeCompare(b.name));
}
