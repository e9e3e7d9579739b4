import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextSnapshotTime } from '../../runner/lake/catalog/snapshot-time.ts';

const at = (iso: string) => new Date(iso);
const micros = (iso: string) => BigInt(Date.parse(iso)) * 1000n;

test('nextSnapshotTime takes the clock when it is past the previous snapshot, else 1 µs after it', () => {
  const cases: Array<[string, string, bigint | null, bigint]> = [
    ['clock ahead', '2026-01-02T00:00:00Z', micros('2026-01-01T00:00:00Z'), micros('2026-01-02T00:00:00Z')],
    ['clock went back', '2026-01-01T00:00:00Z', micros('2026-01-02T00:00:00Z'), micros('2026-01-02T00:00:00Z') + 1n],
    ['same millisecond, previous had micros', '2026-01-02T00:00:00.000Z', micros('2026-01-02T00:00:00Z') + 500n, micros('2026-01-02T00:00:00Z') + 501n],
    ['equal time', '2026-01-02T00:00:00Z', micros('2026-01-02T00:00:00Z'), micros('2026-01-02T00:00:00Z') + 1n],
    ['previous has no time', '2026-01-01T00:00:00Z', null, micros('2026-01-01T00:00:00Z')],
  ];
  for (const [name, now, previous, expected] of cases) assert.equal(nextSnapshotTime(at(now), previous), expected, name);
});
