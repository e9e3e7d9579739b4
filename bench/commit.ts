/**
 * bench:commit — what a one-file append costs as the catalog grows. Catalogs holding 1k,
 * 10k and 100k data files (with their column stats, partition values, snapshots and
 * ledger rows, built with INSERT … SELECT range()) each get repeated one-file commits;
 * the catalog transaction alone is timed (median). Then, when runner/main exists, the
 * whole-process time of a runner appending one small landing file to the largest catalog:
 * the bundle a Job runs, and the same runner through tsx as a reference.
 * Last line: `commit growth <x>` = median at 100k / median at 1k.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApplyTablePlan, InitCatalogPlan } from '../api/plan.ts';
import { commitSnapshot, openCatalog, readTable } from '../runner/lake/catalog/index.ts';
import { openDuckDB, runSql, type DuckDBHandle } from '../runner/lake/duckdb.ts';
import { insertDataFiles } from '../runner/lake/write/commit-files.ts';
import { ensureLedger, recordIngested } from '../runner/lake/write/ledger.ts';
import type { WrittenFile } from '../runner/lake/write/parquet-writer.ts';
import { buildColumnTree, leafColumns } from '../runner/lake/write/table-columns.ts';
import { createLogger } from '../runner/log.ts';
import { operation as applyTable } from '../runner/ops/apply-table.ts';
import type { OpContext } from '../runner/ops/context.ts';
import { operation as initCatalog } from '../runner/ops/init-catalog.ts';
import type { ObjectStore } from '../runner/storage/object-store.ts';

const SIZES = process.env.BENCH_SIZES ? process.env.BENCH_SIZES.split(",").map(Number) : [1_000, 10_000, 100_000];
const COMMITS = 40;
const TABLE = {
  name: 'events',
  columns: [
    { name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' },
  ],
  format: { partitioning: ['region'] },
  ingest: { prefix: 'landing/events/', format: 'csv' as const },
};

function offlineContext(dir: string): OpContext {
  const store = { bucket: 'bench' } as unknown as ObjectStore;
  return { log: createLogger({ bench: 'commit' }), store, storeFor: () => store, cacheDir: join(dir, 'cache'), now: () => new Date() };
}

async function buildCatalog(dir: string, files: number): Promise<string> {
  const path = join(dir, `catalog-${files}.duckdb`);
  const common = { catalog: { name: 'bench', path }, objectStore: { bucket: 'bench' } };
  const ctx = offlineContext(dir);
  await initCatalog.run(InitCatalogPlan.parse({ op: 'init-catalog', ...common }), ctx);
  await applyTable.run(ApplyTablePlan.parse({ op: 'apply-table', ...common, table: TABLE }), ctx);
  const db = await openDuckDB(path);
  try {
    await ensureLedger(db.connection);
    // One earlier snapshot per file, as if each had been its own ingest.
    await runSql(db.connection, 'BEGIN TRANSACTION');
    const base = 'SELECT i FROM range(?) t(i)';
    const params = [files];
    await runSql(db.connection, `INSERT INTO ducklake_snapshot SELECT i + 3, now(), 1, 3, i + 1 FROM (${base})`, params);
    await runSql(db.connection, `INSERT INTO ducklake_snapshot_changes SELECT i + 3, 'inserted_into_table:1', NULL, NULL, NULL FROM (${base})`, params);
    await runSql(db.connection, `INSERT INTO ducklake_data_file SELECT i, 1, i + 3, NULL, NULL, 'region=r' || (i % 10) || '/ducklake-' || uuid() || '.parquet', true, 'parquet',
      1000, 50000, 900, i * 1000, 2, NULL, NULL, NULL FROM (${base})`, params);
    await runSql(db.connection, `INSERT INTO ducklake_file_column_stats SELECT i, 1, c, 1000, 1000, 0,
      CASE WHEN c = 2 THEN '2025-01-01 00:00:00' ELSE '1' END, CASE WHEN c = 2 THEN '2025-12-31 00:00:00' ELSE '999' END, CASE WHEN c = 4 THEN false END, NULL
      FROM (${base}), range(1, 5) c(c)`, params);
    await runSql(db.connection, `INSERT INTO ducklake_file_partition_value SELECT i, 1, 0, 'r' || (i % 10) FROM (${base})`, params);
    await runSql(db.connection, `INSERT INTO featherman_ingested_object SELECT 1, 'landing/events/f' || i || '.csv', md5(i::VARCHAR), 40000, i + 3, now() FROM (${base})`, params);
    await runSql(db.connection, 'INSERT INTO ducklake_table_stats VALUES (1, ?, ?, ?)', [files * 1000, files * 1000, files * 50000]);
    await runSql(db.connection, `INSERT INTO ducklake_table_column_stats SELECT 1, c, false, CASE WHEN c = 4 THEN false END,
      CASE WHEN c = 2 THEN '2025-01-01 00:00:00' ELSE '1' END, CASE WHEN c = 2 THEN '2025-12-31 00:00:00' ELSE '999' END, NULL FROM range(1, 5) c(c)`);
    await runSql(db.connection, 'COMMIT');
    await runSql(db.connection, 'CHECKPOINT');
  } finally {
    await db.close();
  }
  return path;
}

function oneFile(n: number): WrittenFile {
  const stats = [1, 2, 3, 4].map((columnId) => ({
    columnId, columnSizeBytes: 100, valueCount: 10, nullCount: 0,
    minValue: columnId === 2 ? '2026-01-01 00:00:00' : String(n), maxValue: columnId === 2 ? '2026-01-02 00:00:00' : String(n + 10), containsNan: columnId === 4 ? false : null,
  }));
  return { localPath: '', relativePath: `region=r1/ducklake-bench-${n}.parquet`, rowCount: 10, sizeBytes: 2000, footerSize: 500, columnStats: stats, partitionValues: ['r1'] };
}

interface BenchCatalog {
  db: DuckDBHandle;
  tableId: number;
  partitionId: number | null;
  leaves: ReturnType<typeof leafColumns>;
  times: number[];
  /** CPU time of the process (JS and DuckDB's threads) per commit: steadier than wall time on a loaded machine. */
  cpu: number[];
}

