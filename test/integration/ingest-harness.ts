/**
 * Shared set-up of the ingest integration tests: an embedded S3 server, a catalog made by
 * the init-catalog and apply-table operations, an OpContext, and readers for what the
 * ingest left in the catalog and the bucket.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { IngestPlan, ApplyTablePlan, InitCatalogPlan, type PlanInput } from '../../api/plan.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { readSnapshot } from '../../runner/lake/catalog/index.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import type { LakeTableSpecInput } from '../../api/table-spec.ts';
import { createLogger } from '../../runner/log.ts';
import { openDuckDB, queryRows, type SqlRow } from '../../runner/lake/duckdb.ts';
import { operation as applyTable } from '../../runner/ops/apply-table.ts';
import { operation as ingestOp } from '../../runner/ops/ingest.ts';
import { operation as initCatalog } from '../../runner/ops/init-catalog.ts';
import type { OpContext, OpOutcome } from '../../runner/ops/context.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';
import { spawnRunner } from '../support/runner.ts';
import { withEmbeddedS3, type TestS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

/** FIXTURES is the folder of landing fixture files. */
export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'landing');

/** LogLine is one captured pino line. */
export type LogLine = Record<string, unknown>;

/** IngestWorld is everything one test needs. */
export interface IngestWorld {
  s3: TestS3;
  dir: string;
  catalogPath: string;
  ctx: OpContext;
  logs: LogLine[];
  common: { catalog: { name: string; path: string }; objectStore: { bucket: string; endpoint: string; forcePathStyle: boolean; region: string }; cacheDir: string };
  applyTable(table: LakeTableSpecInput): Promise<OpOutcome>;
  ingest(table: LakeTableSpecInput, extra?: { keys?: string[] }): Promise<OpOutcome>;
  put(key: string, body: Uint8Array | string): Promise<void>;
  putFixture(key: string, name: string): Promise<void>;
  /** catalogRows runs a query on the catalog file (opened and closed around it). */
  catalogRows(sql: string, params?: unknown[]): Promise<SqlRow[]>;
  keys(prefix: string): Promise<string[]>;
}

/** startIngestWorld builds an S3 server, a catalog and a context (side effects cleaned after the test). */
export async function startIngestWorld(t: TestContext, options: { store?: (s3: TestS3) => ObjectStore | Promise<ObjectStore>; buckets?: string[] } = {}): Promise<IngestWorld> {
  const s3 = await withEmbeddedS3(t, options.buckets);
  const dir = await tempDir(t, 'fm-ingest-');
  const catalogPath = join(dir, 'catalog', 'lake.duckdb');
  const logs: LogLine[] = [];
  const destination = { write: (line: string) => { logs.push(JSON.parse(line) as LogLine); } };
  const log = createLogger({ test: 'ingest' }, destination);
  log.level = 'debug';
  const store = options.store ? await options.store(s3) : s3.store;
  const ctx: OpContext = {
    log, store, cacheDir: join(dir, 'cache'), now: () => new Date(),
    storeFor: (bucket) => (bucket === store.bucket ? store : s3.makeStore({ bucket })),
  };
  const common = {
    catalog: { name: 'lake', path: catalogPath },
    objectStore: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true, region: 'us-east-1' },
    cacheDir: ctx.cacheDir,
  };
  await initCatalog.run(InitCatalogPlan.parse({ op: 'init-catalog', ...common } satisfies PlanInput), ctx);
  const world: IngestWorld = {
    s3, dir, catalogPath, ctx, logs, common,
    applyTable: (table) => applyTable.run(ApplyTablePlan.parse({ op: 'apply-table', ...common, table } satisfies PlanInput), ctx),
    ingest: (table, extra = {}) => ingestOp.run(IngestPlan.parse({ op: 'ingest', ...common, table, ...extra } satisfies PlanInput), ctx),
    put: async (key, body) => { await s3.store.putBytes(key, body); },
    putFixture: async (key, name) => { await s3.store.putBytes(key, await readFile(join(FIXTURES, name))); },
    catalogRows: async (sql, params) => {
      const handle = await openDuckDB(catalogPath);
      try {
        return await queryRows(handle.connection, sql, params as never);
      } finally {
        await handle.close();
      }
    },
    keys: async (prefix) => {
      const out: string[] = [];
      for await (const info of s3.store.list(prefix)) out.push(info.key);
      return out.sort();
    },
  };
  return world;
}

/**
 * assertMismatchCommitsNothing awaits an ingest that must fail with FM_ERR_OBJECT_MISMATCH
 * for landing key `key`, then checks that no data file, ledger row or data object exists.
 */
export async function assertMismatchCommitsNothing(world: IngestWorld, ingest: Promise<unknown>, key: string): Promise<void> {
  await assert.rejects(ingest, (error: unknown) => {
    assert.ok(isFeathermanError(error));
    assert.equal(error.code, 'FM_ERR_OBJECT_MISMATCH');
    assert.ok(error.message.includes(`s3://lake/${key} has ETag `), error.message);
    assert.match(error.message, /has ETag \w+; expected \w+/);
    return true;
  });
  assert.deepEqual(await world.catalogRows('SELECT count(*)::INTEGER AS n FROM ducklake_data_file'), [{ n: 0 }]);
  assert.deepEqual(await world.catalogRows('SELECT * FROM featherman_ingested_object'), []);
  assert.deepEqual(await world.keys('main/'), [], 'no data object left behind');
}

