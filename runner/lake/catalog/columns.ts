import { duckLakeTypeName, parseDuckLakePrimitive, type ColumnType } from '../../../api/column-type.ts';
import type { CatalogColumn } from './tables.ts';

/** NewColumnRow is one ducklake_column row to insert: a column or a nested child. */
export interface NewColumnRow {
  columnId: number;
  name: string;
  /** DuckLake type name (§10): int32, decimal(10,2), list, struct, map, … */
  type: string;
  nullable: boolean;
  parentColumn: number | null;
}

/**
 * flattenColumn turns a column and its type into rows, depth-first (the column, then its
 * children: `element` for a list, `key`/`value` for a map, the fields of a struct), taking
 * ids from `nextId` in that order, as the extension numbers Parquet field ids (pure).
 * Children always allow NULL, as the extension writes them.
 */
export function flattenColumn(name: string, type: ColumnType, nullable: boolean, parentColumn: number | null, nextId: () => number): NewColumnRow[] {
  const columnId = nextId();
  const rows: NewColumnRow[] = [{ columnId, name, type: duckLakeTypeName(type), nullable, parentColumn }];
  for (const child of childrenOf(type)) rows.push(...flattenColumn(child.name, child.type, true, columnId, nextId));
  return rows;
}

/** childrenOf lists the named children of a nested type (none for a primitive) (pure). */
export function childrenOf(type: ColumnType): Array<{ name: string; type: ColumnType }> {
  switch (type.kind) {
    case 'list':
      return [{ name: 'element', type: type.element }];
    case 'map':
      return [{ name: 'key', type: type.key }, { name: 'value', type: type.value }];
    case 'struct':
      return type.fields;
    default:
      return [];
  }
}

/**
 * columnTypeFromCatalog rebuilds a column's type tree from its visible catalog rows (pure).
 * It throws on a type name it does not know or a nested row without its children, since a
 * table Featherman cannot describe must not be evolved blindly.
 */
export function columnTypeFromCatalog(column: CatalogColumn, all: readonly CatalogColumn[]): ColumnType {
  const children = all.filter((row) => row.parentColumn === column.columnId).sort((a, b) => a.order - b.order);
  const child = (name: string): ColumnType => {
    const found = children.find((row) => row.name.toLowerCase() === name);
    if (!found) throw new Error(`column "${column.name}" (id ${column.columnId}) of type ${column.type} has no "${name}" child row`);
    return columnTypeFromCatalog(found, all);
  };
  switch (column.type.toLowerCase()) {
    case 'list':
      return { kind: 'list', element: child('element') };
    case 'map':
      return { kind: 'map', key: child('key'), value: child('value') };
    case 'struct':
      return { kind: 'struct', fields: children.map((row) => ({ name: row.name, type: columnTypeFromCatalog(row, all) })) };
    default: {
      const primitive = parseDuckLakePrimitive(column.type);
      if (!primitive) throw new Error(`column "${column.name}" has the DuckLake type "${column.type}", which Featherman does not support`);
      return primitive;
    }
  }
}

/** descendantIds lists the column ids below a column, depth-first (pure). */
export function descendantIds(columnId: number, all: readonly CatalogColumn[]): number[] {
  const ids: number[] = [];
  for (const row of all.filter((candidate) => candidate.parentColumn === columnId)) ids.push(row.columnId, ...descendantIds(row.columnId, all));
  return ids;
}
