import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isFeathermanError } from '../../runner/errors.ts';
import { collectColumnBounds, formatBytes, ingestSummary, objectLocation, planDataFiles } from '../../runner/lake/write/file-plan.ts';
import type { WrittenFile } from '../../runner/lake/write/parquet-writer.ts';
import type { FileColumnStats } from '../../runner/lake/write/stats-text.ts';

const stat = (columnId: number, over: Partial<FileColumnStats> = {}): FileColumnStats => ({
  columnId, columnSizeBytes: 10, valueCount: 2, nullCount: 0, minValue: '1', maxValue: '9', containsNan: null, ...over,
});
const file = (rowCount: number, stats: FileColumnStats[], relativePath = `ducklake-${rowCount}.parquet`): WrittenFile => ({
  localPath: `/tmp/${relativePath}`, relativePath, rowCount, sizeBytes: rowCount * 100, footerSize: 50, columnStats: stats, partitionValues: [],
});

test('splits the table directory into bucket and key, refusing anything but s3 URLs', () => {
  assert.deepEqual(objectLocation('s3://lake/data/main/sales/', 'region=EU/f.parquet'), { bucket: 'lake', key: 'data/main/sales/region=EU/f.parquet' });
  assert.deepEqual(objectLocation('s3://other-bucket/sales', 'f.parquet'), { bucket: 'other-bucket', key: 'sales/f.parquet' });
  assert.deepEqual(objectLocation('s3://lake/', 'f.parquet'), { bucket: 'lake', key: 'f.parquet' });
  assert.throws(() => objectLocation('/var/lake/main/sales/', 'f.parquet'), (error: unknown) => isFeathermanError(error) && /must be an s3:\/\/bucket\/path\/ URL; got "\/var\/lake\/main\/sales\/"/.test(error.message));
});

test('numbers files from the file counter and row ids from next_row_id, file by file', () => {
  let next = 40;
  const planned = planDataFiles([file(3, []), file(5, []), file(1, [])], 100, () => next++);
  assert.deepEqual(planned.map((each) => [each.dataFileId, each.rowIdStart, each.recordCount]), [[40, 100, 3], [41, 103, 5], [42, 108, 1]]);
  assert.equal(next, 43);
});

test('collects table-level bounds: NULLs and NaN ORed, all-NULL files ignored, a missing bound makes it unknown', () => {
  const planned = planDataFiles([
    file(2, [stat(1, { minValue: '5', maxValue: '7' }), stat(2, { containsNan: false })]),
    file(2, [stat(1, { minValue: '-3', maxValue: '4', nullCount: 1 }), stat(2, { containsNan: true })]),
    file(2, [stat(1, { valueCount: 0, nullCount: 2, minValue: null, maxValue: null }), stat(2, { minValue: null })]),
  ], 0, (() => { let id = 0; return () => id++; })());
  const bounds = collectColumnBounds(planned);
  assert.deepEqual(bounds[0], { columnId: 1, containsNull: true, containsNan: null, mins: ['5', '-3'], maxs: ['7', '4'], unknownMin: false, unknownMax: false });
  assert.deepEqual(bounds[1], { columnId: 2, containsNull: false, containsNan: true, mins: ['1', '1'], maxs: ['9', '9', '9'], unknownMin: true, unknownMax: false });
});

test('renders the summary line with thousands separators and decimal units', () => {
  assert.equal(formatBytes(23_400_000), '23 MB');
  assert.equal(formatBytes(512_000), '512 KB');
  assert.equal(formatBytes(900), '900 B');
  assert.equal(formatBytes(2_500_000_000), '2.5 GB');
  assert.equal(ingestSummary('main.sales', 10, 23_000_000, 1_000_000, 42), 'Table main.sales: +10 files, 23 MB, 1,000,000 rows, snapshot 42');
  assert.equal(ingestSummary('main.sales', 1, 1000, 5, 7, 3), 'Table main.sales: +1 files, -3 files, 1 KB, 5 rows, snapshot 7');
});