/** withScratchDuckDB opens an in-memory DuckDB for checks, closed after the test. */
export async function withScratchDuckDB(t: TestContext): Promise<DuckDBConnection> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  t.after(() => {
    connection.closeSync();
    instance.closeSync();
  });
  return connection;
}

/** SALES is the partitioned table most tests use. */
export function salesTable(overrides: Partial<LakeTableSpecInput> = {}): LakeTableSpecInput {
  return {
    name: 'sales',
    columns: [
      { name: 'id', type: 'INTEGER', nullable: false },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
    ],
    format: { compression: 'ZSTD', partitioning: ['region', 'day(ts)', 'bucket(4, id)'] },
    ingest: { prefix: 'landing/sales/', format: 'csv' },
    ...overrides,
  };
}

/** LANDING_FILES and TOTAL describe the landing data setUp makes. */
export const LANDING_FILES = 3;
const ROWS_PER_FILE = 40_000;
export const TOTAL = LANDING_FILES * ROWS_PER_FILE;

/** CrashWorld is a catalog and landing files driven through runner child processes. */
export interface CrashWorld {
  s3: TestS3;
  plan(op: 'init-catalog' | 'apply-table' | 'ingest'): PlanInput;
  /** common is the catalog, object store and cache part of every plan. */
  common: { catalog: { name: string; path: string }; objectStore: { bucket: string; endpoint: string; forcePathStyle: boolean }; cacheDir: string };
  catalogPath: string;
}

/** CrashWorldOptions: rows per landing file (default 40,000; LANDING_FILES files) and the table's target file size. */
export interface CrashWorldOptions {
  rowsPerFile?: number;
  targetFileSizeMB?: number;
}

/** setUp builds landing files, a catalog and a table through runner processes (side effects cleaned after the test). */
export async function setUp(t: TestContext, options: CrashWorldOptions = {}): Promise<CrashWorld> {
  const s3 = await withEmbeddedS3(t);
  const dir = await tempDir(t, 'fm-ingest-crash-');
  const duck = await withScratchDuckDB(t);
  const rowsPerFile = options.rowsPerFile ?? ROWS_PER_FILE;
  for (let i = 0; i < LANDING_FILES; i += 1) {
    const path = join(dir, `landing-${i}.csv`);
    await duck.run(`COPY (SELECT ${i * rowsPerFile} + r AS id, TIMESTAMP '2026-01-01' + INTERVAL (r) MINUTE AS ts, md5(r::VARCHAR) AS region, random() AS amount
      FROM range(${rowsPerFile}) t(r)) TO ${quoteString(path)} (FORMAT csv, HEADER true)`);
    await s3.store.putFile(`landing/crash/part-${i}.csv`, path);
  }
  const catalogPath = join(dir, 'catalog', 'lake.duckdb');
  const table = {
    name: 'events',
    columns: [{ name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' }, { name: 'amount', type: 'DOUBLE' }],
    format: { targetFileSizeMB: options.targetFileSizeMB ?? 1 },
    ingest: { prefix: 'landing/crash/', format: 'csv' as const },
  };
  const common = {
    catalog: { name: 'lake', path: catalogPath },
    objectStore: { bucket: s3.bucket, endpoint: s3.endpoint, forcePathStyle: true },
    cacheDir: join(dir, 'cache'),
  };
  const world: CrashWorld = {
    s3, catalogPath, common,
    plan: (op) => (op === 'init-catalog' ? { op, ...common } : { op, ...common, table }),
  };
  for (const op of ['init-catalog', 'apply-table'] as const) {
    const run = await spawnRunner(world.plan(op), { env: s3.env });
    assert.equal(run.exitCode, 0, run.stderr);
  }
  return world;
}

/** CatalogView is what inspect reads. */
export interface CatalogView {
  snapshotId: number;
  rows: number;
  paths: string[];
  ledger: string[];
}

/** inspect reads what the catalog holds: latest snapshot, visible rows and paths, ledger keys. */
export async function inspect(world: CrashWorld): Promise<CatalogView> {
  const handle = await openDuckDB(world.catalogPath);
  try {
    const snapshot = await readSnapshot(handle.connection);
    const files = await queryRows(handle.connection, 'SELECT path, record_count FROM ducklake_data_file WHERE end_snapshot IS NULL');
    const hasLedger = (await queryRows(handle.connection, "SELECT 1 FROM information_schema.tables WHERE table_name = 'featherman_ingested_object'")).length > 0;
    const ledger = hasLedger ? await queryRows(handle.connection, 'SELECT object_key FROM featherman_ingested_object ORDER BY object_key') : [];
    return {
      snapshotId: snapshot?.snapshotId ?? -1,
      rows: files.reduce((sum, file) => sum + Number(file.record_count), 0),
      paths: files.map((file) => String(file.path)),
      ledger: ledger.map((row) => String(row.object_key)),
    };
  } finally {
    await handle.close();
  }
}
