/**
 * The table's column tree as the write path needs it, built from the catalog's visible
 * ducklake_column rows: the DuckDB SQL type of each top-level column (for CAST and for
 * reading CSV with declared types), the Parquet FIELD_IDS literal (column ids, nested
 * ones included), and the leaf columns that get file statistics.
 */
import { parseDuckLakePrimitive, toDuckDBSql, type ColumnType } from '../../../api/column-type.ts';
import type { CatalogColumn } from '../catalog/index.ts';
import { quoteString } from '../sql.ts';
import type { LeafColumn } from './stats-text.ts';

/** ColumnNode is one column of the tree with its resolved type and its children. */
export interface ColumnNode {
  columnId: number;
  name: string;
  /** DuckLake type name as stored (int32, list, struct, …). */
  typeName: string;
  type: ColumnType;
  nullable: boolean;
  children: ColumnNode[];
}

function build(column: CatalogColumn, childrenOf: Map<number, CatalogColumn[]>): ColumnNode {
  const children = (childrenOf.get(column.columnId) ?? []).map((child) => build(child, childrenOf));
  const typeName = column.type.toLowerCase();
  let type: ColumnType | undefined;
  const childType = (name: string): ColumnType => {
    const child = children.find((each) => each.name === name);
    if (!child) throw new Error(`column ${column.name} (id ${column.columnId}) of type ${typeName} has no child named ${name}`);
    return child.type;
  };
  if (typeName === 'list') type = { kind: 'list', element: childType('element') };
  else if (typeName === 'map') type = { kind: 'map', key: childType('key'), value: childType('value') };
  else if (typeName === 'struct') type = { kind: 'struct', fields: children.map((child) => ({ name: child.name, type: child.type })) };
  else type = parseDuckLakePrimitive(typeName);
  if (!type) throw new Error(`column ${column.name} (id ${column.columnId}) has type ${JSON.stringify(column.type)}, which the write path does not support`);
  return { columnId: column.columnId, name: column.name, typeName, type, nullable: column.nullable, children };
}

/**
 * buildColumnTree turns visible ducklake_column rows (any order) into the top-level nodes
 * in column order (pure). It throws on a type the write path cannot cast to.
 */
export function buildColumnTree(columns: readonly CatalogColumn[]): ColumnNode[] {
  const childrenOf = new Map<number, CatalogColumn[]>();
  for (const column of columns) {
    if (column.parentColumn === null) continue;
    const list = childrenOf.get(column.parentColumn) ?? [];
    list.push(column);
    childrenOf.set(column.parentColumn, list);
  }
  for (const list of childrenOf.values()) list.sort((a, b) => a.order - b.order);
  return columns
    .filter((column) => column.parentColumn === null)
    .sort((a, b) => a.order - b.order)
    .map((column) => build(column, childrenOf));
}

/** duckdbType renders a node's DuckDB SQL type for CAST (pure). */
export function duckdbType(node: ColumnNode): string {
  return toDuckDBSql(node.type);
}

function fieldIdEntry(node: ColumnNode): string {
  if (node.children.length === 0) return `${quoteString(node.name)}: ${node.columnId}`;
  const inner = node.children.map(fieldIdEntry).join(', ');
  return `${quoteString(node.name)}: {__duckdb_field_id: ${node.columnId}, ${inner}}`;
}

/** fieldIdsLiteral renders the COPY option value `{'id': 1, 's': {__duckdb_field_id: 2, 'x': 3}}` (pure). */
export function fieldIdsLiteral(nodes: readonly ColumnNode[]): string {
  return `{${nodes.map(fieldIdEntry).join(', ')}}`;
}

/** leafColumns lists the leaves (columns without children) with their name paths, depth first (pure). */
export function leafColumns(nodes: readonly ColumnNode[]): LeafColumn[] {
  const out: LeafColumn[] = [];
  const walk = (node: ColumnNode, path: string[]) => {
    const here = [...path, node.name];
    if (node.children.length === 0) out.push({ columnId: node.columnId, path: here, type: node.typeName });
    else node.children.forEach((child) => walk(child, here));
  };
  nodes.forEach((node) => walk(node, []));
  return out;
}
