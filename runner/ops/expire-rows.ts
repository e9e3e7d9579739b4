/**
 * The expire-rows operation (TTL): remove the rows of one table whose age column is older
 * than now − ttlDays, in one snapshot. Files whose newest row is past the cutoff (from the
 * column stats, no NULL ages) are ended without being read; files that straddle the cutoff
 * get a positional delete file holding all their deleted positions (the previous delete
 * file, if any, is ended); files within the TTL are untouched; no data file is rewritten.
 * Older snapshots keep seeing the old rows. Rows whose age is NULL never expire. Rows the
 * extension inlined into the catalog are ended in place (lake/maintain/inlined-ttl.ts).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExpireRowsPlan } from '../../api/plan.ts';
import { FeathermanError, isFeathermanError } from '../errors.ts';
import { commitSnapshot, openCatalog, readSnapshot, readTable, readTableFigures } from '../lake/catalog/index.ts';
import { openDuckDB, queryOne, type DuckDBHandle } from '../lake/duckdb.ts';
import type { StoreLookup } from '../lake/maintain/bucket-scan.ts';
import { endInlinedRows, findInlinedExpired } from '../lake/maintain/inlined-ttl.ts';
import { columnNameByFieldId, downloadObject, writeDeleteFile, type WrittenDeleteFile } from '../lake/maintain/local-files.ts';
import { maintenanceOutcome } from '../lake/maintain/outcome.ts';
import { readTableFiles, type MaintainedFile } from '../lake/maintain/table-files.ts';
import { cutoffLiteral, decideTtl, ttlCutoff, ttlKindOf, type TtlKind } from '../lake/maintain/ttl.ts';
import { quoteIdentifier, quoteString } from '../lake/sql.ts';
import { readInlinedDeletes } from '../lake/read/inlined.ts';
import { objectLocation } from '../lake/write/file-plan.ts';
import { uploadAndVerify } from '../lake/write/upload.ts';
import type { Operation, OpContext, OpOutcome } from './context.ts';
import { storeOf } from './context.ts';

interface ScanInput {
  scratch: DuckDBHandle;
  storeFor: StoreLookup;
  workDir: string;
  columnId: number;
  kind: TtlKind;
  cutoff: Date;
  now: Date;
  /** Positions the extension deleted inline (ducklake_inlined_delete_<table>), per data file id. */
  inlinedDeletes: ReadonlyMap<number, number[]>;
}

type ScanResult = { action: 'keep' } | { action: 'drop'; rows: number } | { action: 'delete'; rows: number; written: WrittenDeleteFile };

async function scanFile(file: MaintainedFile, input: ScanInput): Promise<ScanResult> {
  const data = await downloadObject(input.storeFor, file.url, join(input.workDir, `${file.dataFileId}.parquet`));
  const column = await columnNameByFieldId(input.scratch.connection, data, input.columnId);
  // A file written before the age column existed holds only its initial default: never aged.
  if (column === undefined) return { action: 'keep' };
  const value = input.kind === 'timestamptz' ? `${quoteIdentifier(column)} < ${quoteString(cutoffLiteral(input.cutoff, input.kind))}::TIMESTAMPTZ`
    : `CAST(${quoteIdentifier(column)} AS TIMESTAMP) < ${quoteString(cutoffLiteral(input.cutoff, input.kind))}::TIMESTAMP`;
  const parts = [`SELECT file_row_number::BIGINT AS pos FROM read_parquet(${quoteString(data)}, file_row_number = true) WHERE ${value}`];
  if (file.deleteFile) {
    const old = await downloadObject(input.storeFor, file.deleteFile.url, join(input.workDir, `${file.deleteFile.deleteFileId}-delete.parquet`));
    parts.push(`SELECT pos::BIGINT AS pos FROM read_parquet(${quoteString(old)})`);
  }
  // Positions the extension already deleted inline stay out of the delete file: it
  // subtracts delete_count and the inlined deletions from its row count separately.
  const inlined = input.inlinedDeletes.get(file.dataFileId) ?? [];
  const notInlined = inlined.length === 0 ? '' : ` WHERE pos NOT IN (SELECT unnest([${inlined.map((pos) => String(Math.trunc(pos))).join(', ')}]::BIGINT[]))`;
  const positions = `SELECT pos FROM (${parts.join(' UNION ALL ')})${notInlined}`;
  const counted = await queryOne(input.scratch.connection, `SELECT count(DISTINCT pos) AS n FROM (${positions})`);
  const total = Number(counted?.n ?? 0);
  const already = file.deleteFile?.deleteCount ?? 0;
  const gone = new Set(inlined).size;
  if (total <= already) return { action: 'keep' };
  if (total + gone >= file.recordCount) return { action: 'drop', rows: file.recordCount - already - gone };
  const written = await writeDeleteFile(input.scratch.connection, positions, file.url, input.workDir, input.now);
  return { action: 'delete', rows: total - already, written };
}

