import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { asNumber, asString, queryOne, queryRows, runSql, withTransaction } from '../duckdb.ts';
import { CATALOG_TABLES, createTableStatements } from './ddl.ts';
import { uuidV4, type UuidGenerator } from './uuid7.ts';

/** DUCKLAKE_VERSION is the only catalog format version Featherman reads and writes. */
export const DUCKLAKE_VERSION = '1.0';

/** OLDER_VERSIONS are the released DuckLake format versions before 1.0 (ducklake-format.md §12). */
export const OLDER_VERSIONS: readonly string[] = ['0.1', '0.2', '0.3', '0.4'];

/**
 * olderVersionError is the FM_ERR_CATALOG_VERSION refusal to write a catalog in an older
 * format version (pure); `where` names the file (`catalog /path`).
 */
export function olderVersionError(where: string, version: string): FeathermanError {
  return new FeathermanError(
    'FM_ERR_CATALOG_VERSION',
    `${where} is DuckLake format ${version}; Featherman writes ${DUCKLAKE_VERSION}: migrate it with DuckDB's ducklake extension (ATTACH … (AUTOMATIC_MIGRATION)) first.`,
  );
}

/** InitCatalogOptions are the facts a new catalog records. */
export interface InitCatalogOptions {
  /** The data path (s3://bucket/prefix/ or a local folder); a trailing `/` is added if missing. */
  dataPath: string;
  /** Stored as ducklake_metadata.created_by, e.g. `Featherman 0.1.0`. */
  createdBy: string;
  /** Generator of the schema UUID (v4, as the extension does). */
  uuid?: UuidGenerator;
  /** Commit time of snapshot 0. */
  now?: Date;
}

/** InitCatalogResult says whether the catalog was created now or already existed. */
export interface InitCatalogResult {
  created: boolean;
  dataPath: string;
  snapshotId: number;
}

/**
 * withTrailingSlash normalises a data path to end in exactly one `/` (pure), as the
 * extension does at ATTACH (it drops every trailing `/` or `\` and adds one): a stored
 * `s3://b/p//` would not match its DATA_PATH, and it would look for `p/main/…` objects
 * where we wrote `p//main/…`.
 */
export function withTrailingSlash(path: string): string {
  return `${path.replace(/[/\\]+$/, '')}/`;
}

/**
 * inspectCatalog looks at what the open database holds (read only): `empty` (no tables),
 * `ducklake` with its version string and the fixed tables it lacks, or `other` with the
 * names of the non-DuckLake tables found.
 */
export async function inspectCatalog(connection: DuckDBConnection): Promise<
  | { kind: 'empty' }
  | { kind: 'ducklake'; version: string | null; dataPath: string | null; missingTables: string[] }
  | { kind: 'other'; tables: string[] }
> {
  const rows = await queryRows(
    connection,
    `SELECT table_name FROM information_schema.tables
     WHERE table_catalog = current_database() AND table_schema = 'main' ORDER BY table_name`,
  );
  const names = rows.map((row) => asString(row.table_name, 'information_schema.tables.table_name'));
  if (names.length === 0) return { kind: 'empty' };
  if (!names.includes('ducklake_metadata')) return { kind: 'other', tables: names };
  const version = await queryOne(connection, "SELECT value FROM ducklake_metadata WHERE key = 'version' AND scope IS NULL LIMIT 1").catch(
    async () => queryOne(connection, "SELECT value FROM ducklake_metadata WHERE key = 'version' LIMIT 1"),
  );
  const dataPath = await queryOne(connection, "SELECT value FROM ducklake_metadata WHERE key = 'data_path' LIMIT 1");
  const present = new Set(names);
  return {
    kind: 'ducklake',
    version: version ? asString(version.value, 'ducklake_metadata.version') : null,
    dataPath: dataPath ? asString(dataPath.value, 'ducklake_metadata.data_path') : null,
    missingTables: CATALOG_TABLES.map((table) => table.name).filter((name) => !present.has(name)),
  };
}

/**
 * assertCatalogV1 throws unless the open database is a complete DuckLake 1.0 catalog (read
 * only): FM_ERR_CATALOG_MISSING when it is empty, FM_ERR_CATALOG_VERSION naming what was
 * found otherwise. `where` names the file in the message.
 */
