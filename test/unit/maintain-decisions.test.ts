import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupName, backupPrefix, backupTime, expiredBackups, toBackupObject } from '../../runner/lake/maintain/backup-keys.ts';
import { decideScheduled } from '../../runner/lake/maintain/cleanup.ts';
import { decideCompaction, partitionDirOf } from '../../runner/lake/maintain/compaction-plan.ts';
import { LAKE_FILE_NAME, listingPrefixes, relativeToDataPath } from '../../runner/lake/maintain/file-refs.ts';
import { selectExpired } from '../../runner/lake/maintain/expire.ts';
import { boundMs, cutoffLiteral, decideTtl, ttlKindOf } from '../../runner/lake/maintain/ttl.ts';

const CUTOFF = new Date('2026-11-01T00:00:00.000Z');
const file = (min: string | null, max: string | null, nullCount: number | null = 0, recordCount = 10) => ({ recordCount, stats: { min, max, nullCount } });

test('decideTtl drops, keeps or scans a file from its age bounds', () => {
  const cases: Array<[ReturnType<typeof file> | { recordCount: number }, string]> = [
    [file('2026-10-01 00:00:00', '2026-10-31 23:59:59.999'), 'drop'],
    [file('2026-10-01 00:00:00', '2026-10-31 23:59:59.9995'), 'scan'],
    [file('2026-10-01 00:00:00', '2026-10-31 00:00:00', 1), 'scan'],
    [file('2026-11-01 00:00:00', '2026-12-01 00:00:00'), 'keep'],
    [file('2026-10-31 00:00:00', '2026-11-02 00:00:00'), 'scan'],
    [file(null, null, 10), 'keep'],
    [file(null, null, 0), 'scan'],
    [file('2026-10-01', '2026-10-31'), 'drop'],
    [file('2026-11-01 01:00:00+01', '2026-11-02 00:00:00+00'), 'keep'],
    [{ recordCount: 10 }, 'scan'],
  ];
  for (const [input, expected] of cases) assert.equal(decideTtl(input, CUTOFF), expected, JSON.stringify(input));
});

test('boundMs reads DuckLake timestamp and date bounds, rounding sub-milliseconds safely', () => {
  assert.equal(boundMs('2026-11-01 00:00:00', 'floor'), CUTOFF.getTime());
  assert.equal(boundMs('2026-11-01', 'floor'), CUTOFF.getTime());
  assert.equal(boundMs('2026-11-01 00:00:00.000001', 'ceil'), CUTOFF.getTime() + 1);
  assert.equal(boundMs('2026-11-01 00:00:00.000001', 'floor'), CUTOFF.getTime());
  assert.equal(boundMs('2026-11-01 02:00:00+02', 'floor'), CUTOFF.getTime());
  assert.equal(boundMs('not a time', 'floor'), undefined);
  assert.equal(cutoffLiteral(CUTOFF, 'timestamp'), '2026-11-01 00:00:00.000');
  assert.equal(cutoffLiteral(CUTOFF, 'timestamptz'), '2026-11-01T00:00:00.000Z');
  assert.equal(ttlKindOf('d', 'DATE'), 'timestamp');
  assert.throws(() => ttlKindOf('region', 'varchar'), /ttlColumn: must name a TIMESTAMP, TIMESTAMPTZ or DATE column; got "region" of type varchar/);
});

test('selectExpired never picks the latest or a kept snapshot', () => {
  const day = (d: number) => new Date(Date.UTC(2026, 10, d));
  const snapshots = [0, 1, 2, 3].map((id) => ({ snapshotId: id, snapshotTime: day(id + 1) }));
  assert.deepEqual(selectExpired(snapshots, { cutoff: day(30), keep: [1] }), [0, 2]);
  assert.deepEqual(selectExpired(snapshots, { cutoff: day(2), keep: [] }), [0]);
});

test('backup names sort by time, round-trip, and expire by retention except the newest', () => {
  const name = backupName(new Date('2026-11-25T14:00:00.123Z'));
  assert.equal(name, '20261125T140000123Z.ducklake');
  assert.equal(backupTime(name)?.toISOString(), '2026-11-25T14:00:00.123Z');
  assert.equal(backupPrefix('/data/lake/', 'prod'), 'data/lake/_backups/prod/');
  assert.equal(backupPrefix('', 'prod'), '_backups/prod/');
  assert.equal(toBackupObject('_backups/prod/', '_backups/prod/sub/20261125T140000123Z.ducklake', 1), undefined);
  assert.equal(toBackupObject('_backups/prod/', '_backups/prod/notes.txt', 1), undefined);
  const now = new Date('2026-11-25T00:00:00Z');
  const backups = ['20261001T000000000Z.ducklake', '20261120T000000000Z.ducklake'].map((each) => toBackupObject('p/', `p/${each}`, 1)).filter((each) => each !== undefined);
  assert.deepEqual(expiredBackups(backups, now, 30, 'p/x').map((each) => each.name), ['20261001T000000000Z.ducklake']);
  assert.deepEqual(expiredBackups(backups, now, 0, 'p/20261120T000000000Z.ducklake').map((each) => each.name), ['20261001T000000000Z.ducklake']);
});

