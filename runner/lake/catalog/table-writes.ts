/**
 * The change rows of CREATE, ALTER and DROP TABLE (ducklake-format.md §5.5), written inside
 * a commitSnapshot builder, in the extension's order: ends of old rows first, then schemas,
 * tables, columns, partitions and tags. New column rows follow the extension exactly:
 * column_order = column_id, initial_default NULL, default_value the string 'NULL',
 * default_value_type 'literal', default_value_dialect 'duckdb'; a changed column keeps its
 * default, its kind and its dialect.
 */
import type { LakeTableSpec } from '../../../api/table-spec.ts';
import { S3_URL } from '../../../api/identifiers.ts';
import type { CommitTx } from './commit.ts';
import { flattenColumn, type NewColumnRow } from './columns.ts';
import { partitionFields, parseSpecType, type SchemaDiff } from './schema-diff.ts';
import type { PartitionField } from './tables.ts';
import { uuidV4, type UuidGenerator } from './uuid7.ts';
import type { ColumnType } from '../../../api/column-type.ts';
import { queryOne } from '../duckdb.ts';
import { listValue, type DuckDBValue } from '@duckdb/node-api';

function idList(ids: readonly number[]): DuckDBValue {
  return listValue(ids.map((id) => BigInt(id)));
}

/** tableStoragePath decides ducklake_table.path and path_is_relative for a spec (pure; §6). */
export function tableStoragePath(spec: LakeTableSpec, schemaPath: string): { path: string; relative: boolean } {
  if (spec.location === undefined) return { path: `${spec.name}/`, relative: true };
  const location = spec.location.endsWith('/') ? spec.location : `${spec.location}/`;
  if (!S3_URL.test(location)) return { path: location, relative: true };
  if (location.startsWith(schemaPath) && location.length > schemaPath.length) return { path: location.slice(schemaPath.length), relative: true };
  return { path: location, relative: false };
}

/** insertRows writes rows of one shape in multi-row INSERTs of up to 100 rows (side effect, inside the commit). */
async function insertRows(tx: CommitTx, table: string, tuple: string, rows: readonly (readonly DuckDBValue[])[]): Promise<void> {
  for (let start = 0; start < rows.length; start += 100) {
    const slice = rows.slice(start, start + 100);
    await tx.run(`INSERT INTO ${table} VALUES ${slice.map(() => tuple).join(', ')}`, slice.flat());
  }
}

async function insertColumnRows(tx: CommitTx, tableId: number, rows: readonly NewColumnRow[]): Promise<void> {
  await insertRows(tx, 'ducklake_column', "(?, ?, NULL, ?, ?, ?, ?, NULL, 'NULL', ?, ?, 'literal', 'duckdb')", rows.map((row) => [
    row.columnId, tx.snapshotId, tableId, row.columnId, row.name, row.type, row.nullable, row.parentColumn,
  ]));
}

async function insertColumnComments(tx: CommitTx, tableId: number, comments: ReadonlyArray<readonly [number, string | null]>): Promise<void> {
  const rows = comments.flatMap(([columnId, comment]) => (comment === null ? [] : [[tableId, columnId, tx.snapshotId, comment]]));
  await insertRows(tx, 'ducklake_column_tag', "(?, ?, ?, NULL, 'comment', ?)", rows);
}

async function insertPartition(tx: CommitTx, tableId: number, fields: ReadonlyArray<Omit<PartitionField, 'index'>>): Promise<number | null> {
  if (fields.length === 0) return null;
  const partitionId = tx.allocCatalogId();
  await tx.run('INSERT INTO ducklake_partition_info VALUES (?, ?, ?, NULL)', [partitionId, tableId, tx.snapshotId]);
  await insertRows(tx, 'ducklake_partition_column', '(?, ?, ?, ?, ?)', fields.map((field, index) => [partitionId, tableId, index, field.columnId, field.transform]));
  return partitionId;
}

