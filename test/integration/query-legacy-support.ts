/**
 * Builds DuckLake catalogs in the older format versions exactly as ducklake-format.md §12
 * describes them, for the legacy read and write-refusal tests. Starting from the 1.0 DDL:
 * - 0.4: the 28 tables, but (the "may or may not" case) without column.default_value_type /
 *   default_value_dialect, delete_file.partial_max and schema_versions.table_id;
 * - 0.3: 22 tables (no macro, macro_impl, macro_parameters, sort_info, sort_expression,
 *   file_variant_stats), data_file.partial_file_info VARCHAR (`partial_max:<n>`) instead of
 *   partial_max, and a global schema_versions(begin_snapshot, schema_version);
 * - 0.2: as 0.3 without schema_versions, the stats table still named
 *   ducklake_file_column_statistics, no extra_stats, no name_mapping.is_partition, no commit
 *   author/message/extra columns, no partial file info.
 * The lake: table `sales` (id, ts, region, amount) partitioned by region with three data
 * files on S3 (snapshots 2 and 3), a delete file (snapshot 4, id 5), two inlined rows
 * (snapshot 5) of which one is ended (snapshot 6); for 0.3/0.4 also table `merged` whose one
 * file holds rows of snapshots 8 and 9 (partial max 9).
 */
import { join } from 'node:path';
import type { DuckDBValue } from '@duckdb/node-api';
import { CATALOG_TABLES } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows } from '../../runner/lake/duckdb.ts';
import { quoteString } from '../../runner/lake/sql.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';

/** LegacyVersion is an older format version the tests build. */
export type LegacyVersion = '0.2' | '0.3' | '0.4';

const ADDED_IN_04 = ['ducklake_macro', 'ducklake_macro_impl', 'ducklake_macro_parameters', 'ducklake_sort_info', 'ducklake_sort_expression', 'ducklake_file_variant_stats'];

/** legacyTables renders the version's tables as name → [column, type][] (pure). */
export function legacyTables(version: LegacyVersion): Map<string, Array<[string, string]>> {
  const out = new Map<string, Array<[string, string]>>();
  for (const table of CATALOG_TABLES) {
    if (version !== '0.4' && ADDED_IN_04.includes(table.name)) continue;
    if (version === '0.2' && table.name === 'ducklake_schema_versions') continue;
    let columns = table.columns.map(([name, type]) => [name, type] as [string, string]);
    const drop = (names: string[]) => (columns = columns.filter(([name]) => !names.includes(name)));
    if (table.name === 'ducklake_column') drop(['default_value_type', 'default_value_dialect']);
    if (table.name === 'ducklake_delete_file') drop(['partial_max']);
    if (table.name === 'ducklake_schema_versions') drop(['table_id']);
    if (table.name === 'ducklake_data_file' && version === '0.3') columns = columns.map(([name, type]) => (name === 'partial_max' ? ['partial_file_info', 'VARCHAR'] : [name, type]));
    if (version === '0.2') {
      if (table.name === 'ducklake_data_file') drop(['partial_max']);
      if (table.name === 'ducklake_name_mapping') drop(['is_partition']);
      if (table.name === 'ducklake_snapshot_changes') drop(['author', 'commit_message', 'commit_extra_info']);
      if (table.name === 'ducklake_file_column_stats' || table.name === 'ducklake_table_column_stats') drop(['extra_stats']);
    }
    const name = version === '0.2' && table.name === 'ducklake_file_column_stats' ? 'ducklake_file_column_statistics' : table.name;
    out.set(name, columns);
  }
  return out;
}

/** LegacyLake says where the built catalog is and what it holds. */
export interface LegacyLake {
  catalogPath: string;
  dataPath: string;
  /** Object keys of the data and delete files. */
  keys: string[];
  tableCount: number;
}

/**
 * buildLegacyCatalog writes a catalog of `version` at `catalogPath` with its data under
 * s3://<bucket>/<prefix>/ (side effects: the catalog file, local Parquet files in workDir,
 * objects uploaded through `store`).
 */