export async function assertCatalogV1(connection: DuckDBConnection, where: string): Promise<{ dataPath: string }> {
  const found = await inspectCatalog(connection);
  if (found.kind === 'empty') throw new FeathermanError('FM_ERR_CATALOG_MISSING', `${where} holds no DuckLake catalog; run init-catalog first.`);
  if (found.kind === 'other') {
    const shown = found.tables.slice(0, 5).join(', ') + (found.tables.length > 5 ? ', …' : '');
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} is a DuckDB database without ducklake_metadata (tables: ${shown}), not a DuckLake catalog.`);
  }
  if (found.version !== null && OLDER_VERSIONS.includes(found.version)) throw olderVersionError(where, found.version);
  if (found.version !== DUCKLAKE_VERSION) {
    const version = found.version === null ? 'no version row' : `version ${JSON.stringify(found.version)}`;
    throw new FeathermanError(
      'FM_ERR_CATALOG_VERSION',
      `${where} is a DuckLake catalog with ${version}; Featherman needs version "1.0" (migrate it with DuckDB's ducklake extension and AUTOMATIC_MIGRATION).`,
    );
  }
  if (found.missingTables.length > 0) {
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} claims DuckLake 1.0 but lacks the tables ${found.missingTables.join(', ')}.`);
  }
  if (found.dataPath === null) throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} is a DuckLake 1.0 catalog without a data_path row.`);
  // An encrypted catalog needs a key per file: the extension refuses to read a data file
  // without one, and Featherman neither writes nor reads encrypted Parquet.
  const encrypted = await queryOne(connection, "SELECT value FROM ducklake_metadata WHERE key = 'encrypted' AND scope IS NULL LIMIT 1");
  if (encrypted && encrypted.value !== 'false') {
    throw new FeathermanError('FM_ERR_CATALOG_VERSION', `${where} is an encrypted DuckLake catalog (encrypted = ${JSON.stringify(encrypted.value)}); Featherman supports only unencrypted catalogs.`);
  }
  return { dataPath: found.dataPath };
}

/**
 * initCatalog creates a DuckLake 1.0 catalog in the open database, in one transaction (side
 * effect): the 28 tables, the metadata rows (version, created_by, data_path, encrypted,
 * and data_inlining_row_limit=0 so the extension never inlines rows we would not read),
 * snapshot 0 (`created_schema:"main"`, next_catalog_id 1) and schema `main` (id 0, path
 * `main/`). On an existing 1.0 catalog it changes nothing; anything else is refused.
 */
export async function initCatalog(connection: DuckDBConnection, options: InitCatalogOptions, where = 'the catalog file'): Promise<InitCatalogResult> {
  const dataPath = withTrailingSlash(options.dataPath);
  const found = await inspectCatalog(connection);
  if (found.kind !== 'empty') {
    const existing = await assertCatalogV1(connection, where);
    if (existing.dataPath !== dataPath) {
      throw new FeathermanError('FM_ERR_INVALID_PLAN', `${where} already has data_path ${JSON.stringify(existing.dataPath)}; the plan asks for ${JSON.stringify(dataPath)}.`);
    }
    const latest = await queryOne(connection, 'SELECT max(snapshot_id) AS id FROM ducklake_snapshot');
    return { created: false, dataPath, snapshotId: asNumber(latest?.id ?? null, 'ducklake_snapshot.snapshot_id') };
  }
  const schemaUuid = (options.uuid ?? uuidV4)();
  const now = (options.now ?? new Date()).toISOString();
  await withTransaction(connection, async () => {
    for (const statement of createTableStatements()) await runSql(connection, statement);
    await runSql(connection, 'INSERT INTO ducklake_snapshot VALUES (0, ?::TIMESTAMPTZ, 0, 1, 0)', [now]);
    await runSql(connection, 'INSERT INTO ducklake_snapshot_changes VALUES (0, ?, NULL, NULL, NULL)', ['created_schema:"main"']);
    await runSql(
      connection,
      `INSERT INTO ducklake_metadata (key, value, scope, scope_id) VALUES
       ('version', ?, NULL, NULL), ('created_by', ?, NULL, NULL), ('data_path', ?, NULL, NULL),
       ('encrypted', 'false', NULL, NULL), ('data_inlining_row_limit', '0', NULL, NULL)`,
      [DUCKLAKE_VERSION, options.createdBy, dataPath],
    );
    await runSql(connection, "INSERT INTO ducklake_schema VALUES (0, ?::UUID, 0, NULL, 'main', 'main/', true)", [schemaUuid]);
  });
  return { created: true, dataPath, snapshotId: 0 };
}
