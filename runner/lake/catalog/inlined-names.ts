/**
 * The names of the extension's inlined tables (format §2): inlined data rows live in
 * `ducklake_inlined_data_<table_id>_<schema_version>`, inlined deletes in
 * `ducklake_inlined_delete_<table_id>`. One place for the patterns that readers and
 * maintenance filter catalog listings with.
 */

/** INLINED_DATA_TABLE matches an inlined data table's name. */
export const INLINED_DATA_TABLE = /^ducklake_inlined_data_\d+_\d+$/;

/** INLINED_DELETE_TABLE matches an inlined delete table's name. */
export const INLINED_DELETE_TABLE = /^ducklake_inlined_delete_\d+$/;

/** inlinedDeleteTableName names the extension's inlined delete table of a table (pure). */
export function inlinedDeleteTableName(tableId: number): string {
  return `ducklake_inlined_delete_${Math.trunc(tableId)}`;
}
