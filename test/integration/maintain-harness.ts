/**
 * Shared set-up of the maintenance tests: the ingest world (embedded S3, a catalog made by
 * init-catalog and apply-table, real ingest), plan builders for the maintenance ops, and an
 * independent reader of a table's rows at a snapshot (catalog rows → objects → DuckDB with
 * positional deletes applied) so the tests check the ops against what a reader sees.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Plan, type PlanInput } from '../../api/plan.ts';
import { openDuckDB, queryRows, type SqlRow } from '../../runner/lake/duckdb.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import { readTable } from '../../runner/lake/catalog/index.ts';
import type { OpContext, OpOutcome, Operation } from '../../runner/ops/context.ts';
import { startIngestWorld, withScratchDuckDB, type IngestWorld } from './ingest-harness.ts';

/** MaintainWorld is the ingest world plus maintenance helpers. */
export interface MaintainWorld extends IngestWorld {
  /** runOp validates a plan (common fields added) and runs the op module `runner/ops/<op>.ts`. */
  runOp(input: Record<string, unknown> & { op: string }, ctx?: Partial<OpContext>): Promise<OpOutcome>;
  /** rowsAt reads the table's rows at a snapshot (default latest), sorted by `orderBy`. */
  rowsAt(table: string, snapshotId?: number, orderBy?: string): Promise<SqlRow[]>;
  /** latestSnapshot reads the newest snapshot id. */
  latestSnapshot(): Promise<number>;
  /** ingestCsv puts a CSV under the table's landing prefix and ingests it. */
  ingestCsv(table: Parameters<IngestWorld['ingest']>[0], name: string, csv: string): Promise<OpOutcome>;
}

/** startMaintainWorld builds the ingest world and the helpers (side effects cleaned after the test). */
export async function startMaintainWorld(t: TestContext): Promise<MaintainWorld> {
  const world = await startIngestWorld(t);
  const scratch = await withScratchDuckDB(t);
  const world2 = world as MaintainWorld;
  world2.runOp = async (input, ctxOverrides = {}) => {
    const plan = Plan.parse({ ...world.common, ...input } as PlanInput);
    const module = (await import(`../../runner/ops/${plan.op}.ts`)) as { operation: Operation<typeof plan> };
    return module.operation.run(plan, { ...world.ctx, ...ctxOverrides });
  };
  world2.latestSnapshot = async () => {
    const rows = await world.catalogRows('SELECT max(snapshot_id) AS s FROM ducklake_snapshot');
    return Number(rows[0]?.s);
  };
  world2.ingestCsv = async (table, name, csv) => {
    const prefix = table.ingest?.prefix ?? 'landing/';
    await world.put(`${prefix}${name}`, csv);
    return world.ingest(table, { keys: [`${prefix}${name}`] });
  };
  world2.rowsAt = async (tableName, snapshotId, orderBy = 'id') => {
    const handle = await openDuckDB(world.catalogPath, { readOnly: true });
    let files: SqlRow[];
    let location: string;
    try {
      const snapshot = snapshotId ?? Number((await queryRows(handle.connection, 'SELECT max(snapshot_id) AS s FROM ducklake_snapshot'))[0]?.s);
      const table = await readTable(handle.connection, 'main', tableName, snapshot);
      if (!table) return [];
      location = table.location;
      files = await queryRows(handle.connection, `
        SELECT d.data_file_id, d.path, del.path AS del_path FROM ducklake_data_file d
        LEFT JOIN (SELECT * FROM ducklake_delete_file WHERE $s >= begin_snapshot AND (end_snapshot IS NULL OR $s < end_snapshot)) del USING (data_file_id)
        WHERE d.table_id = $t AND $s >= d.begin_snapshot AND (d.end_snapshot IS NULL OR $s < d.end_snapshot)
        ORDER BY d.data_file_id`, { s: snapshot, t: table.tableId });
    } finally {
      await handle.close();
    }
    if (files.length === 0) return [];
    const local = join(world.dir, `read-${randomUUID()}`);
    await mkdir(local, { recursive: true });
    const keyOf = (path: string) => `${location}${path}`.replace(/^s3:\/\/[^/]+\//, '');
    const parts: string[] = [];
    for (const [index, file] of files.entries()) {
      const dataPath = join(local, `${index}.parquet`);
      await world.s3.store.getToFile(keyOf(String(file.path)), dataPath);
      if (file.del_path === null) {
        parts.push(`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteString(dataPath)}, file_row_number = true)`);
      } else {
        const deletePath = join(local, `${index}-delete.parquet`);
        await world.s3.store.getToFile(keyOf(String(file.del_path)), deletePath);
        parts.push(`SELECT * EXCLUDE (file_row_number) FROM read_parquet(${quoteString(dataPath)}, file_row_number = true)
          WHERE file_row_number NOT IN (SELECT pos FROM read_parquet(${quoteString(deletePath)}))`);
      }
    }
    // Hidden data-file columns (format §7.3: _ducklake_internal_row_id/_snapshot_id) are no user columns.
    return queryRows(scratch, `SELECT COLUMNS(c -> NOT starts_with(c, '_ducklake_internal_')) FROM (${parts.join(' UNION ALL BY NAME ')}) ORDER BY ${orderBy}`);
  };
  return world2;
}

/** eventsTable is a table partitioned by region with a timestamp column (ttl and compaction tests). */
export function eventsTable(overrides: Record<string, unknown> = {}): Parameters<IngestWorld['ingest']>[0] {
  return {
    name: 'events',
    columns: [
      { name: 'id', type: 'INTEGER', nullable: false },
      { name: 'ts', type: 'TIMESTAMP' },
      { name: 'region', type: 'VARCHAR' },
      { name: 'amount', type: 'DOUBLE' },
    ],
    format: { compression: 'ZSTD', partitioning: ['region'] },
    ingest: { prefix: 'landing/events/', format: 'csv' },
    ...overrides,
  };
}

/** csvRows renders rows (id, ts, region, amount) as a CSV with a header (pure). */
export function csvRows(rows: ReadonlyArray<readonly [number, string, string, number]>): string {
  return ['id,ts,region,amount', ...rows.map((row) => row.join(','))].join('\n') + '\n';
}
