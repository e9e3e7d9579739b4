/**
 * quoteIdentifier quotes a SQL identifier for DuckDB, doubling embedded quotes (pure).
 * Names are validated by api/identifiers.ts first; quoting is the second wall.
 */
export function quoteIdentifier(name: string): string {
  if (name.includes('\u0000')) throw new Error(`identifier contains a NUL byte: ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * quoteString quotes a SQL string literal, doubling embedded single quotes (pure). Use it
 * only where DuckDB cannot bind a parameter (COPY targets, table-function file lists,
 * PRAGMA-like options); bind values everywhere else.
 */
export function quoteString(value: string): string {
  if (value.includes('\u0000')) throw new Error(`string literal contains a NUL byte: ${JSON.stringify(value)}`);
  return `'${value.replaceAll("'", "''")}'`;
}

/** quoteStringList renders `['a', 'b']` for DuckDB list literals of strings (pure). */
export function quoteStringList(values: readonly string[]): string {
  return `[${values.map(quoteString).join(', ')}]`;
}
