/**
 * query-support builds DuckLake 1.0 catalogs for the read-path tests with plain SQL, row
 * by row as ducklake-format.md describes (and as the stock extension writes them): data
 * files are Parquet with field ids = column ids, uploaded to the embedded S3 server.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';
import { initCatalog } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, type DuckDBHandle } from '../../runner/lake/duckdb.ts';
import { quoteIdentifier, quoteString } from '../../runner/lake/sql.ts';
import type { ObjectStore } from '../../runner/storage/object-store.ts';

/** ColumnDef is a top-level column of a test table. */
export interface ColumnDef {
  id: number;
  name: string;
  type: string;
  initialDefault?: string | null;
}

/** TestTable is what the builder remembers about a table. */
export interface TestTable {
  tableId: number;
  name: string;
  columns: ColumnDef[];
  partitionId: number | null;
  nextRowId: number;
}

/** TestLake writes a catalog and its data files directly (side effects: files, objects). */
export class TestLake {
  readonly dataPath: string;
  private snapshot = 0;
  private nextCatalogId = 1;
  private nextFileId = 0;
  private schemaVersion = 0;
  private clock: number;
  private fileSeq = 0;

  private constructor(
    private readonly db: DuckDBHandle,
    readonly catalogPath: string,
    private readonly workDir: string,
    private readonly store: ObjectStore,
    private readonly prefix: string,
    start: Date,
  ) {
    this.dataPath = `s3://${store.bucket}/${prefix}`;
    this.clock = start.getTime();
  }

  /** create initialises a catalog file in `workDir` with data under s3://<bucket>/<prefix>. */
  static async create(workDir: string, store: ObjectStore, prefix = 'data/', start = new Date('2025-01-01T00:00:00Z')): Promise<TestLake> {
    const catalogPath = join(workDir, 'catalog.ducklake');
    const db = await openDuckDB(catalogPath);
    const lake = new TestLake(db, catalogPath, workDir, store, prefix, start);
    await initCatalog(db.connection, { dataPath: lake.dataPath, createdBy: 'DuckDB test', now: start });
    return lake;
  }

  get connection(): DuckDBConnection {
    return this.db.connection;
  }

  /** timeOf is the commit time the builder gave a snapshot (one hour apart, from the start). */
  timeOf(snapshotId: number): Date {
    return new Date(this.clock + snapshotId * 3_600_000);
  }

  private async commit(changes: string, ddl: boolean, build: (s: number) => Promise<void>): Promise<number> {
    const s = this.snapshot + 1;
    await this.run('BEGIN TRANSACTION');
    try {
      await build(s);
      if (ddl) this.schemaVersion += 1;
      await this.run('INSERT INTO ducklake_snapshot VALUES (?, ?::TIMESTAMPTZ, ?, ?, ?)', [
        BigInt(s), this.timeOf(s).toISOString(), BigInt(this.schemaVersion), BigInt(this.nextCatalogId), BigInt(this.nextFileId),
      ]);
      await this.run('INSERT INTO ducklake_snapshot_changes VALUES (?, ?, NULL, NULL, NULL)', [BigInt(s), changes]);
      await this.run('COMMIT');
    } catch (error) {
      await this.run('ROLLBACK');
      throw error;
    }
    this.snapshot = s;
    return s;
  }

  private async run(sql: string, params: DuckDBValue[] = []): Promise<void> {
    await this.db.connection.run(sql, params);
  }

  private async insertColumn(s: number, tableId: number, column: ColumnDef): Promise<void> {
    await this.run("INSERT INTO ducklake_column VALUES (?, ?, NULL, ?, ?, ?, ?, ?, NULL, true, NULL, 'literal', 'duckdb')", [
      BigInt(column.id), BigInt(s), BigInt(tableId), BigInt(column.id), column.name, column.type, column.initialDefault ?? null,
    ]);
  }

