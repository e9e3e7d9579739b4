/**
 * bench:expire — TTL expiry on a table of BENCH_FILES files (default 1,000, BENCH_ROWS_PER_FILE
 * rows each, default 100; 10 files per day of `ts`, over 4 region partitions) where 90% of
 * the files are wholly past the cutoff. The cutoff falls inside day 90: files of days 0–89
 * (90%) are ended from their catalog stats alone, the 10 files of day 90 are read and get
 * delete files, the newer ones are untouched. Printed: the op's own counters (files ended
 * unread, files read, delete files) and, independently, the objects it downloaded from S3
 * (a counting wrapper around the store), plus the time. A cold full-scan query of the same
 * table is the reference. Setup (generate, upload, register in one commit) is timed apart.
 * Last line: `files read <n>` (what the op reports; the GET count must agree).
 */
import { ExpireRowsPlan, type PlanInput } from '../api/plan.ts';
import { operation as expireRows } from '../runner/ops/expire-rows.ts';
import type { ObjectStore } from '../runner/storage/object-store.ts';
import { buildSmallFileLake } from './compact.ts';

const DAY = 86_400_000;
const FILES_PER_DAY = 10;

/** countingStore wraps a store and counts object downloads (getToFile, getBytes). */
function countingStore(store: ObjectStore): { store: ObjectStore; gets: () => number } {
  let gets = 0;
  const wrapped: ObjectStore = {
    ...store,
    getToFile: async (key, localPath) => {
      gets += 1;
      return store.getToFile(key, localPath);
    },
    getBytes: async (...args: Parameters<ObjectStore['getBytes']>) => {
      gets += 1;
      return store.getBytes(...args);
    },
  };
  return { store: wrapped, gets: () => gets };
}

async function main(): Promise<void> {
  const files = Number(process.env.BENCH_FILES ?? 1_000);
  const rowsPerFile = Number(process.env.BENCH_ROWS_PER_FILE ?? 100);
  const lake = await buildSmallFileLake({ files, rowsPerFile, filesPerDay: FILES_PER_DAY });
  try {
    const { generateMs, uploadMs, registerMs } = lake.timings;
    const days = Math.ceil(files / FILES_PER_DAY);
    console.log(`setup: ${files.toLocaleString('en-US')} files of ${rowsPerFile} rows over ${days} days, generated in ${Math.round(generateMs)} ms, uploaded in ${Math.round(uploadMs)} ms, registered in one commit in ${Math.round(registerMs)} ms`);
    const sql = 'SELECT count(*) AS n, min(ts) AS oldest FROM events';
    const scan = await lake.coldQuery(sql);
    console.log(`cold full scan (reference): ${Math.round(scan.ms)} ms, ${String(scan.details.filesRead)} files read -> ${scan.preview}`);
    // Cut inside day `cutDay` (12:00): days before it are wholly expired, that day partly.
    const cutDay = Math.floor(days * 0.9);
    const ttlDays = 30;
    const now = new Date(Date.UTC(2026, 0, 1) + cutDay * DAY + DAY / 2 + ttlDays * DAY);
    const counted = countingStore(lake.store);
    const started = performance.now();
    const expired = await lake.run(expireRows, ExpireRowsPlan.parse({ op: 'expire-rows', ...lake.common, table: { name: 'events', ttlDays, ttlColumn: 'ts' } } satisfies PlanInput), {
      now: () => now, store: counted.store, storeFor: () => counted.store,
    });
    const expireMs = performance.now() - started;
    const details = expired.details ?? {};
    const filesRead = Number(details.filesRead);
    console.log(`expire-rows: cutoff ${String(details.cutoff)}, ${expired.rows.toLocaleString('en-US')} rows removed in ${Math.round(expireMs)} ms`);
    console.log(`  ${String(details.filesDropped)} of ${files} files ended from stats without reading (${Math.round((Number(details.filesDropped) / files) * 100)}%), ${filesRead} read, ${String(details.deleteFiles)} delete files written, ${String(details.filesUntouched)} untouched`);
    console.log(`  objects downloaded from S3 by the op: ${counted.gets()}`);
    if (counted.gets() !== filesRead) throw new Error(`the op reports ${filesRead} files read but downloaded ${counted.gets()} objects`);
    const after = await lake.coldQuery(sql);
    console.log(`after TTL: ${after.preview}`);
    console.log(`expire-rows ${Math.round(expireMs)} ms vs cold full scan ${Math.round(scan.ms)} ms (${(expireMs / scan.ms).toFixed(2)}x)`);
    console.log(`files read ${filesRead}`);
  } finally {
    await lake.close();
  }
}

await main();