export async function buildLegacyCatalog(version: LegacyVersion, catalogPath: string, workDir: string, store: ObjectStore, prefix: string): Promise<LegacyLake> {
  const dataPath = `s3://${store.bucket}/${prefix}/`;
  const tables = legacyTables(version);
  const db = await openDuckDB(catalogPath);
  const c = db.connection;
  const keys: string[] = [];
  let tableCount = 1;
  const insert = async (table: string, row: Record<string, DuckDBValue>) => {
    const known = tables.get(table);
    if (!known) throw new Error(`${table} does not exist in format ${version}`);
    const names = known.map(([name]) => name).filter((name) => name in row);
    await c.run(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, names.map((name) => row[name] ?? null));
  };
  const snap = async (id: number, schemaVersion: number, nextCatalogId: number, nextFileId: number, changes: string) => {
    await c.run("INSERT INTO ducklake_snapshot VALUES (?, TIMESTAMPTZ '2025-10-01 10:00:00+00' + to_minutes(?), ?, ?, ?)", [id, id, schemaVersion, nextCatalogId, nextFileId]);
    await insert('ducklake_snapshot_changes', { snapshot_id: id, changes_made: changes });
  };
  const upload = async (local: string, key: string) => {
    await store.putFile(key, local);
    keys.push(key);
    const meta = await queryRows(c, `SELECT file_size_bytes, footer_size FROM parquet_file_metadata(${quoteString(local)})`);
    return { size: Number(meta[0]?.file_size_bytes), footer: Number(meta[0]?.footer_size ?? 0) };
  };
  try {
    for (const [name, columns] of tables) await c.run(`CREATE TABLE ${name}(${columns.map(([column, type]) => `${column} ${type}`).join(', ')})`);
    for (const [key, value] of [['version', version], ['created_by', 'DuckDB legacy'], ['data_path', dataPath], ['encrypted', 'false']]) {
      await insert('ducklake_metadata', { key: key ?? '', value: value ?? '', scope: null, scope_id: null });
    }
    await snap(0, 0, 1, 0, 'created_schema:"main"');
    await insert('ducklake_schema', { schema_id: 0, schema_uuid: '6c1a52a4-9d37-4c7e-9b0a-1f2a3b4c5d6e', begin_snapshot: 0, schema_name: 'main', path: 'main/', path_is_relative: true });
    await snap(1, 1, 3, 0, 'created_table:"main"."sales"');
    await insert('ducklake_table', { table_id: 1, table_uuid: '0199a1b2-0000-7000-8000-0000000000a1', begin_snapshot: 1, schema_id: 0, table_name: 'sales', path: 'sales/', path_is_relative: true });
    const cols: Array<[number, string, string]> = [[1, 'id', 'int32'], [2, 'ts', 'timestamp'], [3, 'region', 'varchar'], [4, 'amount', 'float64']];
    for (const [id, name, type] of cols) {
      await insert('ducklake_column', { column_id: id, begin_snapshot: 1, table_id: 1, column_order: id, column_name: name, column_type: type, nulls_allowed: true, default_value_type: 'literal', default_value_dialect: 'duckdb' });
    }
    await insert('ducklake_partition_info', { partition_id: 2, table_id: 1, begin_snapshot: 1 });
    await insert('ducklake_partition_column', { partition_id: 2, table_id: 1, partition_key_index: 0, column_id: 3, transform: 'identity' });
    if (tables.has('ducklake_schema_versions')) await insert('ducklake_schema_versions', { begin_snapshot: 1, schema_version: 1, table_id: 1 });
    const stats = version === '0.2' ? 'ducklake_file_column_statistics' : 'ducklake_file_column_stats';
    const files: Array<[number, number, string, number[]]> = [[2, 0, 'EU', [1, 2]], [2, 1, 'US', [3]], [3, 2, 'EU', [4, 5, 6]]];
    let rowId = 0;
    for (const [s, fileId, region, ids] of files) {
      if (fileId !== 1) await snap(s, 1, 3, fileId + (s === 2 ? 2 : 1), 'inserted_into_table:1');
      const relative = `region=${region}/ducklake-0199a1b2-0000-7000-8000-00000000000${fileId}.parquet`;
      const local = join(workDir, `${version}-${fileId}.parquet`);
      await c.run(`COPY (SELECT id::INTEGER AS id, TIMESTAMP '2025-01-01' + to_days(id::INTEGER) AS ts, ${quoteString(region)} AS region, id * 10.5 AS amount FROM unnest([${ids.join(', ')}]) t(id))
        TO ${quoteString(local)} (FORMAT parquet, COMPRESSION snappy, FIELD_IDS {id: 1, ts: 2, region: 3, amount: 4})`);
      const { size, footer } = await upload(local, `${prefix}/main/sales/${relative}`);
      await insert('ducklake_data_file', {
        data_file_id: fileId, table_id: 1, begin_snapshot: s, path: relative, path_is_relative: true, file_format: 'parquet',
        record_count: ids.length, file_size_bytes: size, footer_size: footer, row_id_start: rowId, partition_id: 2,
      });
      rowId += ids.length;
      await insert('ducklake_file_partition_value', { data_file_id: fileId, table_id: 1, partition_key_index: 0, partition_value: region });
      await insert(stats, { data_file_id: fileId, table_id: 1, column_id: 1, value_count: ids.length, null_count: 0, min_value: String(Math.min(...ids)), max_value: String(Math.max(...ids)) });
      await insert(stats, { data_file_id: fileId, table_id: 1, column_id: 3, value_count: ids.length, null_count: 0, min_value: region, max_value: region });
    }
    // S4: delete id 5 (position 1 of file 2).
    const local = join(workDir, `${version}-delete.parquet`);
    const dataFile = `${dataPath}main/sales/region=EU/ducklake-0199a1b2-0000-7000-8000-000000000002.parquet`;
    await c.run(`COPY (SELECT ${quoteString(dataFile)} AS file_path, 1::BIGINT AS pos) TO ${quoteString(local)} (FORMAT parquet, FIELD_IDS {file_path: 2147483646, pos: 2147483645})`);
    const deleteName = 'ducklake-0199a1b2-0000-7000-8000-000000000003-delete.parquet';
    const deleted = await upload(local, `${prefix}/main/sales/${deleteName}`);
    await snap(4, 1, 3, 4, 'deleted_from_table:1');
    await insert('ducklake_delete_file', {
      delete_file_id: 3, table_id: 1, begin_snapshot: 4, data_file_id: 2, path: deleteName, path_is_relative: true, format: 'parquet',
      delete_count: 1, file_size_bytes: deleted.size, footer_size: deleted.footer,
    });
    // S5: two rows inlined into the catalog; S6: the first one deleted (end_snapshot).
    await snap(5, 1, 3, 4, 'inlined_insert:1');
    await c.run('CREATE TABLE ducklake_inlined_data_1_1 (row_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, id INTEGER, ts TIMESTAMP, region VARCHAR, amount DOUBLE)');
    await c.run("INSERT INTO ducklake_inlined_data_1_1 VALUES (6, 5, NULL, 7, TIMESTAMP '2025-02-01', 'EU', 70.0), (7, 5, NULL, 8, TIMESTAMP '2025-02-02', 'APAC', 80.0)");
    await insert('ducklake_inlined_data_tables', { table_id: 1, table_name: 'ducklake_inlined_data_1_1', schema_version: 1 });
    await snap(6, 1, 3, 4, 'inlined_delete:1');
    await c.run('UPDATE ducklake_inlined_data_1_1 SET end_snapshot = 6 WHERE id = 7');
    if (version !== '0.2') {
      // S7 creates `merged`; its one file came from merging the inserts of S8 and S9.
      await snap(7, 2, 4, 4, 'created_table:"main"."merged"');
      await insert('ducklake_table', { table_id: 3, table_uuid: '0199a1b2-0000-7000-8000-0000000000a3', begin_snapshot: 7, schema_id: 0, table_name: 'merged', path: 'merged/', path_is_relative: true });
      await insert('ducklake_column', { column_id: 1, begin_snapshot: 7, table_id: 3, column_order: 1, column_name: 'k', column_type: 'int64', nulls_allowed: true });
      await insert('ducklake_schema_versions', { begin_snapshot: 7, schema_version: 2, table_id: 3 });
      await snap(8, 2, 4, 5, 'inserted_into_table:3');
      await snap(9, 2, 4, 5, 'inserted_into_table:3');
      const mergedLocal = join(workDir, `${version}-merged.parquet`);
      await c.run(`COPY (SELECT k::BIGINT AS k, k::BIGINT AS _ducklake_internal_row_id, s::BIGINT AS _ducklake_internal_snapshot_id FROM (VALUES (1, 8), (2, 8), (3, 9)) v(k, s))
        TO ${quoteString(mergedLocal)} (FORMAT parquet, FIELD_IDS {k: 1, _ducklake_internal_row_id: 2147483540, _ducklake_internal_snapshot_id: 2147483539})`);
      const mergedName = 'ducklake-0199a1b2-0000-7000-8000-000000000004.parquet';
      const merged = await upload(mergedLocal, `${prefix}/main/merged/${mergedName}`);
      await insert('ducklake_data_file', {
        data_file_id: 4, table_id: 3, begin_snapshot: 8, path: mergedName, path_is_relative: true, file_format: 'parquet', record_count: 3,
        file_size_bytes: merged.size, footer_size: merged.footer, row_id_start: 0, partial_max: 9, partial_file_info: 'partial_max:9',
      });
      tableCount = 2;
    }
    await c.run('CHECKPOINT');
  } finally {
    await db.close();
  }
  return { catalogPath, dataPath, keys, tableCount };
}