/**
 * insertAddedColumnStats gives each leaf of columns added to a table that already holds rows
 * a ducklake_table_column_stats row saying "may contain NULL, bounds unknown" (side effect).
 * The older rows read as NULL in the new column; without this row the first insert after
 * the change would record contains_null=false from the new files alone, and the extension
 * turns `col IS NULL` into false from that statistic and loses those rows.
 */
async function insertAddedColumnStats(tx: CommitTx, tableId: number, rows: readonly NewColumnRow[]): Promise<void> {
  const stats = await queryOne(tx.connection, 'SELECT next_row_id FROM ducklake_table_stats WHERE table_id = ?', [tableId]);
  if (!stats || Number(stats.next_row_id ?? 0) === 0) return;
  const parents = new Set(rows.map((row) => row.parentColumn));
  for (const row of rows.filter((candidate) => !parents.has(candidate.columnId))) {
    await tx.run('INSERT INTO ducklake_table_column_stats VALUES (?, ?, true, NULL, NULL, NULL, NULL)', [tableId, row.columnId]);
  }
}

/** CreatedTable is what writeCreateTable made. */
export interface CreatedTable {
  tableId: number;
  schemaId: number;
  uuid: string;
  columnCount: number;
  partitionId: number | null;
}

/**
 * writeCreateTable writes a new table (side effect, inside the commit): the schema row
 * first when `schema` is not there yet, the table row (UUID v7), a column row per column
 * and nested child (ids from 1, depth-first), the partition spec, the comment tags, a
 * schema_versions row and `created_table:"schema"."name"`.
 */
export async function writeCreateTable(
  tx: CommitTx,
  spec: LakeTableSpec,
  target: { schemaId: number | null; schemaPath: string; dataPath: string },
  uuids: { table: UuidGenerator; schema?: UuidGenerator },
): Promise<CreatedTable> {
  let schemaId = target.schemaId;
  if (schemaId === null) {
    schemaId = tx.allocCatalogId();
    await tx.run('INSERT INTO ducklake_schema VALUES (?, ?::UUID, ?, NULL, ?, ?, true)', [
      schemaId, (uuids.schema ?? uuidV4)(), tx.snapshotId, spec.schema, `${spec.schema}/`,
    ]);
    tx.addChange('created_schema', { schema: spec.schema });
  }
  const tableId = tx.allocCatalogId();
  const uuid = uuids.table();
  const storage = tableStoragePath(spec, target.schemaPath);
  await tx.run('INSERT INTO ducklake_table VALUES (?, ?::UUID, ?, NULL, ?, ?, ?, ?)', [
    tableId, uuid, tx.snapshotId, schemaId, spec.name, storage.path, storage.relative,
  ]);
  let nextId = 0;
  const types = new Map<string, { columnId: number; type: ColumnType }>();
  const rows: NewColumnRow[] = [];
  const comments: Array<[number, string | null]> = [];
  for (const column of spec.columns) {
    const type = parseSpecType(column.type, column.name);
    const flat = flattenColumn(column.name, type, column.nullable, null, () => ++nextId);
    const columnId = flat[0]?.columnId ?? 0;
    types.set(column.name.toLowerCase(), { columnId, type });
    comments.push([columnId, column.comment ?? null]);
    rows.push(...flat);
  }
  await insertColumnRows(tx, tableId, rows);
  const partitionId = await insertPartition(tx, tableId, partitionFields(spec, types));
  if (spec.comment !== undefined) await tx.run("INSERT INTO ducklake_tag VALUES (?, ?, NULL, 'comment', ?)", [tableId, tx.snapshotId, spec.comment]);
  await insertColumnComments(tx, tableId, comments);
  tx.bumpSchemaVersion(tableId, { schemaVersionsRow: true });
  tx.addChange('created_table', { schema: spec.schema, name: spec.name });
  return { tableId, schemaId, uuid, columnCount: spec.columns.length, partitionId };
}

/**
 * writeAlterTable applies a SchemaDiff to a table (side effect, inside the commit): it ends
 * the rows of dropped and changed columns, replaced tags and the old partition spec, then
 * inserts the new column rows (same column_id for changed ones), partition spec and tags.
 * One `altered_table:<id>`; a schema_versions row only when columns or partitioning changed.
 */
