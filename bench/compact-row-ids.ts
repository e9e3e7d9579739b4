/**
 * The row-lineage check of bench:compact: after compaction every merged row must carry,
 * in `_ducklake_internal_row_id`, the id it had before (ducklake-format.md §7.4).
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { listValue } from '@duckdb/node-api';
import { openDuckDB, queryRowsBig } from '../runner/lake/duckdb.ts';
import { mapLimit } from '../runner/lake/maintain/map-limit.ts';
import { quoteStringList } from '../runner/lake/sql.ts';
import { objectLocation } from '../runner/lake/write/file-plan.ts';
import type { BenchLake } from './compact.ts';

/**
 * assertRowIdsKept downloads the live (merged) files and checks that every row's
 * `_ducklake_internal_row_id` is the id it had before: row_id_start + position in its
 * generated file (side effects: local files, removed after). Returns the rows checked.
 */
export async function assertRowIdsKept(lake: BenchLake, inFlight: number): Promise<number> {
  const work = join(lake.dir, 'row-ids');
  await mkdir(work, { recursive: true });
  const catalog = await openDuckDB(lake.common.catalog.path, { readOnly: true });
  let paths: string[];
  try {
    paths = (await queryRowsBig(catalog.connection, 'SELECT path FROM ducklake_data_file WHERE end_snapshot IS NULL AND row_id_start IS NULL')).map((row) => String(row.path));
  } finally {
    await catalog.close();
  }
  const merged = await mapLimit(paths, inFlight, async (path, index) => lake.store.getToFile(objectLocation(lake.table.location, path).key, join(work, `${index}.parquet`)).then(() => join(work, `${index}.parquet`)));
  const db = await openDuckDB(':memory:');
  try {
    const starts = [...lake.rowIdStarts.entries()];
    await db.connection.run('CREATE TABLE starts AS SELECT unnest(?::VARCHAR[]) AS path, unnest(?::BIGINT[]) AS start', [
      listValue(starts.map(([path]) => path)), listValue(starts.map(([, start]) => BigInt(start))),
    ]);
    const sources = `SELECT id, s.start + file_row_number AS row_id FROM read_parquet(${quoteStringList(starts.map(([path]) => path))}, filename = true, file_row_number = true) f JOIN starts s ON s.path = f.filename`;
    const outputs = `SELECT id, _ducklake_internal_row_id AS row_id FROM read_parquet(${quoteStringList(merged)})`;
    const rows = await queryRowsBig(db.connection, `SELECT (SELECT count(*) FROM (${outputs})) AS n, (SELECT count(*) FROM (${sources})) AS expected,
      (SELECT count(*) FROM ((${sources}) EXCEPT ALL (${outputs}))) AS missing`);
    const { n, expected, missing } = rows[0] ?? {};
    if (Number(n) !== Number(expected) || Number(missing) !== 0) throw new Error(`row ids changed in compaction: ${String(n)} rows, ${String(expected)} expected, ${String(missing)} without their old id`);
    return Number(n);
  } finally {
    await db.close();
    await rm(work, { recursive: true, force: true });
  }
}