  /** createTable adds a table in schema main (optionally partitioned) in one snapshot. */
  async createTable(name: string, columns: ColumnDef[], partition: { columnId: number; transform: string }[] = []): Promise<TestTable> {
    const table: TestTable = { tableId: this.nextCatalogId, name, columns: [...columns], partitionId: null, nextRowId: 0 };
    this.nextCatalogId += 1;
    await this.commit(`created_table:"main"."${name}"`, true, async (s) => {
      await this.run("INSERT INTO ducklake_table VALUES (?, uuid(), ?, NULL, 0, ?, ?, true)", [BigInt(table.tableId), BigInt(s), name, `${name}/`]);
      for (const column of columns) await this.insertColumn(s, table.tableId, column);
      if (partition.length > 0) {
        table.partitionId = this.nextCatalogId;
        this.nextCatalogId += 1;
        await this.run('INSERT INTO ducklake_partition_info VALUES (?, ?, ?, NULL)', [BigInt(table.partitionId), BigInt(table.tableId), BigInt(s)]);
        for (const [index, key] of partition.entries()) {
          await this.run('INSERT INTO ducklake_partition_column VALUES (?, ?, ?, ?, ?)', [
            BigInt(table.partitionId), BigInt(table.tableId), BigInt(index), BigInt(key.columnId), key.transform,
          ]);
        }
      }
      await this.run('INSERT INTO ducklake_schema_versions VALUES (?, ?, ?)', [BigInt(s), BigInt(this.schemaVersion + 1), BigInt(table.tableId)]);
    });
    return table;
  }

  /**
   * insert writes the rows of `select` (columns named as the table's current columns) to
   * one Parquet file with field ids, uploads it and commits it with stats and partition values.
   */
  async insert(table: TestTable, select: string, partitionValues: (string | null)[] = [], options: { writeStats?: boolean } = {}): Promise<{ snapshotId: number; dataFileId: number; key: string }> {
    this.fileSeq += 1;
    const local = join(this.workDir, `file-${this.fileSeq}.parquet`);
    const fieldIds = table.columns.map((c) => `${quoteIdentifier(c.name)}: ${c.id}`).join(', ');
    const reader = await this.db.connection.runAndReadAll(
      `COPY (SELECT ${table.columns.map((c) => quoteIdentifier(c.name)).join(', ')} FROM (${select})) TO ${quoteString(local)} (FORMAT parquet, FIELD_IDS {${fieldIds}}, RETURN_STATS)`,
    );
    const row = reader.getRowObjectsJS()[0];
    if (!row) throw new Error('COPY returned no stats');
    const dir = partitionValues.length > 0 ? `${partitionValues.map((v, i) => `k${i}=${v ?? '__HIVE_DEFAULT_PARTITION__'}`).join('/')}/` : '';
    const relative = `${dir}ducklake-test-${this.fileSeq}.parquet`;
    const key = `${this.prefix}main/${table.name}/${relative}`;
    await this.store.putFile(key, local);
    const size = (await stat(local)).size;
    const records = Number(row.count);
    const dataFileId = this.nextFileId;
    this.nextFileId += 1;
    const stats = new Map<string, Map<string, string>>();
    for (const entry of row.column_statistics as unknown as { key: string; value: { key: string; value: string }[] }[]) {
      stats.set(entry.key.replace(/^"|"$/g, ''), new Map(entry.value.map((kv) => [kv.key, kv.value])));
    }
    const snapshotId = await this.commit(`inserted_into_table:${table.tableId}`, false, async (s) => {
      await this.run("INSERT INTO ducklake_data_file VALUES (?, ?, ?, NULL, NULL, ?, true, 'parquet', ?, ?, ?, ?, ?, NULL, NULL, NULL)", [
        BigInt(dataFileId), BigInt(table.tableId), BigInt(s), relative, BigInt(records), BigInt(size), BigInt(Number(row.footer_size_bytes)),
        BigInt(table.nextRowId), table.partitionId === null ? null : BigInt(table.partitionId),
      ]);
      if (options.writeStats !== false) {
        for (const column of table.columns) {
          const st = stats.get(column.name);
          if (!st) continue;
          const nulls = Number(st.get('null_count') ?? 0);
          await this.run('INSERT INTO ducklake_file_column_stats VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)', [
            BigInt(dataFileId), BigInt(table.tableId), BigInt(column.id), BigInt(Number(st.get('column_size_bytes') ?? 0)),
            BigInt(Number(st.get('num_values') ?? records) - nulls), BigInt(nulls), st.get('min') ?? null, st.get('max') ?? null,
            column.type.startsWith('float') ? st.get('has_nan') === 'true' : null,
          ]);
        }
      }
      for (const [index, value] of partitionValues.entries()) {
        await this.run('INSERT INTO ducklake_file_partition_value VALUES (?, ?, ?, ?)', [BigInt(dataFileId), BigInt(table.tableId), BigInt(index), value]);
      }
      await this.run('DELETE FROM ducklake_table_stats WHERE table_id = ?', [BigInt(table.tableId)]);
      await this.run('INSERT INTO ducklake_table_stats VALUES (?, ?, ?, 0)', [BigInt(table.tableId), BigInt(table.nextRowId + records), BigInt(table.nextRowId + records)]);
    });
    table.nextRowId += records;
    return { snapshotId, dataFileId, key };
  }

