/**
 * The DuckLake 1.0 catalog engine (ducklake-format.md), for the ingest, query and
 * maintenance paths. Open the catalog file with `openDuckDB` (runner/lake/duckdb.ts), then:
 *
 * - `initCatalog(conn, { dataPath, createdBy })`: create the 28 tables and snapshot 0
 *   (idempotent); `assertCatalogV1(conn, where)`: refuse anything but a 1.0 catalog.
 * - `commitSnapshot(conn, { author, message }, async (tx) => { … })`: one snapshot in one
 *   transaction. The builder gets `tx.snapshotId`, `tx.allocCatalogId()`, `tx.allocFileId()`,
 *   `tx.bumpSchemaVersion(tableId, { schemaVersionsRow })`, `tx.addChange(kind, value)`
 *   (`inserted_into_table`, 5 / `created_table`, { schema, name }) and `tx.run(sql, params)`
 *   (prepared once per connection: `runBound`/`queryBound`).
 *   It returns `{ snapshotId, schemaVersion, nextCatalogId, nextFileId, changesMade }`.
 *   A throw inside the builder rolls everything back.
 * - `readCatalogState(conn, snapshotId?)`: the snapshot row (latest or given), data_path and
 *   global settings. `readSnapshot`, `readSnapshotAtTime`, `listSnapshots` for time travel.
 * - `readTable(conn, schema, name, snapshotId)`: table id, uuid, resolved `location`
 *   (directory that data file paths are relative to), visible columns (column_id = Parquet
 *   field_id, DuckLake type, nullable, parent, initial_default), partition spec
 *   (`partitionId`, fields with column ids and transforms) and comment. `listTables`.
 * - `readTableStats(conn, tableId)`: record_count, next_row_id, file_size_bytes and the
 *   per-column stats; undefined before the first insert.
 * - `openCatalog(path, { readOnly, log })`: open an existing catalog file and check it is 1.0
 *   (FM_ERR_CATALOG_MISSING / FM_ERR_CATALOG_VERSION; an older format is refused with the
 *   migration hint); `catalogDataPath(catalog, objectStore)`.
 * - `openCatalogForReading(path, where, { log, threads })`: for readers (query, check,
 *   backup): a 1.0 catalog read-only, or a 0.2–0.4 one as an in-memory 1.0-shaped copy.
 * - `diffTable(table, spec, stats)` (pure schema evolution) and `writeCreateTable`,
 *   `writeAlterTable`, `writeDropTable` (the DDL rows, inside a commit builder).
 * - `readTableFigures(conn, tableId, S, schemaVersion)`: live rows, files and bytes of a table at S;
 * - `visibleAt(alias, param)`: the SQL visibility predicate; `joinPath` for §6 paths;
 *   `renderChanges`/`parseChanges` for changes_made; `uuidV7` for file and table names.
 */
export { CATALOG_TABLES, CATALOG_TABLE_NAMES, createTableStatements } from './ddl.ts';
export { DUCKLAKE_VERSION, OLDER_VERSIONS, assertCatalogV1, initCatalog, inspectCatalog, olderVersionError, withTrailingSlash } from './init.ts';
export { READABLE_OLDER_VERSIONS, assertCatalogReadable, openCatalogForReading } from './legacy.ts';
export type { ReadableCatalog } from './legacy.ts';
export type { InitCatalogOptions, InitCatalogResult } from './init.ts';
export { commitSnapshot } from './commit.ts';
export type { CommitBuilder, CommitInfo, CommitResult, CommitTx, SnapshotHead } from './commit.ts';
export { queryBound, runBound } from './statements.ts';
export { listSnapshots, readCatalogState, readSnapshot, readSnapshotAtTime, visibleAt } from './state.ts';
export { readTableFigures, type TableFigures } from './table-figures.ts';
export type { CatalogState, SnapshotRow } from './state.ts';
export { joinPath, listTables, readTable, readTableStats, transformText } from './tables.ts';
export type { CatalogColumn, CatalogPartition, CatalogTable, PartitionField, TableStats } from './tables.ts';
export { parseChanges, renderChange, renderChanges } from './changes.ts';
export type { ChangeEntry, ChangeKind } from './changes.ts';
export { createUuidV7Generator, uuidV4, uuidV7, UUID_V4, UUID_V7 } from './uuid7.ts';
export type { UuidGenerator } from './uuid7.ts';
export { CATALOG_WAL_CHECKPOINT_BYTES, catalogDataPath, openCatalog, openCatalogFile } from './open.ts';
export { diffTable, isEmptyDiff, partitionFields } from './schema-diff.ts';
export type { ColumnUpdate, SchemaDiff } from './schema-diff.ts';
export { isWidening, PRIMITIVE_WIDENINGS } from './type-widening.ts';
export { childrenOf, columnTypeFromCatalog, descendantIds, flattenColumn } from './columns.ts';
export type { NewColumnRow } from './columns.ts';
export { tableStoragePath, writeAlterTable, writeCreateTable, writeDropTable } from './table-writes.ts';
export type { CreatedTable } from './table-writes.ts';
