/**
 * Reading catalogs in older DuckLake format versions (ducklake-format.md §12). Featherman
 * writes 1.0 only; a 0.2, 0.3 or 0.4 catalog is read through a 1.0-shaped copy: the file
 * is attached read-only to an in-memory DuckDB, every fixed table is materialized there
 * under its 1.0 name and columns (tables the version lacks are empty, columns it lacks are
 * NULL, the 0.1/0.2 stats table name and the 0.3 `partial_file_info` text are translated),
 * inlined data and delete tables are copied as they are, and the file is detached again.
 * The read path then queries the copy exactly like a 1.0 catalog. Table and column names
 * come from the fixed list in ddl.ts and from the catalog's own information_schema,
 * always quoted.
 */
import type { Logger } from 'pino';
import { FeathermanError } from '../../errors.ts';
import { openDuckDB, queryRows, runSql, asString, type DuckDBHandle } from '../duckdb.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { CATALOG_TABLES } from './ddl.ts';
import { DUCKLAKE_VERSION, OLDER_VERSIONS, assertCatalogV1, inspectCatalog, olderVersionError } from './init.ts';

/** READABLE_OLDER_VERSIONS are the older versions Featherman reads (0.1 stores partition columns by index). */
export const READABLE_OLDER_VERSIONS: readonly string[] = ['0.2', '0.3', '0.4'];

/** LEGACY_REQUIRED_TABLES must exist in any catalog read through the 1.0-shaped copy. */
const LEGACY_REQUIRED_TABLES = ['ducklake_metadata', 'ducklake_snapshot', 'ducklake_schema', 'ducklake_table', 'ducklake_column', 'ducklake_data_file'];

const ATTACHED = 'fm_legacy_catalog';
const INLINED = /^ducklake_inlined_(data|delete)_\d+(_\d+)?$/;

/** ReadableCatalog is what a reader needs to know: the data path and the stored format version. */
export interface ReadableCatalog {
  dataPath: string;
  version: string;
}

/**
 * assertCatalogReadable accepts a complete 1.0 catalog or a 0.2–0.4 one that has the
 * tables every version has (reads only); anything else is refused as assertCatalogV1 does.
 */
export async function assertCatalogReadable(connection: Parameters<typeof inspectCatalog>[0], where: string): Promise<ReadableCatalog> {
  const found = await inspectCatalog(connection);
  if (found.kind !== 'ducklake' || found.version === null || !OLDER_VERSIONS.includes(found.version)) {
    const { dataPath } = await assertCatalogV1(connection, where);
    return { dataPath, version: DUCKLAKE_VERSION };
  }
  if (!READABLE_OLDER_VERSIONS.includes(found.version)) throw olderVersionError(where, found.version);
  const missing = LEGACY_REQUIRED_TABLES.filter((name) => found.missingTables.includes(name));
  if (missing.length > 0) throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} claims DuckLake format ${found.version} but lacks the tables ${missing.join(', ')}.`);
  if (found.dataPath === null) throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} is a DuckLake ${found.version} catalog without a data_path row.`);
  return { dataPath: found.dataPath, version: found.version };
}

function bareType(type: string): string {
  return type.replace(/\s+NOT NULL$/i, '');
}

/** columnSource renders the 1.0 column `name` from an older table's columns (pure; names are fixed or quoted). */
function columnSource(name: string, type: string, present: ReadonlySet<string>): string {
  if (present.has(name)) return `CAST(${quoteIdentifier(name)} AS ${bareType(type)}) AS ${quoteIdentifier(name)}`;
  if (name === 'partial_max' && present.has('partial_file_info')) {
    // 0.3 kept `partial_max:<n>` in a text column (§12).
    return `TRY_CAST(nullif(regexp_extract(partial_file_info, 'partial_max:(\\d+)', 1), '') AS BIGINT) AS partial_max`;
  }
  return `CAST(NULL AS ${bareType(type)}) AS ${quoteIdentifier(name)}`;
}

