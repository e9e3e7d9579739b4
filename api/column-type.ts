/**
 * Column types: the user writes DuckDB spelling in any letter case (`INTEGER`, `DECIMAL(10,2)`,
 * `VARCHAR[]`, `STRUCT(a INTEGER, b VARCHAR)`, `MAP(VARCHAR, DOUBLE)`); the catalog stores
 * DuckLake names (`int32`, `decimal(10,2)`, `list` + an `element` child row, …; format §10);
 * casts use DuckDB SQL again. Everything here is pure.
 */
import { SQL_IDENTIFIER } from './identifiers.ts';

/** DUCKLAKE_PRIMITIVES are the primitive DuckLake type names Featherman supports (format §10). */
export const DUCKLAKE_PRIMITIVES = [
  'boolean', 'int8', 'int16', 'int32', 'int64', 'int128', 'uint8', 'uint16', 'uint32', 'uint64', 'uint128',
  'float32', 'float64', 'date', 'time', 'timetz', 'timestamp', 'timestamptz', 'timestamp_s', 'timestamp_ms', 'timestamp_ns',
  'interval', 'varchar', 'blob', 'json', 'uuid',
] as const;

/** DuckLakePrimitive is one primitive DuckLake type name. */
export type DuckLakePrimitive = (typeof DUCKLAKE_PRIMITIVES)[number];

/** ColumnType is a parsed column type: a tree whose nested nodes become child column rows. */
export type ColumnType =
  | { kind: 'primitive'; name: DuckLakePrimitive }
  | { kind: 'decimal'; precision: number; scale: number }
  | { kind: 'list'; element: ColumnType }
  | { kind: 'struct'; fields: Array<{ name: string; type: ColumnType }> }
  | { kind: 'map'; key: ColumnType; value: ColumnType };

const DUCKDB_NAMES: Record<string, DuckLakePrimitive> = {
  BOOLEAN: 'boolean', BOOL: 'boolean', LOGICAL: 'boolean',
  TINYINT: 'int8', INT1: 'int8', SMALLINT: 'int16', INT2: 'int16', SHORT: 'int16',
  INTEGER: 'int32', INT: 'int32', INT4: 'int32', SIGNED: 'int32', BIGINT: 'int64', INT8: 'int64', LONG: 'int64',
  HUGEINT: 'int128', INT128: 'int128',
  UTINYINT: 'uint8', USMALLINT: 'uint16', UINTEGER: 'uint32', UBIGINT: 'uint64', UHUGEINT: 'uint128', UINT128: 'uint128',
  FLOAT: 'float32', REAL: 'float32', FLOAT4: 'float32', DOUBLE: 'float64', FLOAT8: 'float64',
  DATE: 'date', TIME: 'time', TIMETZ: 'timetz', TIMESTAMP: 'timestamp', DATETIME: 'timestamp', TIMESTAMP_US: 'timestamp',
  TIMESTAMPTZ: 'timestamptz', TIMESTAMP_S: 'timestamp_s', TIMESTAMP_MS: 'timestamp_ms', TIMESTAMP_NS: 'timestamp_ns',
  INTERVAL: 'interval', VARCHAR: 'varchar', TEXT: 'varchar', STRING: 'varchar', CHAR: 'varchar', BPCHAR: 'varchar', NVARCHAR: 'varchar',
  BLOB: 'blob', BYTEA: 'blob', BINARY: 'blob', VARBINARY: 'blob', JSON: 'json', UUID: 'uuid',
};

const SQL_NAMES: Record<DuckLakePrimitive, string> = {
  boolean: 'BOOLEAN', int8: 'TINYINT', int16: 'SMALLINT', int32: 'INTEGER', int64: 'BIGINT', int128: 'HUGEINT',
  uint8: 'UTINYINT', uint16: 'USMALLINT', uint32: 'UINTEGER', uint64: 'UBIGINT', uint128: 'UHUGEINT',
  float32: 'FLOAT', float64: 'DOUBLE', date: 'DATE', time: 'TIME', timetz: 'TIMETZ', timestamp: 'TIMESTAMP',
  timestamptz: 'TIMESTAMPTZ', timestamp_s: 'TIMESTAMP_S', timestamp_ms: 'TIMESTAMP_MS', timestamp_ns: 'TIMESTAMP_NS',
  interval: 'INTERVAL', varchar: 'VARCHAR', blob: 'BLOB', json: 'JSON', uuid: 'UUID',
};

