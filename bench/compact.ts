/**
 * bench:compact — compaction of BENCH_FILES small files (default 10,000, BENCH_ROWS_PER_FILE
 * rows each, default 100) of a table partitioned by region into target-size files, next to
 * a bare DuckDB baseline on the same files in the same run.
 *
 * Setup (timed apart): the files are generated locally by one DuckDB COPY … PARTITION_BY,
 * uploaded to the embedded S3 server with concurrency and registered in the catalog with
 * SQL in one commit. Then:
 * - ours: the `compact` operation, end to end: catalog reads, plan, download of every
 *   source from S3, merge (field-id mapping, delete files), stats, upload of the outputs,
 *   one catalog commit;
 * - baseline: the same S3 transfers done bare (GET every source with the same concurrency,
 *   PUT the outputs) plus, per partition, DuckDB `COPY (SELECT * FROM read_parquet([...]))
 *   TO … (FORMAT parquet, COMPRESSION zstd)` over the same local files.
 * BENCH_ROUNDS rounds (default 2) alternate baseline and ours (the catalog file is put back
 * before each repeat); the fastest run of each side counts.
 * The compacted table's aggregate is checked against the same aggregate over the local files,
 * and every merged row's `_ducklake_internal_row_id` against its id before the merge.
 * Last line: `compact ratio <x>` = ours / baseline (target ≤ 1.2).
 * `buildSmallFileLake` is shared with bench/expire.ts.
 */
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ApplyTablePlan, CompactPlan, InitCatalogPlan, QueryPlan, type PlanInput } from '../api/plan.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/s3/embedded-s3.ts';
import { commitSnapshot, openCatalog, readSnapshot, readTable, uuidV7, type CatalogTable } from '../runner/lake/catalog/index.ts';
import { openDuckDB, queryRowsBig } from '../runner/lake/duckdb.ts';
import { mapLimit } from '../runner/lake/maintain/map-limit.ts';
import { quoteString } from '../runner/lake/sql.ts';
import { insertDataFiles } from '../runner/lake/write/commit-files.ts';
import { objectLocation } from '../runner/lake/write/file-plan.ts';
import type { WrittenFile } from '../runner/lake/write/parquet-writer.ts';
import { buildFileColumnStats, mapEntries, toRawStats } from '../runner/lake/write/stats-text.ts';
import { buildColumnTree, leafColumns } from '../runner/lake/write/table-columns.ts';
import { createLogger } from '../runner/log.ts';
import { operation as applyTable } from '../runner/ops/apply-table.ts';
import { operation as compact } from '../runner/ops/compact.ts';
import type { OpContext, OpOutcome } from '../runner/ops/context.ts';
import { operation as initCatalog } from '../runner/ops/init-catalog.ts';
import { operation as query } from '../runner/ops/query.ts';
import { assertRowIdsKept } from './compact-row-ids.ts';
import { createS3ObjectStore } from '../runner/storage/s3-object-store.ts';
import type { ObjectStore } from '../runner/storage/object-store.ts';

/** BENCH_TABLE is the table both benchmarks fill: partitioned by region, aged by ts. */
export const BENCH_TABLE = {
  name: 'events',
  columns: [{ name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }],
  format: { partitioning: ['region'] },
};

/** REGIONS are the partition values; file f holds region REGIONS[f % 4]. */
export const REGIONS = ['EU', 'US', 'APAC', 'LATAM'] as const;

/** TRANSFERS_IN_FLIGHT is the upload/download concurrency of the setup and the baseline. */
export const TRANSFERS_IN_FLIGHT = 32;