test('listing prefixes cover nested table directories once; lake file names and relative paths', () => {
  assert.deepEqual(listingPrefixes(['s3://b/p/main/a/', 's3://b/p/main/a/x/', 's3://b/p/main/b/', 's3://c/t/', 'file:///tmp/x/']), [
    { bucket: 'b', key: 'p/main/a/' }, { bucket: 'b', key: 'p/main/b/' }, { bucket: 'c', key: 't/' },
  ]);
  assert.ok(LAKE_FILE_NAME.test('main/t/region=EU/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000001.parquet'));
  assert.ok(LAKE_FILE_NAME.test('ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000001-delete.parquet'));
  assert.ok(!LAKE_FILE_NAME.test('main/t/data.parquet'));
  assert.ok(!LAKE_FILE_NAME.test('main/t/ducklake-0193aaaa-bbbb-7ccc-8ddd-000000000001.parquet.tmp'));
  assert.deepEqual(relativeToDataPath('s3://b/p/', 's3://b/p/main/t/f.parquet'), { path: 'main/t/f.parquet', isRelative: true });
  assert.deepEqual(relativeToDataPath('s3://b/p/', 's3://other/t/f.parquet'), { path: 's3://other/t/f.parquet', isRelative: false });
});

test('decideScheduled waits for the grace period and keeps paths still referenced', () => {
  const now = new Date('2026-11-25T00:00:00Z');
  const refs = {
    dataPath: 's3://b/',
    files: [{ kind: 'data' as const, fileId: 1, tableId: 1, url: 's3://b/t/live.parquet', sizeBytes: 1, beginSnapshot: 1, endSnapshot: null }],
    tableDirs: new Map<number, string>(),
    scheduled: [
      { fileId: 2, path: 't/old.parquet', url: 's3://b/t/old.parquet', scheduleStart: new Date('2026-11-20T00:00:00Z') },
      { fileId: 3, path: 't/new.parquet', url: 's3://b/t/new.parquet', scheduleStart: new Date('2026-11-24T12:00:00Z') },
      { fileId: 4, path: 't/live.parquet', url: 's3://b/t/live.parquet', scheduleStart: new Date('2026-11-01T00:00:00Z') },
    ],
  };
  const decision = decideScheduled(refs, now, 24 * 3_600_000);
  assert.deepEqual(decision.due.map((row) => row.fileId), [2]);
  assert.equal(decision.waiting, 1);
  assert.deepEqual(decision.stillReferenced.map((row) => row.fileId), [4]);
});

test('decideCompaction merges partitions with many small files or heavily deleted files, per partition', () => {
  const MB = 1024 * 1024;
  let id = 0;
  const mk = (key: string, sizeMB: number, deleted = 0, records = 100, mappingId: number | null = null) => ({
    dataFileId: ++id, url: `s3://b/t/${id}`, path: `${key}/f${id}.parquet`, recordCount: records, sizeBytes: sizeMB * MB, rowIdStart: 0,
    partitionId: 1, mappingId, partitionKey: key, partitionValues: [key],
    deleteFile: deleted === 0 ? null : { deleteFileId: 1000 + id, url: 'x', deleteCount: deleted, sizeBytes: 10 },
  });
  const rule = { targetBytes: 128 * MB, smallFileRatio: 0.5, minSmallFiles: 4, deletedShare: 0.2, force: false };
  const files = [
    mk('EU', 1), mk('EU', 2), mk('EU', 3), mk('EU', 4), mk('EU', 120),
    mk('US', 1), mk('US', 2), mk('US', 3),
    mk('APAC', 120, 30), mk('APAC', 120),
  ];
  const groups = decideCompaction(files, rule);
  assert.deepEqual(groups.map((group) => [group.partitionKey, group.reason, group.files.map((file) => file.sizeBytes / MB)]), [
    ['EU', 'small-files', [1, 2, 3, 4]],
    ['APAC', 'deletes', [120]],
  ]);
  const forced = decideCompaction(files, { ...rule, force: true });
  assert.deepEqual(forced.map((group) => group.partitionKey), ['EU', 'US', 'APAC']);
  assert.deepEqual(forced.find((group) => group.partitionKey === 'US')?.files.length, 3);
  assert.deepEqual(decideCompaction([mk('X', 1)], { ...rule, force: true }), [], 'a single clean file is never rewritten');
  assert.deepEqual(decideCompaction([mk('M', 1, 0, 100, 7), mk('M', 1, 0, 100, 7)], { ...rule, force: true }), [], 'name-mapped files are left alone');
  const inlined = decideCompaction([{ ...mk('I', 120), inlinedDeleteCount: 40 }, mk('I', 120)], rule);
  assert.deepEqual(inlined.map((group) => [group.reason, group.files.length]), [['deletes', 1]], 'deletes the extension inlined into the catalog count as deletes');
  assert.equal(partitionDirOf('region=EU/day=3/ducklake-x.parquet'), 'region=EU/day=3/');
  assert.equal(partitionDirOf('ducklake-x.parquet'), '');
});
