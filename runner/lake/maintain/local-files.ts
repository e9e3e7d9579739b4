/**
 * Bringing a table's objects into a work folder and writing positional delete files
 * (format §7.3: `file_path` VARCHAR with field id 2147483646, `pos` BIGINT with field id
 * 2147483645, positions strictly increasing, 0-based row positions in the data file).
 */
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { FeathermanError } from '../../errors.ts';
import { uuidV7 } from '../catalog/index.ts';
import { queryRows, queryRowsBig } from '../duckdb.ts';
import { quoteString } from '../sql.ts';
import { parseS3Url } from './file-refs.ts';
import type { StoreLookup } from './bucket-scan.ts';

/** DELETE_FILE_PATH_FIELD_ID and DELETE_FILE_POS_FIELD_ID are the field ids the extension writes in delete files. */
export const DELETE_FILE_PATH_FIELD_ID = 2147483646;
export const DELETE_FILE_POS_FIELD_ID = 2147483645;

/** downloadObject fetches one lake object (s3:// URL) to a local file (side effect: the file). */
export async function downloadObject(storeFor: StoreLookup, url: string, localPath: string): Promise<string> {
  const location = parseS3Url(url);
  if (!location) throw new FeathermanError('FM_ERR_INVALID_SPEC', `lake file ${JSON.stringify(url)} is not an s3:// URL; maintenance reads objects from S3 only`);
  await storeFor(location.bucket).getToFile(location.key, localPath);
  return localPath;
}

/** columnNameByFieldId finds the Parquet column that carries a DuckLake column id (renames keep the id); undefined when absent. */
export async function columnNameByFieldId(connection: DuckDBConnection, localPath: string, fieldId: number): Promise<string | undefined> {
  const rows = await queryRows(connection, `SELECT name FROM parquet_schema(${quoteString(localPath)}) WHERE field_id = ?`, [fieldId]);
  const name = rows[0]?.name;
  return typeof name === 'string' ? name : undefined;
}

/** WrittenDeleteFile is a delete file written locally, ready to upload and register. */
export interface WrittenDeleteFile {
  localPath: string;
  /** Name relative to the table directory (`ducklake-<uuidv7>-delete.parquet`). */
  relativePath: string;
  deleteCount: number;
  sizeBytes: number;
  footerSize: number;
}

/**
 * writeDeleteFile writes the positions selected by `positionsSql` (a relation with a
 * BIGINT `pos` column, built by us) as a delete file for `dataFileUrl` (side effect: one
 * local file). Positions are de-duplicated and sorted.
 */
export async function writeDeleteFile(connection: DuckDBConnection, positionsSql: string, dataFileUrl: string, outDir: string, now: Date): Promise<WrittenDeleteFile> {
  const relativePath = `ducklake-${uuidV7(now.getTime())}-delete.parquet`;
  const localPath = join(outDir, relativePath);
  const rows = await queryRowsBig(connection, `COPY (SELECT ${quoteString(dataFileUrl)}::VARCHAR AS file_path, pos::BIGINT AS pos FROM (SELECT DISTINCT pos FROM (${positionsSql})) ORDER BY pos)
    TO ${quoteString(localPath)} (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {file_path: ${DELETE_FILE_PATH_FIELD_ID}, pos: ${DELETE_FILE_POS_FIELD_ID}}, RETURN_STATS)`);
  const row = rows[0];
  return {
    localPath,
    relativePath,
    deleteCount: Number(row?.count ?? 0),
    sizeBytes: Number(row?.file_size_bytes ?? 0),
    footerSize: Number(row?.footer_size_bytes ?? 0),
  };
}