export async function writeAlterTable(tx: CommitTx, tableId: number, diff: SchemaDiff): Promise<void> {
  const S = tx.snapshotId;
  const endColumns = [...diff.dropped.flatMap((drop) => drop.ids), ...diff.updated.map((update) => update.before.columnId)];
  // One UPDATE per table for all the columns it ends.
  if (endColumns.length > 0) {
    await tx.run('UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND list_contains(?::BIGINT[], column_id) AND end_snapshot IS NULL', [S, tableId, idList(endColumns)]);
  }
  const endTags = [...diff.dropped.flatMap((drop) => drop.ids), ...diff.columnComments.map((change) => change.columnId)];
  if (endTags.length > 0) {
    await tx.run('UPDATE ducklake_column_tag SET end_snapshot = ? WHERE table_id = ? AND list_contains(?::BIGINT[], column_id) AND end_snapshot IS NULL', [S, tableId, idList(endTags)]);
  }
  if (diff.tableComment) {
    await tx.run("UPDATE ducklake_tag SET end_snapshot = ? WHERE object_id = ? AND key = 'comment' AND end_snapshot IS NULL", [S, tableId]);
  }
  if (diff.partitioning) {
    await tx.run('UPDATE ducklake_partition_info SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL', [S, tableId]);
  }
  for (const update of diff.updated) {
    const before = update.before;
    // The default keeps its kind: an `expression` default (`now()`) written as `literal`
    // would become the string 'now()' for the extension's next INSERT.
    await tx.run('INSERT INTO ducklake_column VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      before.columnId, S, tableId, before.order, update.name, update.type, before.initialDefault, before.defaultValue ?? 'NULL',
      update.nullable, before.parentColumn, before.defaultValueType ?? 'literal', before.defaultValueDialect ?? 'duckdb',
    ]);
  }
  await insertColumnRows(tx, tableId, diff.added.flatMap((added) => added.rows));
  await insertAddedColumnStats(tx, tableId, diff.added.flatMap((added) => added.rows));
  if (diff.partitioning) await insertPartition(tx, tableId, diff.partitioning);
  if (diff.tableComment && diff.tableComment.comment !== null) {
    await tx.run("INSERT INTO ducklake_tag VALUES (?, ?, NULL, 'comment', ?)", [tableId, S, diff.tableComment.comment]);
  }
  await insertColumnComments(tx, tableId, [
    ...diff.columnComments.map((change) => [change.columnId, change.comment] as const),
    ...diff.added.map((added) => [added.rows[0]?.columnId ?? 0, added.comment] as const),
  ]);
  const structural = diff.added.length > 0 || diff.dropped.length > 0 || diff.updated.length > 0 || diff.partitioning !== undefined;
  tx.bumpSchemaVersion(tableId, { schemaVersionsRow: structural });
  tx.addChange('altered_table', tableId);
}

/**
 * writeDropTable ends every live row of a table (side effect, inside the commit; §5.5):
 * table, partition_info, column, column_tag, data_file, delete_file, sort_info, and its
 * tags. The files stay until snapshot expiry and cleanup. Logs `dropped_table:<id>`.
 */
export async function writeDropTable(tx: CommitTx, tableId: number): Promise<void> {
  for (const table of ['ducklake_table', 'ducklake_partition_info', 'ducklake_column', 'ducklake_column_tag', 'ducklake_data_file', 'ducklake_delete_file', 'ducklake_sort_info']) {
    await tx.run(`UPDATE ${table} SET end_snapshot = ? WHERE table_id = ? AND end_snapshot IS NULL`, [tx.snapshotId, tableId]);
  }
  await tx.run('UPDATE ducklake_tag SET end_snapshot = ? WHERE object_id = ? AND end_snapshot IS NULL', [tx.snapshotId, tableId]);
  tx.bumpSchemaVersion(tableId);
  tx.addChange('dropped_table', tableId);
}
