import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBPreparedStatement } from '@duckdb/node-api';
import { openDuckDB } from '../duckdb.ts';
import { quoteIdentifier, quoteString } from '../sql.ts';
import { mapQueryError } from './sql-guard.ts';

/** OutputFormat is a result file format a query can write. */
export type OutputFormat = 'parquet' | 'csv' | 'json';

/** QueryOutput is what running the user's statement produced. */
export interface QueryOutput {
  rows: number;
  /** Local result file when a format was asked for, and its size. */
  file?: { path: string; bytes: number };
  /** The first rows as JSON-ready objects, for the preview. */
  previewRows: Record<string, unknown>[];
}

const COPY_OPTIONS: Record<OutputFormat, string> = {
  parquet: '(FORMAT parquet, COMPRESSION zstd)',
  csv: '(FORMAT csv, HEADER true)',
  json: '(FORMAT json)',
};

/** CONTENT_TYPES are the MIME types of the output formats. */
export const CONTENT_TYPES: Record<OutputFormat, string> = {
  parquet: 'application/vnd.apache.parquet',
  csv: 'text/csv',
  json: 'application/x-ndjson',
};

/**
 * runToOutput streams the prepared user statement chunk by chunk into a table of a
 * separate, unsandboxed in-memory DuckDB through an appender, then writes that table with
 * our own COPY (side effects: a local file under `workDir`). The user's SQL is never
 * embedded in another statement; errors from it map to FM_ERR_QUERY_*.
 */
export async function runToOutput(
  prepared: DuckDBPreparedStatement,
  workDir: string,
  format: OutputFormat | undefined,
  previewRows: number,
): Promise<QueryOutput> {
  const writer = await openDuckDB(':memory:', { threads: 2, tempDir: join(workDir, 'writer-spill') });
  try {
    let result;
    try {
      result = await prepared.stream();
    } catch (error) {
      throw mapQueryError(error);
    }
    const names = result.deduplicatedColumnNames();
    const types = result.columnTypes();
    const columns = names.map((name, i) => `${quoteIdentifier(name)} ${String(types[i])}`).join(', ');
    await writer.connection.run(`CREATE TABLE result (${columns})`);
    const appender = await writer.connection.createAppender('result');
    let rows = 0;
    try {
      for (;;) {
        let chunk;
        try {
          chunk = await result.fetchChunk();
        } catch (error) {
          throw mapQueryError(error);
        }
        if (!chunk || chunk.rowCount === 0) break;
        appender.appendDataChunk(chunk);
        rows += chunk.rowCount;
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    const preview = await writer.connection.runAndReadAll(`SELECT * FROM result LIMIT ${Math.max(0, Math.trunc(previewRows))}`);
    const output: QueryOutput = { rows, previewRows: preview.getRowObjectsJson() as Record<string, unknown>[] };
    if (format) {
      const path = join(workDir, `result.${format === 'json' ? 'jsonl' : format}`);
      await writer.connection.run(`COPY result TO ${quoteString(path)} ${COPY_OPTIONS[format]}`);
      output.file = { path, bytes: (await stat(path)).size };
    }
    return output;
  } finally {
    await writer.close();
  }
}