async function openBench(path: string): Promise<BenchCatalog> {
  // Opened as the runner opens it (openCatalog: one thread, the 1.0 check).
  const db: DuckDBHandle = await openCatalog(path);
  const latest = Number((await db.connection.runAndReadAll('SELECT max(snapshot_id) FROM ducklake_snapshot')).getRows()[0]?.[0]);
  const table = await readTable(db.connection, 'main', 'events', latest);
  if (!table) throw new Error('bench table missing');
  return { db, tableId: table.tableId, partitionId: table.partition?.partitionId ?? null, leaves: leafColumns(buildColumnTree(table.columns)), times: [], cpu: [] };
}

async function commitOne(bench: BenchCatalog, n: number): Promise<void> {
  const file = oneFile(n);
  const cpu = process.cpuUsage();
  const started = process.hrtime.bigint();
  await commitSnapshot(bench.db.connection, { message: 'bench' }, async (tx) => {
    await insertDataFiles(tx, { tableId: bench.tableId, partitionId: bench.partitionId, files: [file], leaves: bench.leaves });
    tx.addChange('inserted_into_table', bench.tableId);
    await recordIngested(tx.connection, bench.tableId, tx.snapshotId, new Date(), [{ key: `landing/events/new-${n}.csv`, etag: `e${n}`, size: 100 }]);
  });
  bench.times.push(Number(process.hrtime.bigint() - started) / 1e6);
  const used = process.cpuUsage(cpu);
  bench.cpu.push((used.user + used.system) / 1000);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

interface RunnerWay {
  name: string;
  args: string[];
  times: number[];
}

// One runner process ingesting the one new landing file: whole-process time, and with
// BENCH_VERBOSE its phase times (from the DEBUG log lines) on stdout.
async function timeRunner(way: RunnerWay, plan: object, env: NodeJS.ProcessEnv): Promise<void> {
  const verbose = Boolean(process.env.BENCH_VERBOSE);
  const started = Date.now();
  const child = spawn(process.execPath, way.args, {
    env: { ...process.env, ...env, FEATHERMAN_PLAN: JSON.stringify(plan), LOG_LEVEL: verbose ? 'debug' : 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => { stderr += chunk; });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const ms = Date.now() - started;
  if (code !== 0) throw new Error(`runner (${way.name}) exited with ${code}:\n${stderr.slice(-3000)}`);
  way.times.push(ms);
  if (!verbose) return;
  const phases = stderr.split('\n').flatMap((line) => {
    const match = /"time":"([^"]+)".*"phase":"(\w+)"/.exec(line);
    return match?.[1] ? [`${match[2]} +${new Date(match[1]).getTime() - started}`] : [];
  });
  console.log(`  ${way.name}: ${ms} ms; phases (ms after spawn): ${phases.join(', ')}`);
}

const RUNS_PER_WAY = 3;

/**
 * runnerAppend times whole runner processes that each append one small landing file to
 * the catalog: the bundle as a Job runs it (`node dist/runner.mjs`), and through tsx from
 * the sources for reference, alternating so that load hits both alike. Medians in ms.
 */
async function runnerAppend(dir: string, catalogPath: string): Promise<{ bundle: number; tsx: number } | undefined> {
  const main = join(import.meta.dirname, '..', 'runner', 'main.ts');
  if (!existsSync(main)) return undefined;
  const { ensureRunnerBundle } = await import('../local/runner-bundle.ts');
  const ways: RunnerWay[] = [
    { name: 'bundle', args: [await ensureRunnerBundle()], times: [] },
    { name: 'tsx', args: ['--import', 'tsx', main], times: [] },
  ];
  const { startEmbeddedS3 } = await import('../local/s3/embedded-s3.ts');
  const s3 = await startEmbeddedS3({ dir: join(dir, 's3'), buckets: ['bench'] });
  try {
    const { createS3ObjectStore } = await import('../runner/storage/s3-object-store.ts');
    const store = createS3ObjectStore({ bucket: 'bench', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const plan = { op: 'ingest', catalog: { name: 'bench', path: catalogPath }, objectStore: { bucket: 'bench', endpoint: s3.endpoint, forcePathStyle: true }, cacheDir: join(dir, 'cache'), table: TABLE };
    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey };
    try {
      for (let run = 0; run < RUNS_PER_WAY; run += 1) {
        for (const way of ways) {
          // Every run finds exactly one landing file it has not ingested yet.
          await store.putBytes(`landing/events/one-${way.name}-${run}.csv`, `id,ts,region,amount\n${run},2026-01-01 00:00:00,r1,2.5\n`);
          await timeRunner(way, plan, env);
        }
      }
    } finally {
      store.close();
    }
    const [bundle, tsx] = ways.map((way) => median(way.times));
    return { bundle: bundle ?? 0, tsx: tsx ?? 0 };
  } finally {
    await s3.close();
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'fm-bench-commit-'));
  try {
    const paths: string[] = [];
    for (const size of SIZES) {
      const started = Date.now();
      paths.push(await buildCatalog(dir, size));
      console.log(`catalog with ${size.toLocaleString('en-US')} data files built in ${Date.now() - started} ms`);
    }
    // Round-robin over the catalogs, so that machine load hits every size alike.
    const benches = await Promise.all(paths.map(openBench));
    try {
      for (let n = 0; n < COMMITS; n += 1) for (const bench of benches) await commitOne(bench, n);
    } finally {
      for (const bench of benches) await bench.db.close();
    }
    const medians = benches.map((bench) => median(bench.times));
    benches.forEach((bench, i) => {
      const sorted = [...bench.times].sort((a, b) => a - b);
      console.log(`one-file commit at ${(SIZES[i] ?? 0).toLocaleString('en-US')} data files: median ${(medians[i] ?? 0).toFixed(2)} ms, min ${sorted[0]?.toFixed(2)} ms, p90 ${sorted[Math.floor(sorted.length * 0.9)]?.toFixed(2)} ms over ${COMMITS} commits; CPU median ${median(bench.cpu).toFixed(2)} ms`);
    });
    console.log(`load average during the commits: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (wall times scale with it on a shared machine)`);
    const biggest = paths[paths.length - 1] ?? '';
    const whole = await runnerAppend(dir, biggest);
    console.log(whole === undefined
      ? 'runner append: runner/main.ts not present, skipped'
      : `runner appending one small file at ${(SIZES.at(-1) ?? 0).toLocaleString('en-US')} data files: ${whole.bundle.toFixed(0)} ms whole process (bundle, median of ${RUNS_PER_WAY}; through tsx ${whole.tsx.toFixed(0)} ms)`);
    console.log(`commit growth ${((medians[medians.length - 1] ?? 0) / (medians[0] || 1)).toFixed(2)}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
