import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { StatementType } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { analyzeSql, type SqlShape } from './predicates.ts';

/** ALLOWED_TABLE_FUNCTIONS are the only table functions user SQL may call: they generate rows and touch nothing. */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set(['range', 'generate_series', 'unnest']);

/**
 * DENIED_FUNCTIONS are scalar functions refused outright even though the sandbox would
 * also stop most of them: they read files, the environment or settings.
 */
export const DENIED_FUNCTIONS: ReadonlySet<string> = new Set([
  'getenv', 'read_text', 'read_blob', 'glob', 'current_setting', 'query', 'query_table', 'sniff_csv', 'parquet_metadata', 'parquet_schema',
]);

const PATH_LIKE = /[/\\]|:\/\/|\.(parquet|csv|tsv|json|jsonl|ndjson|txt|gz|zst|db|duckdb)$/i;

/**
 * refusalOf returns why a parsed SELECT may not run, or undefined when it may (pure):
 * table functions outside the allow-list, denied scalar functions, `AT (…)` clauses and
 * table names that are file paths (DuckDB's replacement scans) are refused.
 */
export function refusalOf(shape: SqlShape): string | undefined {
  for (const name of shape.tableFunctions) {
    if (!ALLOWED_TABLE_FUNCTIONS.has(name)) return `the query may not call the table function ${name}(); only lake tables, range, generate_series and unnest can be read`;
  }
  for (const name of shape.functions) {
    if (DENIED_FUNCTIONS.has(name) || name.startsWith('read_')) return `the query may not call the function ${name}()`;
  }
  if (shape.hasAtClause) return 'the query may not use AT (...): choose the snapshot with spec.snapshot instead';
  for (const ref of shape.references) {
    if (PATH_LIKE.test(ref.table)) return `the query may not read the file ${JSON.stringify(ref.table)}; only lake tables can be read`;
  }
  return undefined;
}

/**
 * parseSelect parses the user's SQL with DuckDB's own parser, the SQL bound as a
 * parameter (reads nothing), and refuses anything but exactly one SELECT:
 * FM_ERR_QUERY_REFUSED with one sentence. Returns the query's shape.
 */
export async function parseSelect(connection: DuckDBConnection, sql: string): Promise<SqlShape> {
  let count: number;
  try {
    count = (await connection.extractStatements(sql)).count;
  } catch (error) {
    throw new FeathermanError('FM_ERR_QUERY_FAILED', `sql: does not parse: ${firstLine(error)}`, { cause: error });
  }
  if (count !== 1) throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: must be exactly one SELECT statement; got ${count} statements.`);
  const reader = await connection.runAndReadAll('SELECT json_serialize_sql(CAST(? AS VARCHAR)) AS ast', [sql]);
  const json = reader.getRowObjectsJS()[0]?.ast;
  const ast: unknown = JSON.parse(typeof json === 'string' ? json : '{}');
  const parsed = ast as { error?: boolean; error_message?: string; statements?: unknown[] };
  if (parsed.error !== false || !Array.isArray(parsed.statements) || parsed.statements.length !== 1) {
    throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: must be one read-only SELECT; ${parsed.error_message ?? 'this statement is not a SELECT'}.`);
  }
  const shape = analyzeSql(parsed.statements);
  const refusal = refusalOf(shape);
  if (refusal) throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: ${refusal}.`);
  return shape;
}

/**
 * prepareSelect prepares the user's SQL as its own statement on the locked sandbox
 * connection and checks that DuckDB sees one SELECT without parameters (side effect:
 * binding; the sandbox refuses any file access outside the cache).
 */
export async function prepareSelect(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let prepared: DuckDBPreparedStatement;
  try {
    const extracted = await connection.extractStatements(sql);
    if (extracted.count !== 1) throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: must be exactly one SELECT statement; got ${extracted.count} statements.`);
    prepared = await extracted.prepare(0);
  } catch (error) {
    throw mapQueryError(error);
  }
  if (prepared.statementType !== StatementType.SELECT) {
    prepared.destroySync();
    throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: must be a read-only SELECT; got a ${StatementType[prepared.statementType]} statement.`);
  }
  if (prepared.parameterCount > 0) {
    prepared.destroySync();
    throw new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: must not contain parameters; got ${prepared.parameterCount}.`);
  }
  return prepared;
}

/** mapQueryError turns a DuckDB error from user SQL into a FeathermanError (pure): permission errors are refusals. */
export function mapQueryError(error: unknown): FeathermanError {
  if (error instanceof FeathermanError) return error;
  const message = firstLine(error);
  if (/^Permission Error/i.test(message) || /disabled by configuration|configuration has been locked/i.test(message)) {
    return new FeathermanError('FM_ERR_QUERY_REFUSED', `sql: refused by the sandbox: ${message}`, { cause: error });
  }
  return new FeathermanError('FM_ERR_QUERY_FAILED', `sql: failed: ${message}`, { cause: error });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? message).slice(0, 300);
}
