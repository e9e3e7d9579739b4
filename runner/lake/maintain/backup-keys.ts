/**
 * Where catalog backups live and how they are named (pure): `<prefix>/_backups/<catalog>/`
 * holds one object per backup, named by its UTC time so that names sort by age.
 */
import { BACKUP_NAME } from '../../../api/maintenance-plan.ts';

/** backupPrefix is the key prefix of a catalog's backups, ending in `/` (pure). */
export function backupPrefix(storePrefix: string, catalogName: string): string {
  const prefix = storePrefix.replace(/^\/+|\/+$/g, '');
  return `${prefix === '' ? '' : `${prefix}/`}_backups/${catalogName}/`;
}

/** backupName renders the object name of a backup taken at `time`: `20261125T140000123Z.ducklake` (pure). */
export function backupName(time: Date): string {
  return `${time.toISOString().replace(/[-:.]/g, '')}.ducklake`;
}

/** backupTime reads the time back from a backup name; undefined when the name is not one (pure). */
export function backupTime(name: string): Date | undefined {
  if (!BACKUP_NAME.test(name)) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})?Z/.exec(name);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${m[7] ?? '000'}Z`;
  const time = new Date(iso);
  return Number.isNaN(time.getTime()) ? undefined : time;
}

/** BackupObject is one backup found in the bucket. */
export interface BackupObject {
  key: string;
  name: string;
  time: Date;
  size: number;
}

/** toBackupObject recognises a listed key under the backup prefix as a backup (pure); undefined for anything else. */
export function toBackupObject(prefix: string, key: string, size: number): BackupObject | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const name = key.slice(prefix.length);
  if (name.includes('/')) return undefined;
  const time = backupTime(name);
  return time ? { key, name, time, size } : undefined;
}

/** expiredBackups picks the backups older than the retention, never `keepKey` (pure). */
export function expiredBackups(backups: readonly BackupObject[], now: Date, retentionDays: number, keepKey: string): BackupObject[] {
  const cutoff = now.getTime() - retentionDays * 86_400_000;
  return backups.filter((backup) => backup.key !== keepKey && backup.time.getTime() < cutoff);
}
