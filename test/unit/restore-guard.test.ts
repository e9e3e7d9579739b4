import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keepFromBefore, restoreGuard } from '../../runner/lake/maintain/cleanup.ts';

const backup = (iso: string) => ({ name: `${iso.replace(/[-:.]/g, '')}.ducklake`, time: new Date(iso) });
const B1 = backup('2026-11-20T00:00:00.000Z');
const B2 = backup('2026-11-21T00:00:00.000Z');
const B3 = backup('2026-11-23T00:00:00.000Z');
const RESTORED_AT = new Date('2026-11-22T00:00:00.000Z');

test('restoreGuard: none without a restore, or when the restore took the newest backup', () => {
  assert.equal(restoreGuard(undefined, [B1, B2]), undefined);
  assert.equal(restoreGuard({ at: RESTORED_AT, backupName: B2.name }, [B1, B2]), undefined);
});

test('restoreGuard: a backup between the one restored and the restore guards everything older than the restore', () => {
  assert.deepEqual(restoreGuard({ at: RESTORED_AT, backupName: B1.name }, [B1, B2, B3]), { since: RESTORED_AT, newerBackups: [B2.name] }, 'B3 came after the restore: the new lineage');
});

test('restoreGuard: when the restored backup is gone, its name still dates it', () => {
  assert.deepEqual(restoreGuard({ at: RESTORED_AT, backupName: B1.name }, [B2]), { since: RESTORED_AT, newerBackups: [B2.name] });
  assert.equal(restoreGuard({ at: RESTORED_AT, backupName: B2.name }, [B1]), undefined);
});

test('keepFromBefore keeps what is older than since, and nothing without it', () => {
  const old = { lastModified: new Date('2026-11-21T12:00:00Z') };
  const young = { lastModified: new Date('2026-11-22T12:00:00Z') };
  assert.deepEqual(keepFromBefore([old, young], RESTORED_AT), { deletable: [young], kept: [old] });
  assert.deepEqual(keepFromBefore([old, young], undefined), { deletable: [old, young], kept: [] });
});
