/**
 * Which files compaction merges (pure). Files are grouped by partition (spec id and
 * values); a group is compacted when it holds at least `minSmallFiles` small files
 * (smaller than `smallFileRatio` × target), or any file whose deleted share reaches
 * `deletedShare` (rewriting drops the dead rows). The candidates of a chosen group are its
 * small files and its heavily deleted files; a group of one is rewritten only for its
 * deletes. The rule is cheap to evaluate from catalog rows alone, so the control plane can
 * run compaction on a schedule and let it decide.
 */
import type { MaintainedFile } from './table-files.ts';

/** CompactionRule is the cost rule's knobs (see api/maintenance-plan.ts CompactFields). */
export interface CompactionRule {
  targetBytes: number;
  smallFileRatio: number;
  minSmallFiles: number;
  deletedShare: number;
  force: boolean;
}

/** CompactionGroup is one partition's files to merge into new files. */
export interface CompactionGroup {
  partitionKey: string;
  partitionId: number | null;
  partitionValues: (string | null)[];
  files: MaintainedFile[];
  reason: 'small-files' | 'deletes' | 'forced';
}

/** deletedRowsOf counts a file's deleted rows: its delete file's and those the extension inlined into the catalog. */
function deletedRowsOf(file: MaintainedFile): number {
  return (file.deleteFile?.deleteCount ?? 0) + (file.inlinedDeleteCount ?? 0);
}

function deletedShareOf(file: MaintainedFile): number {
  return file.recordCount === 0 ? 0 : deletedRowsOf(file) / file.recordCount;
}

/** decideCompaction applies the cost rule to the visible files of a table (pure). */
export function decideCompaction(files: readonly MaintainedFile[], rule: CompactionRule): CompactionGroup[] {
  const groups = new Map<string, MaintainedFile[]>();
  for (const file of files) {
    // Files without field ids are read through a name mapping, which compaction does not do: leave them.
    if (file.mappingId !== null) continue;
    const list = groups.get(file.partitionKey) ?? [];
    list.push(file);
    groups.set(file.partitionKey, list);
  }
  const smallLimit = rule.targetBytes * rule.smallFileRatio;
  const chosen: CompactionGroup[] = [];
  for (const [partitionKey, group] of groups) {
    const small = group.filter((file) => file.sizeBytes < smallLimit);
    const heavy = group.filter((file) => deletedShareOf(file) >= rule.deletedShare);
    const withDeletes = group.filter((file) => deletedRowsOf(file) > 0);
    let picked: MaintainedFile[] = [];
    let reason: CompactionGroup['reason'] = 'small-files';
    if (small.length >= rule.minSmallFiles || heavy.length > 0) {
      picked = small.length >= rule.minSmallFiles ? [...new Set([...small, ...heavy])] : heavy;
      reason = small.length >= rule.minSmallFiles ? 'small-files' : 'deletes';
    } else if (rule.force) {
      const undersized = group.filter((file) => file.sizeBytes < rule.targetBytes);
      picked = undersized.length >= 2 ? [...new Set([...undersized, ...withDeletes])] : withDeletes;
      reason = 'forced';
    }
    if (picked.length === 0) continue;
    const only = picked[0];
    if (picked.length === 1 && only !== undefined && deletedRowsOf(only) === 0) continue;
    picked.sort((a, b) => a.dataFileId - b.dataFileId);
    const first = picked[0];
    chosen.push({ partitionKey, partitionId: first?.partitionId ?? null, partitionValues: first?.partitionValues ?? [], files: picked, reason });
  }
  return chosen;
}

/** partitionDirOf is the directory part of a relative data file path (`region=EU/`), or '' (pure). */
export function partitionDirOf(relativePath: string): string {
  const slash = relativePath.lastIndexOf('/');
  return slash < 0 ? '' : relativePath.slice(0, slash + 1);
}
