import type { DuckDBConnection, DuckDBValue, JS } from '@duckdb/node-api';

/** ReadRow is one catalog row keyed by column name, with BIGINT as bigint (JS mode). */
export type ReadRow = Record<string, JS>;

/** readRows runs one bound catalog query and returns its rows as JS objects (reads only). */
export async function readRows(connection: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<ReadRow[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS();
}

/** readColumns runs one bound catalog query and returns its columns as arrays (reads only; faster for many rows). */
export async function readColumns(connection: DuckDBConnection, sql: string, params: DuckDBValue[] = []): Promise<Record<string, JS[]>> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getColumnsObjectJS();
}

/** toNumber converts a catalog integer (bigint or number) to a number (pure); NULL stays null. */
export function toNumber(value: JS | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  throw new Error(`expected an integer, got ${JSON.stringify(String(value))}`);
}

/** toText converts a catalog text value to a string (pure); NULL stays null. */
export function toText(value: JS | undefined): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : String(value);
}