const UNSUPPORTED: Record<string, string> = {
  ENUM: 'ENUM is not supported by DuckLake; use VARCHAR',
  UNION: 'UNION is not supported by DuckLake; use a STRUCT',
  VARINT: 'VARINT is not supported by DuckLake; use HUGEINT or DECIMAL(38,0)',
  BIGNUM: 'BIGNUM is not supported by DuckLake; use HUGEINT or DECIMAL(38,0)',
  BIT: 'BIT is not supported by DuckLake; use BLOB',
  BITSTRING: 'BITSTRING is not supported by DuckLake; use BLOB',
  ARRAY: 'fixed-size ARRAY is not supported by DuckLake; use a list such as INTEGER[]',
  VARIANT: 'VARIANT is not supported by Featherman',
  GEOMETRY: 'GEOMETRY is not supported by Featherman',
  TIME_NS: 'TIME_NS is not supported by DuckLake 1.0; use TIME',
  NULL: 'NULL is not a column type',
};

/** TYPE_HINT is the list of examples quoted in error messages. */
export const TYPE_HINT = 'a DuckDB type such as INTEGER, BIGINT, DOUBLE, DECIMAL(10,2), VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ, INTEGER[], STRUCT(a INTEGER), MAP(VARCHAR, INTEGER)';

class TypeError_ extends Error {}

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const pattern = /\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+|"(?:[^"]|"")*"|'(?:[^']|'')*'|[(),[\]])/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match?.[1]) throw new TypeError_(`unexpected character ${JSON.stringify(text.slice(index).trim()[0] ?? '')}`);
    tokens.push(match[1]);
    index = pattern.lastIndex;
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: string[]) {}

  peek(offset = 0): string | undefined {
    return this.tokens[this.position + offset];
  }

  upper(offset = 0): string {
    return (this.peek(offset) ?? '').toUpperCase();
  }

  take(expected?: string): string {
    const token = this.tokens[this.position];
    if (token === undefined) throw new TypeError_(expected ? `expected "${expected}" but the type ended` : 'the type ended early');
    if (expected !== undefined && token.toUpperCase() !== expected) throw new TypeError_(`expected "${expected}" but found "${token}"`);
    this.position += 1;
    return token;
  }

  done(): boolean {
    return this.position >= this.tokens.length;
  }

  integer(what: string): number {
    const token = this.take();
    if (!/^[0-9]+$/.test(token)) throw new TypeError_(`${what} must be a whole number; found "${token}"`);
    return Number(token);
  }

  type(): ColumnType {
    let type = this.base();
    while (this.peek() === '[') {
      this.take('[');
      if (this.peek() !== ']') throw new TypeError_('fixed-size ARRAY is not supported by DuckLake; use a list such as INTEGER[]');
      this.take(']');
      type = { kind: 'list', element: type };
    }
    return type;
  }

  private base(): ColumnType {
    const word = this.upper();
    if (word === '') throw new TypeError_(this.position === 0 ? 'the type is empty' : 'the type ended early');
    if (!/^[A-Z_]/.test(word)) throw new TypeError_(`expected a type name but found "${this.peek() ?? ''}"`);
    this.take();
    if (word in UNSUPPORTED) throw new TypeError_(UNSUPPORTED[word] ?? '');
    if ((word === 'TIMESTAMP' || word === 'TIME') && this.upper() === 'WITH') {
      this.take('WITH');
      this.take('TIME');
      this.take('ZONE');
      return { kind: 'primitive', name: word === 'TIME' ? 'timetz' : 'timestamptz' };
    }
    if (word === 'DOUBLE' && this.upper() === 'PRECISION') {
      this.take();
      return { kind: 'primitive', name: 'float64' };
    }
    if (word === 'DECIMAL' || word === 'NUMERIC') return this.decimal();
    if (word === 'LIST') {
      this.take('(');
      const element = this.type();
      this.take(')');
      return { kind: 'list', element };
    }
    if (word === 'MAP') {
      this.take('(');
      const key = this.type();
      this.take(',');
      const value = this.type();
      this.take(')');
      return { kind: 'map', key, value };
    }
    if (word === 'STRUCT' || word === 'ROW') return this.struct();
    const primitive = DUCKDB_NAMES[word];
    if (primitive === undefined) throw new TypeError_(`unknown type "${word}"`);
    if ((primitive === 'varchar' || primitive === 'blob') && this.peek() === '(') {
      this.take('(');
      this.integer('the length');
      this.take(')');
    }
    return { kind: 'primitive', name: primitive };
  }

  private decimal(): ColumnType {
    if (this.peek() !== '(') return { kind: 'decimal', precision: 18, scale: 3 };
    this.take('(');
    const precision = this.integer('the DECIMAL precision');
    let scale = 0;
    if (this.peek() === ',') {
      this.take(',');
      scale = this.integer('the DECIMAL scale');
    }
    this.take(')');
    if (precision < 1 || precision > 38) throw new TypeError_(`DECIMAL precision must be between 1 and 38; found ${precision}`);
    if (scale > precision) throw new TypeError_(`DECIMAL scale must not exceed its precision; found DECIMAL(${precision},${scale})`);
    return { kind: 'decimal', precision, scale };
  }

  private struct(): ColumnType {
    this.take('(');
    const fields: Array<{ name: string; type: ColumnType }> = [];
    const seen = new Set<string>();
    do {
      if (fields.length > 0) this.take(',');
      let name = this.take();
      if (name.startsWith('"')) name = name.slice(1, -1).replaceAll('""', '"');
      if (!SQL_IDENTIFIER.test(name)) throw new TypeError_(`STRUCT field name ${JSON.stringify(name)} must start with a letter or underscore and contain only ASCII letters, digits and underscores`);
      if (seen.has(name.toLowerCase())) throw new TypeError_(`STRUCT field name "${name}" appears twice`);
      seen.add(name.toLowerCase());
      fields.push({ name, type: this.type() });
    } while (this.peek() === ',');
    this.take(')');
    return { kind: 'struct', fields };
  }
}

