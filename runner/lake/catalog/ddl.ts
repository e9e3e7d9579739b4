/**
 * CATALOG_TABLES is the DuckLake 1.0 catalog schema: the 28 `ducklake_*` tables with their
 * columns in the extension's DDL order (ducklake-format.md §2). The order matters: the
 * extension inserts with `INSERT … VALUES` and no column list. Only the five primary keys
 * of the spec are declared; no other constraint exists.
 */
export const CATALOG_TABLES: ReadonlyArray<{ name: string; columns: ReadonlyArray<readonly [string, string]>; primaryKey?: string }> = [
  { name: 'ducklake_metadata', columns: [['key', 'VARCHAR NOT NULL'], ['value', 'VARCHAR NOT NULL'], ['scope', 'VARCHAR'], ['scope_id', 'BIGINT']] },
  {
    name: 'ducklake_snapshot',
    primaryKey: 'snapshot_id',
    columns: [['snapshot_id', 'BIGINT'], ['snapshot_time', 'TIMESTAMPTZ'], ['schema_version', 'BIGINT'], ['next_catalog_id', 'BIGINT'], ['next_file_id', 'BIGINT']],
  },
  {
    name: 'ducklake_snapshot_changes',
    primaryKey: 'snapshot_id',
    columns: [['snapshot_id', 'BIGINT'], ['changes_made', 'VARCHAR'], ['author', 'VARCHAR'], ['commit_message', 'VARCHAR'], ['commit_extra_info', 'VARCHAR']],
  },
  {
    name: 'ducklake_schema',
    primaryKey: 'schema_id',
    columns: [
      ['schema_id', 'BIGINT'], ['schema_uuid', 'UUID'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'],
      ['schema_name', 'VARCHAR'], ['path', 'VARCHAR'], ['path_is_relative', 'BOOLEAN'],
    ],
  },
  {
    name: 'ducklake_table',
    columns: [
      ['table_id', 'BIGINT'], ['table_uuid', 'UUID'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['schema_id', 'BIGINT'],
      ['table_name', 'VARCHAR'], ['path', 'VARCHAR'], ['path_is_relative', 'BOOLEAN'],
    ],
  },
  {
    name: 'ducklake_view',
    columns: [
      ['view_id', 'BIGINT'], ['view_uuid', 'UUID'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['schema_id', 'BIGINT'],
      ['view_name', 'VARCHAR'], ['dialect', 'VARCHAR'], ['sql', 'VARCHAR'], ['column_aliases', 'VARCHAR'],
    ],
  },
  { name: 'ducklake_tag', columns: [['object_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['key', 'VARCHAR'], ['value', 'VARCHAR']] },
  {
    name: 'ducklake_column_tag',
    columns: [['table_id', 'BIGINT'], ['column_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['key', 'VARCHAR'], ['value', 'VARCHAR']],
  },
  {
    name: 'ducklake_data_file',
    primaryKey: 'data_file_id',
    columns: [
      ['data_file_id', 'BIGINT'], ['table_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['file_order', 'BIGINT'],
      ['path', 'VARCHAR'], ['path_is_relative', 'BOOLEAN'], ['file_format', 'VARCHAR'], ['record_count', 'BIGINT'], ['file_size_bytes', 'BIGINT'],
      ['footer_size', 'BIGINT'], ['row_id_start', 'BIGINT'], ['partition_id', 'BIGINT'], ['encryption_key', 'VARCHAR'], ['mapping_id', 'BIGINT'],
      ['partial_max', 'BIGINT'],
    ],
  },
  {
    name: 'ducklake_file_column_stats',
    columns: [
      ['data_file_id', 'BIGINT'], ['table_id', 'BIGINT'], ['column_id', 'BIGINT'], ['column_size_bytes', 'BIGINT'], ['value_count', 'BIGINT'],
      ['null_count', 'BIGINT'], ['min_value', 'VARCHAR'], ['max_value', 'VARCHAR'], ['contains_nan', 'BOOLEAN'], ['extra_stats', 'VARCHAR'],
    ],
  },
  {
    name: 'ducklake_file_variant_stats',
    columns: [
      ['data_file_id', 'BIGINT'], ['table_id', 'BIGINT'], ['column_id', 'BIGINT'], ['variant_path', 'VARCHAR'], ['shredded_type', 'VARCHAR'],
      ['column_size_bytes', 'BIGINT'], ['value_count', 'BIGINT'], ['null_count', 'BIGINT'], ['min_value', 'VARCHAR'], ['max_value', 'VARCHAR'],
      ['contains_nan', 'BOOLEAN'], ['extra_stats', 'VARCHAR'],
    ],
  },
  {
    name: 'ducklake_delete_file',
    primaryKey: 'delete_file_id',
    columns: [
      ['delete_file_id', 'BIGINT'], ['table_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['data_file_id', 'BIGINT'],
      ['path', 'VARCHAR'], ['path_is_relative', 'BOOLEAN'], ['format', 'VARCHAR'], ['delete_count', 'BIGINT'], ['file_size_bytes', 'BIGINT'],
      ['footer_size', 'BIGINT'], ['encryption_key', 'VARCHAR'], ['partial_max', 'BIGINT'],
    ],
  },
  {
    name: 'ducklake_column',
    columns: [
      ['column_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT'], ['table_id', 'BIGINT'], ['column_order', 'BIGINT'],
      ['column_name', 'VARCHAR'], ['column_type', 'VARCHAR'], ['initial_default', 'VARCHAR'], ['default_value', 'VARCHAR'],
      ['nulls_allowed', 'BOOLEAN'], ['parent_column', 'BIGINT'], ['default_value_type', 'VARCHAR'], ['default_value_dialect', 'VARCHAR'],
    ],
  },
  { name: 'ducklake_table_stats', columns: [['table_id', 'BIGINT'], ['record_count', 'BIGINT'], ['next_row_id', 'BIGINT'], ['file_size_bytes', 'BIGINT']] },
  {
    name: 'ducklake_table_column_stats',
    columns: [
      ['table_id', 'BIGINT'], ['column_id', 'BIGINT'], ['contains_null', 'BOOLEAN'], ['contains_nan', 'BOOLEAN'], ['min_value', 'VARCHAR'],
      ['max_value', 'VARCHAR'], ['extra_stats', 'VARCHAR'],
    ],
  },
  { name: 'ducklake_partition_info', columns: [['partition_id', 'BIGINT'], ['table_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT']] },
  {
    name: 'ducklake_partition_column',
    columns: [['partition_id', 'BIGINT'], ['table_id', 'BIGINT'], ['partition_key_index', 'BIGINT'], ['column_id', 'BIGINT'], ['transform', 'VARCHAR']],
  },
  {
    name: 'ducklake_file_partition_value',
    columns: [['data_file_id', 'BIGINT'], ['table_id', 'BIGINT'], ['partition_key_index', 'BIGINT'], ['partition_value', 'VARCHAR']],
  },
  {
    name: 'ducklake_files_scheduled_for_deletion',
    columns: [['data_file_id', 'BIGINT'], ['path', 'VARCHAR'], ['path_is_relative', 'BOOLEAN'], ['schedule_start', 'TIMESTAMPTZ']],
  },
  { name: 'ducklake_inlined_data_tables', columns: [['table_id', 'BIGINT'], ['table_name', 'VARCHAR'], ['schema_version', 'BIGINT']] },
  { name: 'ducklake_column_mapping', columns: [['mapping_id', 'BIGINT'], ['table_id', 'BIGINT'], ['type', 'VARCHAR']] },
  {
    name: 'ducklake_name_mapping',
    columns: [
      ['mapping_id', 'BIGINT'], ['column_id', 'BIGINT'], ['source_name', 'VARCHAR'], ['target_field_id', 'BIGINT'], ['parent_column', 'BIGINT'],
      ['is_partition', 'BOOLEAN'],
    ],
  },
  { name: 'ducklake_schema_versions', columns: [['begin_snapshot', 'BIGINT'], ['schema_version', 'BIGINT'], ['table_id', 'BIGINT']] },
  {
    name: 'ducklake_macro',
    columns: [['schema_id', 'BIGINT'], ['macro_id', 'BIGINT'], ['macro_name', 'VARCHAR'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT']],
  },
  { name: 'ducklake_macro_impl', columns: [['macro_id', 'BIGINT'], ['impl_id', 'BIGINT'], ['dialect', 'VARCHAR'], ['sql', 'VARCHAR'], ['type', 'VARCHAR']] },
  {
    name: 'ducklake_macro_parameters',
    columns: [
      ['macro_id', 'BIGINT'], ['impl_id', 'BIGINT'], ['column_id', 'BIGINT'], ['parameter_name', 'VARCHAR'], ['parameter_type', 'VARCHAR'],
      ['default_value', 'VARCHAR'], ['default_value_type', 'VARCHAR'],
    ],
  },
  { name: 'ducklake_sort_info', columns: [['sort_id', 'BIGINT'], ['table_id', 'BIGINT'], ['begin_snapshot', 'BIGINT'], ['end_snapshot', 'BIGINT']] },
  {
    name: 'ducklake_sort_expression',
    columns: [
      ['sort_id', 'BIGINT'], ['table_id', 'BIGINT'], ['sort_key_index', 'BIGINT'], ['expression', 'VARCHAR'], ['dialect', 'VARCHAR'],
      ['sort_direction', 'VARCHAR'], ['null_order', 'VARCHAR'],
    ],
  },
];

/** CATALOG_TABLE_NAMES is the set of the 28 fixed table names. */
export const CATALOG_TABLE_NAMES: ReadonlySet<string> = new Set(CATALOG_TABLES.map((table) => table.name));

/**
 * createTableStatements renders the CREATE TABLE statements of the catalog (pure). The
 * names and types are constants of this file, never user input.
 */
export function createTableStatements(): string[] {
  return CATALOG_TABLES.map((table) => {
    const columns = table.columns.map(([name, type]) => (name === table.primaryKey ? `${name} ${type} PRIMARY KEY` : `${name} ${type}`));
    return `CREATE TABLE ${table.name}(${columns.join(', ')})`;
  });
}
