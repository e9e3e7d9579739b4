/**
 * Pure planning for a data-file commit: object keys of the written files, data_file ids
 * and row ids (format §5.3), the table-level stats a batch adds, and the summary line.
 */
import { S3_URL } from '../../../api/identifiers.ts';
import { FeathermanError } from '../../errors.ts';
import type { FileColumnStats } from './stats-text.ts';
import type { WrittenFile } from './parquet-writer.ts';

/** ObjectLocation is a bucket and a key. */
export interface ObjectLocation {
  bucket: string;
  key: string;
}

/** PlannedDataFile is one ducklake_data_file row to insert, with its stats and partition values. */
export interface PlannedDataFile {
  dataFileId: number;
  /** Path relative to the table directory. */
  path: string;
  recordCount: number;
  fileSizeBytes: number;
  footerSize: number;
  rowIdStart: number;
  columnStats: FileColumnStats[];
  partitionValues: (string | null)[];
}

/**
 * objectLocation splits the table's full directory (`s3://bucket/prefix/main/sales/`) plus a
 * relative file path into bucket and key (pure). A table directory outside S3 is refused.
 */
export function objectLocation(tableLocation: string, relativePath: string): ObjectLocation {
  const match = S3_URL.exec(tableLocation);
  if (!match?.[1]) {
    throw new FeathermanError('FM_ERR_INVALID_SPEC', `the table's data directory must be an s3://bucket/path/ URL; got ${JSON.stringify(tableLocation)}`);
  }
  const dir = match[2] ?? '';
  const prefix = dir === '' || dir.endsWith('/') ? dir : `${dir}/`;
  return { bucket: match[1], key: `${prefix}${relativePath}` };
}

/**
 * planDataFiles numbers the written files (pure): ids from `allocFileId` in file order,
 * row ids consecutive from the table's next_row_id (format §5.3).
 */
export function planDataFiles(files: readonly WrittenFile[], nextRowId: number, allocFileId: () => number): PlannedDataFile[] {
  let rowId = nextRowId;
  return files.map((file) => {
    const planned: PlannedDataFile = {
      dataFileId: allocFileId(),
      path: file.relativePath,
      recordCount: file.rowCount,
      fileSizeBytes: file.sizeBytes,
      footerSize: file.footerSize,
      rowIdStart: rowId,
      columnStats: file.columnStats,
      partitionValues: file.partitionValues,
    };
    rowId += file.rowCount;
    return planned;
  });
}

/** ColumnBounds are the per-column facts a batch of files contributes to table_column_stats. */
export interface ColumnBounds {
  columnId: number;
  containsNull: boolean;
  containsNan: boolean | null;
  /** Candidate bounds of files that hold values; `unknown` when such a file has no bound. */
  mins: string[];
  maxs: string[];
  unknownMin: boolean;
  unknownMax: boolean;
}

/**
 * collectColumnBounds gathers, per leaf column, what the batch adds to the table-level
 * stats (pure): contains_null/contains_nan ORed, and the candidate min/max texts. Files
 * without values (all NULL) do not affect bounds; a file with values but no bound makes
 * the merged bound unknown (NULL), as format §8 says.
 */
export function collectColumnBounds(files: readonly PlannedDataFile[]): ColumnBounds[] {
  const byColumn = new Map<number, ColumnBounds>();
  for (const file of files) {
    for (const stats of file.columnStats) {
      let bounds = byColumn.get(stats.columnId);
      if (!bounds) {
        bounds = { columnId: stats.columnId, containsNull: false, containsNan: null, mins: [], maxs: [], unknownMin: false, unknownMax: false };
        byColumn.set(stats.columnId, bounds);
      }
      if (stats.nullCount === null || stats.nullCount > 0) bounds.containsNull = true;
      if (stats.containsNan !== null) bounds.containsNan = (bounds.containsNan ?? false) || stats.containsNan;
      if (stats.valueCount === 0) continue;
      if (stats.minValue === null) bounds.unknownMin = true;
      else bounds.mins.push(stats.minValue);
      if (stats.maxValue === null) bounds.unknownMax = true;
      else bounds.maxs.push(stats.maxValue);
    }
  }
  return [...byColumn.values()].sort((a, b) => a.columnId - b.columnId);
}

/** formatBytes renders a byte count as `23 MB`, `512 KB` or `900 B` (pure, decimal units). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${Math.round(bytes / 1e6)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} KB`;
  return `${bytes} B`;
}

/** ingestSummary renders `Table main.sales: +10 files, 23 MB, 1,000,000 rows, snapshot 42` (pure). */
export function ingestSummary(table: string, files: number, bytes: number, rows: number, snapshotId: number, removed = 0): string {
  const minus = removed > 0 ? `, -${removed.toLocaleString('en-US')} files` : '';
  return `Table ${table}: +${files.toLocaleString('en-US')} files${minus}, ${formatBytes(bytes)}, ${rows.toLocaleString('en-US')} rows, snapshot ${snapshotId}`;
}
