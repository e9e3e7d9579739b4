/**
 * DuckDB access for the lake engine: open an instance with extensions locked down, run
 * SQL with bound parameters, read typed rows, and wrap work in a transaction.
 *
 * Row values come back as JS values (`getRowObjectsJS`): BOOLEAN → boolean, INTEGER and
 * smaller → number, DOUBLE → number, VARCHAR/UUID → string, TIMESTAMP(TZ)/DATE → Date.
 * BIGINT is returned as `number` by `queryRows` (it throws if a value is outside the safe
 * integer range, which catalog ids and counters never reach) and as `bigint` by
 * `queryRowsBig`. HUGEINT/UBIGINT follow the same rule.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Logger } from 'pino';

/** OpenDuckDBOptions tune the instance; every field is optional. */
export interface OpenDuckDBOptions {
  readOnly?: boolean;
  threads?: number;
  /** A DuckDB size such as `512MB` or `2GB`. */
  memoryLimit?: string;
  /** Where DuckDB spills; default its own choice beside the database. */
  tempDir?: string;
  /**
   * checkpointAtWalBytes defers checkpoints of a database file until its WAL reaches this
   * many bytes: close() checkpoints only then, and otherwise leaves the WAL beside the file
   * for the next open to replay. See catalog/open.ts for why.
   */
  checkpointAtWalBytes?: number;
  log?: Logger;
}

/** DuckDBHandle is an open instance with one connection; close() releases both. */
export interface DuckDBHandle {
  instance: DuckDBInstance;
  connection: DuckDBConnection;
  close(): Promise<void>;
}

/** SqlParams are bound values (positional `?`/`$1` or named `$name`). */
export type SqlParams = DuckDBValue[] | Record<string, DuckDBValue>;

/** SqlRow is one result row keyed by column name. */
export type SqlRow = Record<string, SqlValue>;

/** SqlValue is a JS value read from DuckDB with BIGINT as number (see the file comment). */
export type SqlValue = null | boolean | number | string | Uint8Array | Date | SqlValue[] | { [key: string]: SqlValue };

/** SqlValueBig is a JS value read from DuckDB with BIGINT kept as bigint. */
export type SqlValueBig = null | boolean | number | bigint | string | Uint8Array | Date | SqlValueBig[] | { [key: string]: SqlValueBig };

const loggers = new WeakMap<DuckDBConnection, Logger>();

/**
 * openDuckDB opens (creating if needed) a DuckDB database file or `:memory:` (side effect:
 * creates the file and a private extension folder, removed on close). Extension
 * auto-install and auto-load are off and the extension folder is a fresh temp dir, so a
 * query can never download or pick up an extension.
 */
export async function openDuckDB(path: string, options: OpenDuckDBOptions = {}): Promise<DuckDBHandle> {
  const extensionDir = await mkdtemp(join(tmpdir(), 'fm-duckdb-ext-'));
  const config: Record<string, string> = {
    extension_directory: extensionDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  };
  if (options.readOnly) config.access_mode = 'READ_ONLY';
  if (options.threads !== undefined) config.threads = String(options.threads);
  if (options.memoryLimit !== undefined) config.memory_limit = options.memoryLimit;
  if (options.tempDir !== undefined) config.temp_directory = options.tempDir;
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(path, config);
  } catch (error) {
    await rm(extensionDir, { recursive: true, force: true });
    throw error;
  }
  const connection = await instance.connect();
  const walLimit = options.checkpointAtWalBytes;
  if (walLimit !== undefined) await connection.run('PRAGMA disable_checkpoint_on_shutdown');
  if (options.log) loggers.set(connection, options.log);
  let closed = false;
  return {
    instance,
    connection,
    async close() {
      if (closed) return;
      closed = true;
      if (walLimit !== undefined && (await fileSize(`${path}.wal`)) >= walLimit) {
        // A failed checkpoint loses nothing: the WAL stays and the next open replays it.
        await connection.run('CHECKPOINT').catch((error: unknown) => loggers.get(connection)?.warn({ err: error, path }, 'checkpoint at close failed; the WAL is kept'));
      }
      connection.closeSync();
      instance.closeSync();
      await rm(extensionDir, { recursive: true, force: true });
    },
  };
}