async function run(plan: ExpireRowsPlan, ctx: OpContext): Promise<OpOutcome> {
  const name = `${plan.table.schema}.${plan.table.name}`;
  const now = ctx.now();
  const cutoff = ttlCutoff(now, plan.table.ttlDays);
  const storeFor: StoreLookup = (bucket) => storeOf(ctx, bucket);
  const workDir = join(ctx.cacheDir, `expire-rows-${randomUUID()}`);
  await mkdir(workDir, { recursive: true });
  const catalog = await openCatalog(plan.catalog.path, { log: ctx.log });
  const scratch = await openDuckDB(':memory:', { tempDir: join(workDir, 'spill'), log: ctx.log });
  try {
    const latest = await readSnapshot(catalog.connection);
    if (!latest) throw new FeathermanError('FM_ERR_CATALOG_MISSING', `the catalog ${plan.catalog.path} has no snapshot; run init-catalog first`);
    const table = await readTable(catalog.connection, plan.table.schema, plan.table.name, latest.snapshotId);
    if (!table) throw new FeathermanError('FM_ERR_TABLE_MISSING', `table.name: table ${name} does not exist in catalog ${plan.catalog.name}; got ${JSON.stringify(plan.table.name)}`);
    const column = table.columns.find((each) => each.parentColumn === null && each.name.toLowerCase() === plan.table.ttlColumn.toLowerCase());
    if (!column) throw new FeathermanError('FM_ERR_INVALID_SPEC', `table.ttlColumn: must name a column of ${name}; got ${JSON.stringify(plan.table.ttlColumn)}`);
    const kind = ttlKindOf(column.name, column.type);
    const files = await readTableFiles(catalog.connection, table.tableId, table.location, latest.snapshotId, column.columnId);
    const drops: Array<{ file: MaintainedFile; rows: number }> = [];
    const deletes: Array<{ file: MaintainedFile; rows: number; written: WrittenDeleteFile }> = [];
    const inlinedDeletes = await readInlinedDeletes(catalog.connection, table.tableId, latest.snapshotId);
    const input: ScanInput = { scratch, storeFor, workDir, columnId: column.columnId, kind, cutoff, now, inlinedDeletes };
    let scanned = 0;
    let unmapped = 0;
    for (const file of files) {
      if (file.mappingId !== null) {
        // Read by name mapping (no field ids): not handled here; reported so it is not silent.
        unmapped += 1;
        continue;
      }
      const decision = decideTtl(file, cutoff);
      if (decision === 'keep') continue;
      if (decision === 'drop') {
        drops.push({ file, rows: file.recordCount - (file.deleteFile?.deleteCount ?? 0) - new Set(inlinedDeletes.get(file.dataFileId) ?? []).size });
        continue;
      }
      scanned += 1;
      const result = await scanFile(file, input);
      if (result.action === 'drop') drops.push({ file, rows: result.rows });
      else if (result.action === 'delete') deletes.push({ file, rows: result.rows, written: result.written });
    }
    if (unmapped > 0) ctx.log.warn({ files: unmapped }, `${unmapped} files of ${name} have no field ids (name-mapped) and were left out of the TTL`);
    const inlined = await findInlinedExpired(catalog.connection, table.tableId, column.columnId, kind, cutoff);
    const inlinedRows = inlined.reduce((sum, each) => sum + each.rows, 0);
    const rows = [...drops, ...deletes].reduce((sum, each) => sum + each.rows, 0) + inlinedRows;
    if (drops.length === 0 && deletes.length === 0 && inlinedRows === 0) {
      return maintenanceOutcome(`Table ${name}: no rows older than ${cutoff.toISOString()} (${files.length} files, ${scanned} read)`, {
        snapshotId: latest.snapshotId, details: { cutoff: cutoff.toISOString(), filesDropped: 0, deleteFiles: 0, filesRead: scanned },
      });
    }
    await uploadAndVerify(deletes.map(({ written }) => {
      const location = objectLocation(table.location, written.relativePath);
      return { localPath: written.localPath, key: location.key, sizeBytes: written.sizeBytes, store: storeFor(location.bucket) };
    }), ctx.log);
    const commit = await commitSnapshot(catalog.connection, { author: plan.author, message: `expire rows of ${name} older than ${cutoff.toISOString()}`, now }, async (tx) => {
      for (const { file } of drops) {
        await tx.run('UPDATE ducklake_data_file SET end_snapshot = ? WHERE data_file_id = ? AND end_snapshot IS NULL', [tx.snapshotId, file.dataFileId]);
        await tx.run('UPDATE ducklake_delete_file SET end_snapshot = ? WHERE data_file_id = ? AND end_snapshot IS NULL', [tx.snapshotId, file.dataFileId]);
      }
      for (const { file, written } of deletes) {
        if (file.deleteFile) await tx.run('UPDATE ducklake_delete_file SET end_snapshot = ? WHERE delete_file_id = ?', [tx.snapshotId, file.deleteFile.deleteFileId]);
        await tx.run('INSERT INTO ducklake_delete_file VALUES (?, ?, ?, NULL, ?, ?, true, \'parquet\', ?, ?, ?, NULL, NULL)', [
          tx.allocFileId(), table.tableId, tx.snapshotId, file.dataFileId, written.relativePath, written.deleteCount, written.sizeBytes, written.footerSize,
        ]);
      }
      if (drops.length > 0 || deletes.length > 0) tx.addChange('deleted_from_table', table.tableId);
      if (inlined.length > 0) {
        await endInlinedRows(tx.connection, inlined, tx.snapshotId);
        tx.addChange('inlined_delete', table.tableId);
      }
    });
    const bytesAdded = deletes.reduce((sum, each) => sum + each.written.sizeBytes, 0);
    const figures = await readTableFigures(catalog.connection, table.tableId, commit.snapshotId, commit.schemaVersion);
    return maintenanceOutcome(
      `Table ${name}: ${rows} rows older than ${cutoff.toISOString()} expired (${drops.length} files dropped, ${deletes.length} delete files), snapshot ${commit.snapshotId}`,
      {
        snapshotId: commit.snapshotId,
        rows,
        filesAdded: deletes.length,
        bytesAdded,
        filesRemoved: drops.length,
        bytesRemoved: drops.reduce((sum, each) => sum + each.file.sizeBytes, 0),
        table: figures,
        details: { cutoff: cutoff.toISOString(), filesDropped: drops.length, deleteFiles: deletes.length, filesRead: scanned, filesUntouched: files.length - drops.length - deletes.length, inlinedRows, filesSkippedUnmapped: unmapped },
      },
    );
  } catch (error) {
    if (isFeathermanError(error)) throw error;
    throw new Error(`while expiring rows of ${name}`, { cause: error });
  } finally {
    await scratch.close();
    await catalog.close();
    await rm(workDir, { recursive: true, force: true });
  }
}

/** operation expires the rows of one table past its TTL (side effects: delete files uploaded, one snapshot). */
export const operation: Operation<ExpireRowsPlan> = { lockMode: 'exclusive', run };