  /** deleteRows writes a delete file with these positions of a data file (replacing an earlier one, spec style). */
  async deleteRows(table: TestTable, dataFileId: number, positions: number[]): Promise<number> {
    this.fileSeq += 1;
    const local = join(this.workDir, `delete-${this.fileSeq}.parquet`);
    const list = positions.map((p) => String(Math.trunc(p))).join(', ');
    await this.run(
      `COPY (SELECT 'ignored' AS file_path, unnest([${list}])::BIGINT AS pos ORDER BY pos) TO ${quoteString(local)} (FORMAT parquet, FIELD_IDS {file_path: 2147483646, pos: 2147483645})`,
    );
    const relative = `ducklake-test-${this.fileSeq}-delete.parquet`;
    await this.store.putFile(`${this.prefix}main/${table.name}/${relative}`, local);
    const size = (await stat(local)).size;
    const id = this.nextFileId;
    this.nextFileId += 1;
    return this.commit(`deleted_from_table:${table.tableId}`, false, async (s) => {
      await this.run('UPDATE ducklake_delete_file SET end_snapshot = ? WHERE data_file_id = ? AND end_snapshot IS NULL', [BigInt(s), BigInt(dataFileId)]);
      await this.run("INSERT INTO ducklake_delete_file VALUES (?, ?, ?, NULL, ?, ?, true, 'parquet', ?, ?, NULL, NULL, NULL)", [
        BigInt(id), BigInt(table.tableId), BigInt(s), BigInt(dataFileId), relative, BigInt(positions.length), BigInt(size),
      ]);
    });
  }

  /** alterColumns ends the rows of changed/dropped columns and inserts the new versions, in one snapshot. */
  async alterColumns(table: TestTable, columns: ColumnDef[]): Promise<number> {
    const s = await this.commit(`altered_table:${table.tableId}`, true, async (snap) => {
      const before = new Map(table.columns.map((c) => [c.id, c]));
      const after = new Map(columns.map((c) => [c.id, c]));
      for (const old of table.columns) {
        const next = after.get(old.id);
        if (!next || next.name !== old.name || next.type !== old.type) {
          await this.run('UPDATE ducklake_column SET end_snapshot = ? WHERE table_id = ? AND column_id = ? AND end_snapshot IS NULL', [
            BigInt(snap), BigInt(table.tableId), BigInt(old.id),
          ]);
        }
      }
      for (const column of columns) {
        const old = before.get(column.id);
        if (!old || old.name !== column.name || old.type !== column.type) await this.insertColumn(snap, table.tableId, column);
      }
      await this.run('INSERT INTO ducklake_schema_versions VALUES (?, ?, ?)', [BigInt(snap), BigInt(this.schemaVersion + 1), BigInt(table.tableId)]);
    });
    table.columns = [...columns];
    return s;
  }

  /** close closes the catalog file so a reader can open it read-only. */
  async close(): Promise<void> {
    await this.db.close();
  }
}
