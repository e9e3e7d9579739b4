/**
 * bench:expire — what TTL expiry costs next to reading the table. A table gets
 * BENCH_BATCHES ingests (default 50) of BENCH_ROWS rows (default 20,000), batch b dated day
 * b; expire-rows then removes about half of the days, the cutoff falling inside one day.
 * Files wholly past the cutoff are ended from their stats without being read, so the
 * operation should cost far less than one cold full scan (the baseline, same run). Then
 * expire-snapshots and cleanup-files remove the history. Last line:
 * `expire-rows vs full scan <x>` = expire-rows time / cold full-scan query time.
 */
import { CleanupFilesPlan, ExpireRowsPlan, ExpireSnapshotsPlan, type PlanInput } from '../api/plan.ts';
import { operation as cleanupFiles } from '../runner/ops/cleanup-files.ts';
import { operation as expireRows } from '../runner/ops/expire-rows.ts';
import { operation as expireSnapshots } from '../runner/ops/expire-snapshots.ts';
import { buildBenchLake } from './compact.ts';

const DAY = 86_400_000;

async function main(): Promise<void> {
  const batches = Number(process.env.BENCH_BATCHES ?? 50);
  const rows = Number(process.env.BENCH_ROWS ?? 20_000);
  const lake = await buildBenchLake(batches, rows);
  try {
    const sql = 'SELECT count(*) AS n, min(ts) AS oldest FROM events';
    const scan = await lake.coldQuery(sql);
    console.log(`cold full scan (baseline): ${Math.round(scan.ms)} ms -> ${scan.preview}`);
    // Day 0 of the data is 2026-01-01; keep the newest half, cutting inside a day (12:00).
    const keepDays = Math.floor(batches / 2);
    const now = new Date(Date.UTC(2026, 0, 1) + (batches - keepDays) * DAY + DAY / 2 + keepDays * DAY);
    let started = performance.now();
    const expired = await lake.run(expireRows, ExpireRowsPlan.parse({ op: 'expire-rows', ...lake.common, table: { name: 'events', ttlDays: keepDays, ttlColumn: 'ts' } } satisfies PlanInput), { now: () => now });
    const expireMs = performance.now() - started;
    const details = expired.details ?? {};
    console.log(`expire-rows: ${expired.rows.toLocaleString('en-US')} rows in ${Math.round(expireMs)} ms; ${String(details.filesDropped)} files ended unread, ${String(details.filesRead)} read, ${String(details.deleteFiles)} delete files, ${String(details.filesUntouched)} untouched`);
    const after = await lake.coldQuery(sql);
    console.log(`after TTL: ${after.preview}`);
    // Snapshots carry the wall-clock commit time; expire everything but the latest.
    const later = new Date(Date.now() + 30 * DAY);
    started = performance.now();
    const snapshots = await lake.run(expireSnapshots, ExpireSnapshotsPlan.parse({ op: 'expire-snapshots', ...lake.common, olderThanDays: 1 } satisfies PlanInput), { now: () => later });
    const snapshotsMs = performance.now() - started;
    started = performance.now();
    const cleaned = await lake.run(cleanupFiles, CleanupFilesPlan.parse({ op: 'cleanup-files', ...lake.common, graceHours: 0 } satisfies PlanInput), { now: () => new Date(later.getTime() + DAY) });
    const cleanupMs = performance.now() - started;
    console.log(`expire-snapshots: ${String(snapshots.details?.expiredCount)} snapshots, ${String(snapshots.details?.scheduledFiles)} files scheduled in ${Math.round(snapshotsMs)} ms; cleanup-files: ${String(cleaned.details?.scheduledDeleted)} objects deleted in ${Math.round(cleanupMs)} ms`);
    console.log(`expire-rows vs full scan ${(expireMs / scan.ms).toFixed(2)}`);
  } finally {
    await lake.close();
  }
}

await main();