/** BenchLake is a filled lake: the S3 server, the context, the common plan fields and a cleanup. */
export interface BenchLake {
  dir: string;
  s3: EmbeddedS3;
  store: ObjectStore;
  ctx: OpContext;
  table: CatalogTable;
  /** The generated local files by region (the same bytes as the uploaded objects). */
  localByRegion: Map<string, string[]>;
  /** The object keys of the data files. */
  keys: string[];
  /** The row_id_start each generated local file was registered with. */
  rowIdStarts: Map<string, number>;
  common: { catalog: { name: string; path: string }; objectStore: { bucket: string; endpoint: string; forcePathStyle: boolean } };
  timings: { generateMs: number; uploadMs: number; registerMs: number };
  run(op: { run(plan: never, ctx: OpContext): Promise<OpOutcome> }, plan: unknown, ctx?: Partial<OpContext>): Promise<OpOutcome>;
  coldQuery(sql: string): Promise<{ ms: number; preview: string; details: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** SmallFileOptions: how many files, rows per file, and how many files share one day of `ts` (file f is dated day ⌊f / filesPerDay⌋ after 2026-01-01). */
export interface SmallFileOptions {
  files: number;
  rowsPerFile: number;
  filesPerDay: number;
}

/**
 * buildSmallFileLake starts an embedded S3 server, creates the catalog and BENCH_TABLE,
 * generates `files` Parquet files with DuckDB (field ids = column ids), uploads them and
 * registers them in one commit (side effects: temp folder, socket).
 */
export async function buildSmallFileLake(options: SmallFileOptions): Promise<BenchLake> {
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
  const catalog = await openCatalog(common.catalog.path, { log });
  let table: CatalogTable | null = null;
  const timings = { generateMs: 0, uploadMs: 0, registerMs: 0 };
  const localByRegion = new Map<string, string[]>(REGIONS.map((region) => [region, []]));
  const keys: string[] = [];
  const rowIdStarts = new Map<string, number>();
  try {
    const latest = await readSnapshot(catalog.connection);
    table = (latest ? await readTable(catalog.connection, 'main', BENCH_TABLE.name, latest.snapshotId) : null) ?? null;
    if (!table?.partition) throw new Error('bench table was not created partitioned');
    const ids = new Map(table.columns.map((column) => [column.name, column.columnId]));
    const fieldIds = `{${['id', 'ts', 'region', 'amount'].map((name) => `${name}: ${String(ids.get(name))}`).join(', ')}}`;
    const { files, rowsPerFile, filesPerDay } = options;
    let started = performance.now();
    const gen = await openDuckDB(':memory:');
    let copied;
    try {
      copied = await queryRowsBig(gen.connection, `COPY (
        SELECT i // ${rowsPerFile} AS f, i AS id,
          TIMESTAMP '2026-01-01' + INTERVAL (i // ${rowsPerFile} // ${filesPerDay}) DAY + INTERVAL ((i % ${rowsPerFile}) * (86399 // ${rowsPerFile})) SECOND AS ts,
          ['EU', 'US', 'APAC', 'LATAM'][1 + ((i // ${rowsPerFile}) % 4)::INTEGER] AS region, (i % 1000) / 10.0 AS amount
        FROM range(${files * rowsPerFile}) t(i))
        TO ${quoteString(join(dir, 'generated'))} (FORMAT parquet, PARTITION_BY (f), FIELD_IDS ${fieldIds}, RETURN_STATS)`);
    } finally {
      await gen.close();
    }
    timings.generateMs = performance.now() - started;
    const leaves = leafColumns(buildColumnTree(table.columns));
    const byRegion = new Map<string, WrittenFile[]>(REGIONS.map((region) => [region, []]));
    const uploads: Array<{ key: string; localPath: string }> = [];
    const location = table.location;
    for (const row of copied) {
      const f = Number(mapEntries(row.partition_keys).find(([key]) => key === 'f')?.[1]);
      const region = REGIONS[f % 4] ?? 'EU';
      const relativePath = `region=${region}/ducklake-${uuidV7()}.parquet`;
      const rowCount = Number(row.count);
      const localPath = String(row.filename);
      byRegion.get(region)?.push({
        localPath, relativePath, rowCount, sizeBytes: Number(row.file_size_bytes), footerSize: Number(row.footer_size_bytes),
        columnStats: buildFileColumnStats(leaves, toRawStats(row.column_statistics), rowCount), partitionValues: [region],
      });
      localByRegion.get(region)?.push(localPath);
      const key = objectLocation(location, relativePath).key;
      uploads.push({ key, localPath });
      keys.push(key);
    }
    started = performance.now();
    await mapLimit(uploads, TRANSFERS_IN_FLIGHT, (each) => store.putFile(each.key, each.localPath));
    timings.uploadMs = performance.now() - started;
    started = performance.now();
    const tableId = table.tableId;
    const partitionId = table.partition.partitionId;
    await commitSnapshot(catalog.connection, { author: 'bench', message: `register ${files} small files`, now: new Date() }, async (tx) => {
      for (const written of byRegion.values()) {
        const planned = await insertDataFiles(tx, { tableId, partitionId, files: written, leaves });
        planned.forEach((file, index) => rowIdStarts.set(written[index]?.localPath ?? '', file.rowIdStart));
      }
      tx.addChange('inserted_into_table', tableId);
    });
    timings.registerMs = performance.now() - started;
  } finally {
    await catalog.close();
  }
  let queries = 0;
  return {
    dir, s3, store, ctx, table, localByRegion, keys, rowIdStarts, common, timings, run,
    async coldQuery(sql) {
      const started = performance.now();
      const out = await run(query, QueryPlan.parse({ op: 'query', ...common, sql } satisfies PlanInput), { cacheDir: join(dir, `query-cache-${queries++}`) });
      return { ms: performance.now() - started, preview: out.query?.preview ?? '', details: out.details ?? {} };
    },
    async close() {
      store.close();
      await s3.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** liveFileCount counts the data files of the latest snapshot (reads the catalog). */
export async function liveFileCount(lake: BenchLake): Promise<number> {
  const db = await openDuckDB(lake.common.catalog.path, { readOnly: true });
  try {
    const reader = await db.connection.runAndReadAll('SELECT count(*) FROM ducklake_data_file WHERE end_snapshot IS NULL');
    return Number(reader.getRows()[0]?.[0]);
  } finally {
    await db.close();
  }
}

/** bareBaseline GETs every source object, COPYs each region's local files into one zstd file and PUTs the outputs; returns the times. */
async function bareBaseline(lake: BenchLake): Promise<{ transferMs: number; copyMs: number; outputs: number }> {
  const work = join(lake.dir, 'baseline');
  await mkdir(work, { recursive: true });
  let started = performance.now();
  await mapLimit(lake.keys, TRANSFERS_IN_FLIGHT, (key, index) => lake.store.getToFile(key, join(work, `in-${index}.parquet`)));
  let transferMs = performance.now() - started;
  const db = await openDuckDB(':memory:');
  const outputs: Array<{ key: string; localPath: string }> = [];
  started = performance.now();
  try {
    for (const [region, paths] of lake.localByRegion) {
      const out = join(work, `out-${region}.parquet`);
      await db.connection.run(`COPY (SELECT * FROM read_parquet([${paths.map(quoteString).join(', ')}])) TO ${quoteString(out)} (FORMAT parquet, COMPRESSION zstd)`);
      outputs.push({ key: `baseline/${region}.parquet`, localPath: out });
    }
  } finally {
    await db.close();
  }
  const copyMs = performance.now() - started;
  started = performance.now();
  await mapLimit(outputs, TRANSFERS_IN_FLIGHT, (each) => lake.store.putFile(each.key, each.localPath));
  transferMs += performance.now() - started;
  await Promise.all(outputs.map(async (each) => stat(each.localPath)));
  await rm(work, { recursive: true, force: true });
  return { transferMs, copyMs, outputs: outputs.length };
}

/** timedStore wraps a store and measures the wall time during which at least one GET or PUT is in flight. */
function timedStore(store: ObjectStore): { store: ObjectStore; transferMs: () => number } {
  let inFlight = 0;
  let since = 0;
  let total = 0;
  const timed = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    if (inFlight++ === 0) since = performance.now();
    try {
      return await fn(...args);
    } finally {
      if (--inFlight === 0) total += performance.now() - since;
    }
  };
  return { store: { ...store, getToFile: timed(store.getToFile), putFile: timed(store.putFile) }, transferMs: () => total };
}

/** expectedAggregate computes the benchmark query's answer straight from the generated local files. */
async function expectedAggregate(lake: BenchLake): Promise<string> {
  const db = await openDuckDB(':memory:');
  try {
    const paths = [...lake.localByRegion.values()].flat();
    const rows = await queryRowsBig(db.connection, `SELECT region, count(*)::VARCHAR AS n, round(sum(amount), 4) AS total FROM read_parquet([${paths.map(quoteString).join(', ')}]) GROUP BY region ORDER BY region`);
    return rows.map((row) => JSON.stringify({ region: row.region, n: row.n, total: Number(row.total) })).join('\n');
  } finally {
    await db.close();
  }
}

async function main(): Promise<void> {
  const files = Number(process.env.BENCH_FILES ?? 10_000);
  const rowsPerFile = Number(process.env.BENCH_ROWS_PER_FILE ?? 100);
  const lake = await buildSmallFileLake({ files, rowsPerFile, filesPerDay: 100 });
  try {
    const { generateMs, uploadMs, registerMs } = lake.timings;
    console.log(`setup: ${files.toLocaleString('en-US')} files of ${rowsPerFile} rows (${await liveFileCount(lake)} live), generated in ${Math.round(generateMs)} ms, uploaded in ${Math.round(uploadMs)} ms (${TRANSFERS_IN_FLIGHT} in flight), registered in one commit in ${Math.round(registerMs)} ms`);
    // Rounds alternate baseline and ours (the catalog file is put back before each repeat
    // of ours); the fastest run of each side counts, so load swings favour neither side.
    const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 2));
    const pristine = join(lake.dir, 'catalog-before-compact.duckdb');
    await copyFile(lake.common.catalog.path, pristine);
    const baselines: Array<Awaited<ReturnType<typeof bareBaseline>>> = [];
    const ours: Array<{ ms: number; transferMs: number; outcome: OpOutcome }> = [];
    for (let round = 0; round < rounds; round += 1) {
      baselines.push(await bareBaseline(lake));
      await copyFile(pristine, lake.common.catalog.path);
      const timed = timedStore(lake.store);
      const started = performance.now();
      const outcome = await lake.run(compact, CompactPlan.parse({ op: 'compact', ...lake.common, table: { name: 'events' } } satisfies PlanInput), { store: timed.store, storeFor: () => timed.store });
      ours.push({ ms: performance.now() - started, transferMs: timed.transferMs(), outcome });
    }
    const baseline = baselines.reduce((best, each) => (each.transferMs + each.copyMs < best.transferMs + best.copyMs ? each : best));
    const baselineMs = baseline.transferMs + baseline.copyMs;
    const best = ours.reduce((fastest, each) => (each.ms < fastest.ms ? each : fastest));
    const { outcome } = best;
    const compactMs = best.ms;
    const transferMs = best.transferMs;
    const sql = 'SELECT region, count(*) AS n, round(sum(amount), 4) AS total FROM events GROUP BY region ORDER BY region';
    const after = await lake.coldQuery(sql);
    const expected = await expectedAggregate(lake);
    const got = after.preview.split('\n').map((line) => JSON.stringify(JSON.parse(line) as unknown)).join('\n');
    if (got !== expected) throw new Error(`results differ after compaction:\n${expected}\n${got}`);
    console.log(`ours (the compact op end to end: catalog reads, plan, ${outcome.filesRemoved} S3 GETs, merge by field id, stats, ${outcome.filesAdded} S3 PUTs, one commit): ${outcome.filesRemoved} files -> ${outcome.filesAdded} in ${Math.round(compactMs)} ms, ${Math.round(outcome.filesRemoved / (compactMs / 1000)).toLocaleString('en-US')} files/s, ${Math.round(outcome.rows / (compactMs / 1000)).toLocaleString('en-US')} rows/s; S3 transfers in flight ${Math.round(transferMs)} ms, the rest ${Math.round(compactMs - transferMs)} ms; live files now ${await liveFileCount(lake)} (runs: ${ours.map((each) => Math.round(each.ms)).join(', ')} ms)`);
    console.log(`baseline (bare, same run, the fastest of the rounds: the same ${files.toLocaleString('en-US')} S3 GETs and ${baseline.outputs} PUTs with ${TRANSFERS_IN_FLIGHT} in flight ${Math.round(baseline.transferMs)} ms + DuckDB COPY (SELECT * FROM read_parquet([...])) TO … (FORMAT parquet, COMPRESSION zstd) per region over the local files ${Math.round(baseline.copyMs)} ms): ${Math.round(baselineMs)} ms, ${Math.round(files / (baselineMs / 1000)).toLocaleString('en-US')} files/s (runs: ${baselines.map((each) => Math.round(each.transferMs + each.copyMs)).join(', ')} ms)`);
    const checked = await assertRowIdsKept(lake, TRANSFERS_IN_FLIGHT);
    console.log(`row ids: all ${checked.toLocaleString('en-US')} rows of the merged files carry the id they had before (row_id_start + position in their source file)`);
    console.log(`cold aggregate query after compaction: ${Math.round(after.ms)} ms, ${String(after.details.filesRead)} files read; result equals the aggregate over the generated files`);
    console.log(`compact ratio ${(compactMs / baselineMs).toFixed(2)}`);
  } finally {
    await lake.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