/**
 * parseColumnType parses a DuckDB type in any letter case into a ColumnType, or returns an
 * error sentence saying what is wrong (never throws), so validation can collect all issues.
 */
export function parseColumnType(text: string): ColumnType | { error: string } {
  try {
    const parser = new Parser(tokenize(text));
    const type = parser.type();
    if (!parser.done()) throw new TypeError_(`unexpected "${parser.peek() ?? ''}" after the type`);
    return type;
  } catch (error) {
    if (error instanceof TypeError_) return { error: `${error.message}; must be ${TYPE_HINT}` };
    throw error;
  }
}

/** isColumnTypeError narrows parseColumnType's result to its error case. */
export function isColumnTypeError(value: ColumnType | { error: string }): value is { error: string } {
  return 'error' in value;
}

/** duckLakeTypeName is the ducklake_column.column_type of a node: `int32`, `decimal(10,2)`, `list`, `struct`, `map`. */
export function duckLakeTypeName(type: ColumnType): string {
  switch (type.kind) {
    case 'primitive':
      return type.name;
    case 'decimal':
      return `decimal(${type.precision},${type.scale})`;
    default:
      return type.kind;
  }
}

/** toDuckDBSql renders a ColumnType as DuckDB SQL for CAST and CREATE (`DECIMAL(10,2)`, `INTEGER[]`, `STRUCT("a" INTEGER)`). */
export function toDuckDBSql(type: ColumnType): string {
  switch (type.kind) {
    case 'primitive':
      return SQL_NAMES[type.name];
    case 'decimal':
      return `DECIMAL(${type.precision},${type.scale})`;
    case 'list':
      return `${toDuckDBSql(type.element)}[]`;
    case 'map':
      return `MAP(${toDuckDBSql(type.key)}, ${toDuckDBSql(type.value)})`;
    case 'struct':
      return `STRUCT(${type.fields.map((field) => `"${field.name.replaceAll('"', '""')}" ${toDuckDBSql(field.type)}`).join(', ')})`;
  }
}

/** parseDuckLakePrimitive reads a stored primitive name (`int32`, `decimal(10,2)`, `timestamp_us`), case-insensitively; undefined if unknown. */
export function parseDuckLakePrimitive(name: string): ColumnType | undefined {
  const lower = name.trim().toLowerCase();
  const decimal = /^decimal\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)$/.exec(lower);
  if (decimal) return { kind: 'decimal', precision: Number(decimal[1]), scale: Number(decimal[2]) };
  if (lower === 'timestamp_us') return { kind: 'primitive', name: 'timestamp' };
  return (DUCKLAKE_PRIMITIVES as readonly string[]).includes(lower) ? { kind: 'primitive', name: lower as DuckLakePrimitive } : undefined;
}

/** sameColumnType compares two types structurally (struct field names case-insensitively). */
export function sameColumnType(a: ColumnType, b: ColumnType): boolean {
  return toDuckDBSql(a).toLowerCase() === toDuckDBSql(b).toLowerCase();
}
