/**
 * One bound catalog statement in two native calls. `connection.run(sql, values)` makes
 * three (split the text into statements, prepare the last one, execute it); a commit runs
 * about a dozen short statements, and each native call is a trip through libuv's thread
 * pool, so the split is skipped for texts that are a single statement.
 *
 * The prepared statement is destroyed right after its one execution, never cached: in
 * DuckDB 1.5 a statement prepared on a table loaded from disk keeps scanning the rows it
 * saw when it was prepared (a cached `SELECT max(snapshot_id)` returned the same id after
 * later commits), so a reused statement could read a stale catalog.
 */
import type { DuckDBConnection, DuckDBPreparedStatement } from '@duckdb/node-api';
import { debugSql, type SqlParams, type SqlValueBig } from '../duckdb.ts';

/** withStatement prepares ONE statement, binds `params`, hands it to `use` and destroys it (logs the SQL at DEBUG). */
export async function withStatement<T>(connection: DuckDBConnection, sql: string, params: SqlParams, use: (statement: DuckDBPreparedStatement) => Promise<T>): Promise<T> {
  debugSql(connection, sql, params);
  const statement = await connection.prepare(sql);
  try {
    statement.bind(params);
    return await use(statement);
  } finally {
    statement.destroySync();
  }
}

/** runBound executes ONE statement (no `;`-separated list) with bound values (side effect). */
export async function runBound(connection: DuckDBConnection, sql: string, params: SqlParams): Promise<void> {
  await withStatement(connection, sql, params, (statement) => statement.run());
}

/** queryBound runs ONE query with bound values and returns its rows with BIGINT as bigint (read only). */
export async function queryBound(connection: DuckDBConnection, sql: string, params: SqlParams): Promise<Record<string, SqlValueBig>[]> {
  return withStatement(connection, sql, params, async (statement) => (await statement.runAndReadAll()).getRowObjectsJS() as Record<string, SqlValueBig>[]);
}