/** fileSize is a file's size in bytes, 0 when it does not exist (reads only). */
async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/** attachLogger makes the helpers below log each statement of this connection at DEBUG (side effect: registry only). */
export function attachLogger(connection: DuckDBConnection, log: Logger): void {
  loggers.set(connection, log);
}

/** debugSql logs one statement and its bound values at DEBUG when the connection has a logger (side effect: log only). */
export function debugSql(connection: DuckDBConnection, sql: string, params?: SqlParams): void {
  const log = loggers.get(connection);
  if (log?.isLevelEnabled('debug')) log.debug({ sql, params: params === undefined ? undefined : redactBig(params) }, 'sql');
}

function redactBig(params: SqlParams): unknown {
  const mapValue = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);
  return Array.isArray(params) ? params.map(mapValue) : Object.fromEntries(Object.entries(params).map(([k, v]) => [k, mapValue(v)]));
}

/** runSql executes one statement with bound parameters and discards its result (side effect). */
export async function runSql(connection: DuckDBConnection, sql: string, params?: SqlParams): Promise<void> {
  debugSql(connection, sql, params);
  await connection.run(sql, params);
}

/** queryRowsBig runs a query and returns its rows with BIGINT as bigint (no side effect beyond the query). */
export async function queryRowsBig(connection: DuckDBConnection, sql: string, params?: SqlParams): Promise<Record<string, SqlValueBig>[]> {
  debugSql(connection, sql, params);
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as Record<string, SqlValueBig>[];
}

/**
 * queryRows runs a query and returns its rows with BIGINT as number (no side effect beyond
 * the query). It throws if a bigint is outside Number's safe integer range.
 */
export async function queryRows(connection: DuckDBConnection, sql: string, params?: SqlParams): Promise<SqlRow[]> {
  const rows = await queryRowsBig(connection, sql, params);
  return rows.map((row) => toNumbers(row) as SqlRow);
}

function toNumbers(value: SqlValueBig): SqlValue {
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new Error(`integer ${value} is outside the safe JS number range; read it with queryRowsBig`);
    }
    return Number(value);
  }
  if (value === null || typeof value !== 'object' || value instanceof Date || value instanceof Uint8Array) return value;
  if (Array.isArray(value)) return value.map(toNumbers);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toNumbers(inner)]));
}

/** queryOne returns the first row of a query, or undefined when there is none. */
export async function queryOne(connection: DuckDBConnection, sql: string, params?: SqlParams): Promise<SqlRow | undefined> {
  const rows = await queryRows(connection, sql, params);
  return rows[0];
}

/**
 * withTransaction runs fn inside BEGIN … COMMIT (side effect). If fn or the COMMIT throws,
 * the transaction is rolled back in `finally` and the error is rethrown, so nothing
 * half-written stays behind.
 */
export async function withTransaction<T>(connection: DuckDBConnection, fn: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  await runSql(connection, 'BEGIN TRANSACTION');
  let committed = false;
  try {
    const result = await fn(connection);
    await runSql(connection, 'COMMIT');
    committed = true;
    return result;
  } finally {
    if (!committed) {
      try {
        await runSql(connection, 'ROLLBACK');
      } catch {
        // A failed COMMIT already ended the transaction; the original error is what matters.
      }
    }
  }
}

/** asNumber reads a numeric catalog value (number or bigint) as a number; throws on anything else (pure). */
export function asNumber(value: unknown, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(`${what}: expected a number, got ${value === null ? 'NULL' : typeof value}`);
}

/** asNumberOrNull is asNumber that lets SQL NULL through as null (pure). */
export function asNumberOrNull(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : asNumber(value, what);
}

/** asString reads a VARCHAR/UUID value; throws on NULL or a non-string (pure). */
export function asString(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw new Error(`${what}: expected a string, got ${value === null ? 'NULL' : typeof value}`);
}

/** asStringOrNull is asString that lets SQL NULL through as null (pure). */
export function asStringOrNull(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : asString(value, what);
}
