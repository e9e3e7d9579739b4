/**
 * bench:compact — what compaction buys and costs. A table gets BENCH_BATCHES ingests
 * (default 50) of BENCH_ROWS rows (default 20,000) over 4 regions, i.e. 4 small files per
 * ingest; the same aggregate query runs on a cold cache before and after `compact`.
 * Figures: files before/after, compaction time and rows/s, query time before/after.
 * Last line: `compact query speed-up <x>` = query time before / after (same run).
 * `buildBenchLake` is shared with bench/expire.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplyTablePlan, CompactPlan, IngestPlan, InitCatalogPlan, QueryPlan, type PlanInput } from '../api/plan.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/s3/embedded-s3.ts';
import { openDuckDB } from '../runner/lake/duckdb.ts';
import { quoteString } from '../runner/lake/sql.ts';
import { createLogger } from '../runner/log.ts';
import { operation as applyTable } from '../runner/ops/apply-table.ts';
import { operation as compact } from '../runner/ops/compact.ts';
import type { OpContext, OpOutcome } from '../runner/ops/context.ts';
import { operation as ingest } from '../runner/ops/ingest.ts';
import { operation as initCatalog } from '../runner/ops/init-catalog.ts';
import { operation as query } from '../runner/ops/query.ts';
import { createS3ObjectStore } from '../runner/storage/s3-object-store.ts';

/** BENCH_TABLE is the table both benchmarks fill: partitioned by region, aged by ts. */
export const BENCH_TABLE = {
  name: 'events',
  columns: [{ name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }],
  format: { partitioning: ['region'] },
  ingest: { prefix: 'landing/events/', format: 'parquet' as const },
};

/** BenchLake is a filled lake: the S3 server, the context, the common plan fields and a cleanup. */
export interface BenchLake {
  dir: string;
  s3: EmbeddedS3;
  ctx: OpContext;
  common: { catalog: { name: string; path: string }; objectStore: { bucket: string; endpoint: string; forcePathStyle: boolean } };
  run(op: { run(plan: never, ctx: OpContext): Promise<OpOutcome> }, plan: unknown, ctx?: Partial<OpContext>): Promise<OpOutcome>;
  coldQuery(sql: string): Promise<{ ms: number; preview: string }>;
  close(): Promise<void>;
}

/**
 * buildBenchLake starts an embedded S3 server, creates the catalog and the table, and runs
 * `batches` ingests of `rows` rows each; batch b holds timestamps of day b after
 * 2026-01-01 so files are clustered by age (side effects: temp folder, socket).
 */
export async function buildBenchLake(batches: number, rows: number): Promise<BenchLake> {
  const dir = await mkdtemp(join(tmpdir(), 'fm-bench-maintain-'));
  const s3 = await startEmbeddedS3({ dir: join(dir, 's3'), buckets: ['bench'] });
  const store = createS3ObjectStore({ bucket: 'bench', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  const log = createLogger({ bench: 'maintain' });
  log.level = 'warn';
  const ctx: OpContext = { log, store, storeFor: () => store, cacheDir: join(dir, 'cache'), now: () => new Date() };
  const common = { catalog: { name: 'bench', path: join(dir, 'catalog', 'lake.duckdb') }, objectStore: { bucket: 'bench', endpoint: s3.endpoint, forcePathStyle: true } };
  const run: BenchLake['run'] = (op, plan, overrides = {}) => op.run(plan as never, { ...ctx, ...overrides });
  await run(initCatalog, InitCatalogPlan.parse({ op: 'init-catalog', ...common } satisfies PlanInput));
  await run(applyTable, ApplyTablePlan.parse({ op: 'apply-table', ...common, table: BENCH_TABLE } satisfies PlanInput));
  const gen = await openDuckDB(':memory:');
  try {
    for (let batch = 0; batch < batches; batch += 1) {
      const local = join(dir, `batch-${batch}.parquet`);
      await gen.connection.run(`COPY (SELECT ${batch * rows} + i AS id, TIMESTAMP '2026-01-01' + INTERVAL (${batch}) DAY + INTERVAL ((i * 86399) // ${rows}) SECOND AS ts,
        ['EU','US','APAC','LATAM'][1 + (i % 4)::INTEGER] AS region, (i % 1000) / 10.0 AS amount FROM range(${rows}) t(i)) TO ${quoteString(local)} (FORMAT parquet)`);
      await store.putFile(`landing/events/batch-${batch}.parquet`, local);
      await run(ingest, IngestPlan.parse({ op: 'ingest', ...common, table: BENCH_TABLE, keys: [`landing/events/batch-${batch}.parquet`] } satisfies PlanInput));
    }
  } finally {
    await gen.close();
  }
  let queries = 0;
  return {
    dir, s3, ctx, common, run,
    async coldQuery(sql) {
      const started = performance.now();
      const out = await run(query, QueryPlan.parse({ op: 'query', ...common, sql } satisfies PlanInput), { cacheDir: join(dir, `query-cache-${queries++}`) });
      return { ms: performance.now() - started, preview: out.query?.preview ?? '' };
    },
    async close() {
      store.close();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function fileCount(lake: BenchLake): Promise<number> {
  const db = await openDuckDB(lake.common.catalog.path, { readOnly: true });
  try {
    const reader = await db.connection.runAndReadAll('SELECT count(*) FROM ducklake_data_file WHERE end_snapshot IS NULL');
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const batches = Number(process.env.BENCH_BATCHES ?? 50);
  const rows = Number(process.env.BENCH_ROWS ?? 20_000);
  const builtAt = performance.now();
  const lake = await buildBenchLake(batches, rows);
  try {
    console.log(`lake: ${batches} ingests of ${rows.toLocaleString('en-US')} rows, ${await fileCount(lake)} files, built in ${Math.round(performance.now() - builtAt)} ms`);
    const sql = 'SELECT region, count(*) AS n, round(sum(amount), 4) AS total FROM events GROUP BY region ORDER BY region';
    const before = await lake.coldQuery(sql);
    const started = performance.now();
    const outcome = await lake.run(compact, CompactPlan.parse({ op: 'compact', ...lake.common, table: { name: 'events' } } satisfies PlanInput));
    const compactMs = performance.now() - started;
    const after = await lake.coldQuery(sql);
    if (before.preview !== after.preview) throw new Error(`results differ after compaction:\n${before.preview}\n${after.preview}`);
    console.log(`compact: ${outcome.filesRemoved} files -> ${outcome.filesAdded} in ${Math.round(compactMs)} ms (${Math.round(outcome.rows / (compactMs / 1000)).toLocaleString('en-US')} rows/s), files now ${await fileCount(lake)}`);
    console.log(`cold aggregate query: ${Math.round(before.ms)} ms before, ${Math.round(after.ms)} ms after; results identical`);
    console.log(`compact query speed-up ${(before.ms / after.ms).toFixed(2)}`);
  } finally {
    await lake.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
