/**
 * From landing objects to local Parquet files: CSV and JSON landing objects stream from
 * S3 into DuckDB through named pipes while the COPY runs (landing-stream.ts); Parquet
 * landing files need random access and are downloaded through the file cache first, as
 * are compressed CSV/JSON files, and all of them when pipes cannot be made or a stream broke. A COPY that fails is
 * diagnosed on downloaded copies, one landing file at a time, so the error names the file.
 * A COPY over downloaded files hands its output folder to `watchDir`, so the files can go
 * up while DuckDB writes them.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { IngestSpec } from '../../../api/table-spec.ts';
import type { FileCache } from '../../storage/file-cache.ts';
import type { ObjectStore } from '../../storage/object-store.ts';
import { openDuckDB, type DuckDBHandle } from '../duckdb.ts';
import { downloadLandingFiles, findBadLandingFile, landingSource, type LandingObject } from './landing.ts';
import { isStreamableKey, MAX_STREAMED_FILES, openLandingStreams, type LandingStreams } from './landing-stream.ts';
import { writeDataFiles, type WrittenFile } from './parquet-writer.ts';
import type { PartitionField } from './partition.ts';
import type { ColumnNode } from './table-columns.ts';

/** LandingWriteOptions say what to read, how to write it, and where to work. */
export interface LandingWriteOptions {
  store: ObjectStore;
  cache: FileCache;
  ingest: IngestSpec;
  objects: readonly LandingObject[];
  columns: readonly ColumnNode[];
  partitionFields: readonly PartitionField[];
  compression: 'zstd' | 'snappy';
  targetFileSizeBytes: number;
  /** DuckDB memory limit, e.g. `512MB`. */
  memoryLimit: string;
  /** An empty local folder to work under (pipes, spill, Parquet output). */
  workDir: string;
  /** watchDir is passed on to writeDataFiles (early uploads) when the COPY reads downloaded files. */
  watchDir?: (dir: string) => void;
  log: Logger;
}

/** LandingWrite is what writeLandingFiles produced: the Parquet files and the cached landing copies it read (none when streamed). */
export interface LandingWrite {
  files: WrittenFile[];
  downloaded: string[];
}

async function copyLanding(work: DuckDBHandle, options: LandingWriteOptions, paths: readonly string[], outDir: string, watch: boolean): Promise<WrittenFile[]> {
  return writeDataFiles({
    connection: work.connection,
    source: landingSource(options.ingest.format, paths, options.columns, options.ingest.options),
    columns: options.columns,
    partitionFields: options.partitionFields,
    compression: options.compression,
    targetFileSizeBytes: options.targetFileSizeBytes,
    outDir,
    ...(options.watchDir && watch ? { watchDir: options.watchDir } : {}),
  });
}

/** diagnose downloads the landing files and returns the error naming the first that DuckDB refuses, or undefined (side effect: cached copies). */
async function diagnose(work: DuckDBHandle, options: LandingWriteOptions) {
  const landing = await downloadLandingFiles(options.cache, options.objects);
  return findBadLandingFile(work.connection, options.ingest.format, landing, options.columns, options.ingest.options, options.store.bucket);
}

async function streamed(work: DuckDBHandle, options: LandingWriteOptions, streams: LandingStreams): Promise<WrittenFile[] | undefined> {
  const outDir = join(options.workDir, 'parquet-streamed');
  const again = async (error: unknown) => {
    options.log.warn({ phase: 'write', err: String(error) }, 'the COPY over landing streams failed or a stream broke; writing again from downloaded files');
    await rm(outDir, { recursive: true, force: true });
    return undefined;
  };
  let files: WrittenFile[];
  try {
    // No early uploads while bytes stream through the pipes: the COPY already keeps both
    // cores busy, so the upload's CPU lengthens it by about what it saves afterwards (level
    // over 7 paired rounds at 10M rows, and again over 5 with the embedded server's faster
    // multipart completion; bench/README.md).
    files = await copyLanding(work, options, streams.paths, outDir, false);
  } catch (error) {
    const end = await streams.end();
    if (end.mismatch) throw end.mismatch;
    const bad = await diagnose(work, options);
    if (bad) throw bad;
    // Every file reads alone, so the pipes were the trouble (a line cut short by a broken
    // stream, a reader that opened a pipe twice): write again from the downloaded files.
    return again(error);
  }
  const end = await streams.end();
  // An ETag or size that differs from the listing is the same error a download gives.
  if (end.mismatch) throw end.mismatch;
  return end.broken ? again(end.failure) : files;
}

/**
 * writeLandingFiles writes the landing objects as Parquet under workDir and returns the
 * files (side effects: local files, GETs, cached copies when downloaded). A landing file
 * that does not fit the columns is FM_ERR_LANDING_FILE naming the file, line and column.
 */
export async function writeLandingFiles(options: LandingWriteOptions): Promise<LandingWrite> {
  const work = await openDuckDB(':memory:', { tempDir: join(options.workDir, 'spill'), memoryLimit: options.memoryLimit, log: options.log });
  try {
    // A text-hashed bucket key joins the source with itself: two scans, and a pipe reads once.
    const streamable = options.ingest.format !== 'parquet' && options.objects.length <= MAX_STREAMED_FILES
      && options.objects.every((object) => isStreamableKey(object.key))
      && options.partitionFields.every((field) => field.kind !== 'bucket-text');
    const streams = streamable ? await openLandingStreams(options.store, options.objects, join(options.workDir, 'pipes')) : undefined;
    if (streams) {
      const files = await streamed(work, options, streams);
      if (files) return { files, downloaded: [] };
    }
    const landing = await downloadLandingFiles(options.cache, options.objects);
    try {
      const paths = landing.map((file) => file.localPath);
      return { files: await copyLanding(work, options, paths, join(options.workDir, 'parquet'), true), downloaded: paths };
    } catch (error) {
      const bad = await findBadLandingFile(work.connection, options.ingest.format, landing, options.columns, options.ingest.options, options.store.bucket);
      if (bad) throw bad;
      throw error;
    }
  } finally {
    await work.close();
  }
}
