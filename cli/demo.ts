// cli/demo.ts: the README's first command. Runs the runner end to end on this machine:
// an embedded S3 server, a DuckLake catalog, a partitioned table filled from CSV, JSON and
// Parquet landing files, a query, and a time-travel query. Prints what it did.
// `--data-dir <dir>` puts its catalog, cache and S3 data there (default .featherman/demo).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { extname, join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import type { PlanInput } from '../api/plan.ts';
import type { LakeTableSpecInput } from '../api/table-spec.ts';
import { startEmbeddedS3 } from '../local/s3/embedded-s3.ts';
import { runRunnerProcess } from '../local/runner-process.ts';
import { quoteString } from '../runner/lake/sql.ts';
import { createS3ObjectStore } from '../runner/storage/s3-object-store.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { 'data-dir': { type: 'string', default: join(ROOT, '.featherman', 'demo') } } });
const WORK = resolve(values['data-dir']);

/** LANDING_FORMATS maps a landing sample's extension to its prefix and ingest format. */
const LANDING_FORMATS: Record<string, 'csv' | 'json' | 'parquet'> = { '.csv': 'csv', '.json': 'json', '.parquet': 'parquet' };

function step(text: string): void {
  console.log(`\n== ${text}`);
}

async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  await rm(WORK, { recursive: true, force: true });
  await mkdir(join(WORK, 'catalog'), { recursive: true });
  step('Starting the embedded S3 server');
  const s3 = await startEmbeddedS3({ dir: join(WORK, 's3'), buckets: ['lake'] });
  console.log(`S3 endpoint ${s3.endpoint}, bucket "lake", data on disk in ${join(WORK, 's3')}`);
  const env = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, LOG_LEVEL: 'warn' };
  const store = createS3ObjectStore({
    bucket: 'lake', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  const common = {
    catalog: { name: 'demo', path: join(WORK, 'catalog', 'demo.ducklake') },
    objectStore: { endpoint: s3.endpoint, bucket: 'lake', region: 'us-east-1', prefix: 'lake', forcePathStyle: true },
    cacheDir: join(WORK, 'cache'),
  };
  const table: LakeTableSpecInput = {
    name: 'sales',
    columns: [
      { name: 'id', type: 'BIGINT', nullable: false },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'amount', type: 'DECIMAL(10,2)' },
    ],
    format: { compression: 'ZSTD', partitioning: ['region', 'day(ts)'] },
  };
  const run = async (title: string, plan: PlanInput): Promise<number | undefined> => {
    const outcome = await runRunnerProcess(plan, { env });
    const result = outcome.result;
    if (outcome.exitCode !== 0 || !result?.ok) {
      console.error(outcome.stderr);
      throw new Error(`${title} failed: ${result?.error?.message ?? `exit code ${outcome.exitCode}`}`);
    }
    const parts = [`snapshot ${result.snapshotId ?? '-'}`];
    if (result.filesAdded) parts.push(`+${result.filesAdded} files`, `${result.bytesAdded} bytes`, `${result.rows} rows`);
    console.log(`${title}: ok (${parts.join(', ')}) in ${result.durationMs} ms`);
    if (result.query) console.log(`${result.query.rows} rows → ${result.query.outputLocation ?? '(no output)'}\n${result.query.preview}`);
    const details = result.details as { filesRead?: number; filesPruned?: number } | undefined;
    if (details?.filesRead !== undefined) console.log(`files read ${details.filesRead}, pruned ${details.filesPruned ?? 0}`);
    return result.snapshotId;
  };

  step('Creating the catalog and the partitioned table main.sales');
  await run('init-catalog', { op: 'init-catalog', ...common });
  await run('apply-table', { op: 'apply-table', ...common, table });

  step('Landing files: CSV, then JSON, then Parquet');
  const landing = join(ROOT, 'examples', 'landing', 'sales');
  for (const file of (await readdir(landing)).sort()) {
    const format = LANDING_FORMATS[extname(file)];
    if (!format) continue;
    await store.putBytes(`landing/sales/${format}/${file}`, await readFile(join(landing, file)));
    console.log(`uploaded s3://lake/landing/sales/${format}/${file}`);
  }
  const parquetFile = join(WORK, 'orders-2026-11-10.parquet');
  const duck = await DuckDBInstance.create(':memory:');
  const connection = await duck.connect();
  await connection.run(
    `COPY (SELECT 300 + i AS id, TIMESTAMP '2026-11-10 00:00:00' + INTERVAL (i) HOUR AS ts,
           ['EU','US','APAC'][1 + i % 3] AS region, round(10 + i * 1.5, 2) AS amount
           FROM range(1, 51) t(i)) TO ${quoteString(parquetFile)} (FORMAT parquet)`,
  );
  connection.closeSync();
  await store.putFile('landing/sales/parquet/orders-2026-11-10.parquet', parquetFile);
  console.log('uploaded s3://lake/landing/sales/parquet/orders-2026-11-10.parquet');

  step('Ingesting (each landing file exactly once)');
  const afterCsv = await run('ingest csv', { op: 'ingest', ...common, table: { ...table, ingest: { prefix: 'landing/sales/csv/', format: 'csv' } } });
  await run('ingest json', { op: 'ingest', ...common, table: { ...table, ingest: { prefix: 'landing/sales/json/', format: 'json' } } });
  await run('ingest csv again (nothing new)', { op: 'ingest', ...common, table: { ...table, ingest: { prefix: 'landing/sales/csv/', format: 'csv' } } });
  await run('ingest parquet', { op: 'ingest', ...common, table: { ...table, ingest: { prefix: 'landing/sales/parquet/', format: 'parquet' } } });

  step('Querying the latest snapshot');
  const sql = 'SELECT region, count(*) AS orders, sum(amount) AS revenue FROM sales GROUP BY region ORDER BY region';
  await run('query', { op: 'query', ...common, sql, output: { location: 's3://lake/results/by-region.parquet', format: 'parquet' } });
  step(`Time travel: the same query at snapshot ${afterCsv} (after the CSV ingest only)`);
  await run(`query at snapshot ${afterCsv}`, { op: 'query', ...common, sql, snapshot: { id: afterCsv ?? 0 } });
  step('A partition-pruned query');
  await run('query EU on 2026-11-10', {
    op: 'query', ...common,
    sql: "SELECT count(*) AS orders FROM sales WHERE region = 'EU' AND ts >= TIMESTAMP '2026-11-10' AND ts < TIMESTAMP '2026-11-11'",
  });
  await s3.close();
  console.log(`\nDone. The catalog is ${common.catalog.path}; the data is under ${join(WORK, 's3')}.`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
