import { quoteIdentifier } from '../sql.ts';

/** LakeColumn is one column visible at a snapshot, with its nested children (DuckLake §10). */
export interface LakeColumn {
  id: number;
  name: string;
  /** The DuckLake type name as stored (`int32`, `decimal(10,2)`, `struct`, …). */
  type: string;
  initialDefault: string | null;
  nullable: boolean;
  children: LakeColumn[];
}

const PRIMITIVES: Record<string, string> = {
  boolean: 'BOOLEAN',
  int8: 'TINYINT',
  int16: 'SMALLINT',
  int32: 'INTEGER',
  int64: 'BIGINT',
  uint8: 'UTINYINT',
  uint16: 'USMALLINT',
  uint32: 'UINTEGER',
  uint64: 'UBIGINT',
  int128: 'HUGEINT',
  uint128: 'UHUGEINT',
  float32: 'FLOAT',
  float64: 'DOUBLE',
  time: 'TIME',
  time_ns: 'TIME_NS',
  timetz: 'TIMETZ',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  timestamp_us: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ',
  timestamp_s: 'TIMESTAMP_S',
  timestamp_ms: 'TIMESTAMP_MS',
  timestamp_ns: 'TIMESTAMP_NS',
  interval: 'INTERVAL',
  varchar: 'VARCHAR',
  blob: 'BLOB',
  json: 'JSON',
  uuid: 'UUID',
};

const DECIMAL = /^decimal\s*\(\s*(\d{1,2})\s*,\s*(\d{1,2})\s*\)$/;

/**
 * toDuckDBType renders a column's DuckLake type as a DuckDB SQL type (pure), recursing
 * into struct fields, list elements and map keys/values. It throws on a type this reader
 * does not know, naming the column, rather than guessing.
 */
export function toDuckDBType(column: LakeColumn): string {
  const type = column.type.trim().toLowerCase();
  const primitive = PRIMITIVES[type];
  if (primitive) return primitive;
  const decimal = DECIMAL.exec(type);
  if (decimal) return `DECIMAL(${Number(decimal[1])}, ${Number(decimal[2])})`;
  if (type === 'struct') {
    if (column.children.length === 0) throw new Error(`column ${column.name}: a struct needs at least one field`);
    return `STRUCT(${column.children.map((child) => `${quoteIdentifier(child.name)} ${toDuckDBType(child)}`).join(', ')})`;
  }
  if (type === 'list') {
    const element = column.children[0];
    if (!element) throw new Error(`column ${column.name}: a list needs an element column`);
    return `${toDuckDBType(element)}[]`;
  }
  if (type === 'map') {
    const key = column.children.find((child) => child.name === 'key');
    const value = column.children.find((child) => child.name === 'value');
    if (!key || !value) throw new Error(`column ${column.name}: a map needs key and value columns`);
    return `MAP(${toDuckDBType(key)}, ${toDuckDBType(value)})`;
  }
  throw new Error(`column ${column.name}: type ${JSON.stringify(column.type)} is not readable by Featherman`);
}

/** isPrimitiveType reports whether a DuckLake type has no children (pure). */
export function isPrimitiveType(type: string): boolean {
  const lower = type.trim().toLowerCase();
  return lower in PRIMITIVES || DECIMAL.test(lower);
}
