/**
 * SqlChecker: is a DuckLakeQuery's SQL one read-only SELECT? It asks DuckDB's own parser
 * (through the runner's parseSelect, so admission and the runner refuse the same things),
 * on an in-memory database with no extensions, opened on first use: DuckDB is loaded only
 * when the admission webhook needs it, which keeps the other functions' cold start small.
 * Side effects: a DuckDB instance in memory.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** SqlVerdict is the checker's answer; `message` is one sentence naming spec.sql. */
export type SqlVerdict = { ok: true } | { ok: false; message: string };

/** SqlChecker checks SQL with DuckDB's parser (side effects: one lazily opened in-memory DuckDB). */
export class SqlChecker {
  private connection: Promise<{ connection: DuckDBConnection; close: () => Promise<void> }> | undefined;
  // DuckDB connections run one statement at a time; checks queue behind each other.
  private queue: Promise<unknown> = Promise.resolve();

  private open() {
    this.connection ??= (async () => {
      const { openDuckDB } = await import('../../runner/lake/duckdb.ts');
      const handle = await openDuckDB(':memory:', { threads: 1, memoryLimit: '64MB' });
      return { connection: handle.connection, close: () => handle.close() };
    })();
    return this.connection;
  }

  /** checkReadOnlySelect parses `sql` and says whether it is exactly one read-only SELECT over lake tables. */
  checkReadOnlySelect(sql: string): Promise<SqlVerdict> {
    const run = this.queue.then(async (): Promise<SqlVerdict> => {
      const { connection } = await this.open();
      const { parseSelect } = await import('../../runner/lake/read/sql-guard.ts');
      try {
        await parseSelect(connection, sql);
        return { ok: true };
      } catch (error) {
        const text = error instanceof Error ? error.message : String(error);
        if (!/^sql: /.test(text)) throw new Error('while checking spec.sql with DuckDB', { cause: error });
        return { ok: false, message: `spec.${text}` };
      }
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** close closes the DuckDB instance if it was opened. */
  async close(): Promise<void> {
    const opened = this.connection;
    this.connection = undefined;
    if (opened !== undefined) await (await opened).close();
  }
}
