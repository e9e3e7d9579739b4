import { listValue, type DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { readRows, toNumber, toText } from './rows.ts';

/** NameMapping maps a column id to the Parquet column name that holds it, for one mapping_id. */
export type NameMapping = ReadonlyMap<number, string>;

/**
 * readNameMappings loads the top-level entries of the given name mappings (DuckLake §7.3:
 * files registered without field ids, e.g. by ducklake_add_data_files) in one catalog
 * query (reads only). Values taken from hive path segments (is_partition) are not
 * supported and are FM_ERR_QUERY_FAILED.
 */
export async function readNameMappings(catalog: DuckDBConnection, mappingIds: readonly number[]): Promise<Map<number, NameMapping>> {
  const result = new Map<number, Map<number, string>>();
  if (mappingIds.length === 0) return result;
  const rows = await readRows(
    catalog,
    'SELECT mapping_id, source_name, target_field_id, is_partition FROM ducklake_name_mapping WHERE list_contains(?::BIGINT[], mapping_id) AND parent_column IS NULL',
    [listValue(mappingIds.map((id) => BigInt(id)))],
  );
  for (const row of rows) {
    const mappingId = toNumber(row.mapping_id) ?? -1;
    if (row.is_partition === true) {
      throw new FeathermanError('FM_ERR_QUERY_FAILED', `name mapping ${mappingId} takes ${String(toText(row.source_name))} from a hive path segment; Featherman cannot read such files yet.`);
    }
    const mapping = result.get(mappingId) ?? new Map<number, string>();
    mapping.set(toNumber(row.target_field_id) ?? -1, toText(row.source_name) ?? '');
    result.set(mappingId, mapping);
  }
  return result;
}