/**
 * materializeAs10 copies the attached older catalog into the in-memory database under
 * the 1.0 table shapes (side effect: tables in memory only; the file is only read).
 */
async function materializeAs10(handle: DuckDBHandle): Promise<void> {
  const columns = await queryRows(
    handle.connection,
    `SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = ? AND table_schema = 'main'`,
    [ATTACHED],
  );
  const byTable = new Map<string, Set<string>>();
  for (const row of columns) {
    const table = asString(row.table_name, 'information_schema.columns.table_name');
    const set = byTable.get(table) ?? new Set<string>();
    set.add(asString(row.column_name, 'information_schema.columns.column_name'));
    byTable.set(table, set);
  }
  for (const table of CATALOG_TABLES) {
    // 0.1 and 0.2 named the file stats table ducklake_file_column_statistics (§12).
    const sourceName = table.name === 'ducklake_file_column_stats' && !byTable.has(table.name) && byTable.has('ducklake_file_column_statistics')
      ? 'ducklake_file_column_statistics'
      : table.name;
    const present = byTable.get(sourceName);
    const list = table.columns.map(([name, type]) => (present ? columnSource(name, type, present) : `CAST(NULL AS ${bareType(type)}) AS ${quoteIdentifier(name)}`));
    const from = present ? `${quoteIdentifier(ATTACHED)}.main.${quoteIdentifier(sourceName)}` : '(SELECT 1) AS none WHERE false';
    await runSql(handle.connection, `CREATE TABLE main.${quoteIdentifier(table.name)} AS SELECT ${list.join(', ')} FROM ${from}`);
  }
  for (const name of byTable.keys()) {
    if (INLINED.test(name)) await runSql(handle.connection, `CREATE TABLE main.${quoteIdentifier(name)} AS SELECT * FROM ${quoteIdentifier(ATTACHED)}.main.${quoteIdentifier(name)}`);
  }
}

/**
 * openCatalogForReading opens a catalog for reads only: a 1.0 catalog is opened read-only
 * as it is; a 0.2–0.4 catalog becomes an in-memory 1.0-shaped copy (the file is attached
 * read-only and detached again). Refusals as assertCatalogReadable; a file DuckDB cannot
 * open is FM_ERR_CATALOG_MISSING. The returned handle must be closed by the caller.
 */
export async function openCatalogForReading(path: string, where: string, options: { log?: Logger; threads?: number } = {}): Promise<DuckDBHandle & ReadableCatalog> {
  const open = async (target: string) =>
    openDuckDB(target, { readOnly: target !== ':memory:', ...(options.threads !== undefined ? { threads: options.threads } : {}), ...(options.log ? { log: options.log } : {}) }).catch((error: unknown) => {
      throw new FeathermanError('FM_ERR_CATALOG_MISSING', `catalog.path: cannot open ${path} read-only: ${String(error instanceof Error ? error.message : error).split('\n')[0]}.`, { cause: error });
    });
  const direct = await open(path);
  let found: ReadableCatalog;
  try {
    found = await assertCatalogReadable(direct.connection, where);
  } catch (error) {
    await direct.close();
    throw error;
  }
  if (found.version === DUCKLAKE_VERSION) return Object.assign(direct, found);
  await direct.close();
  const copy = await open(':memory:');
  try {
    await runSql(copy.connection, `ATTACH ${quoteString(path)} AS ${quoteIdentifier(ATTACHED)} (READ_ONLY)`);
    try {
      await materializeAs10(copy);
    } finally {
      await runSql(copy.connection, `DETACH ${quoteIdentifier(ATTACHED)}`);
    }
    options.log?.info({ catalog: path, version: found.version }, `reading DuckLake ${found.version} catalog through a 1.0-shaped copy`);
    return Object.assign(copy, found);
  } catch (error) {
    await copy.close();
    throw error;
  }
}
