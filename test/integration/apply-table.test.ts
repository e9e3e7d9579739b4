import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { ApplyTablePlan, InitCatalogPlan, type PlanInput } from '../../api/plan.ts';
import type { LakeTableSpecInput } from '../../api/table-spec.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { parseChanges, readTable, UUID_V7 } from '../../runner/lake/catalog/index.ts';
import { openDuckDB, queryRows, type SqlRow } from '../../runner/lake/duckdb.ts';
import type { OpContext } from '../../runner/ops/context.ts';
import { operation as applyTable } from '../../runner/ops/apply-table.ts';
import { operation as initCatalogOp } from '../../runner/ops/init-catalog.ts';
import { createObjectStoreFromPlan } from '../../runner/storage/from-plan.ts';

const OBJECT_STORE = { bucket: 'lake-bucket', prefix: 'warehouse', endpoint: 'http://127.0.0.1:9', forcePathStyle: true };

describe('apply-table', () => {
  let dir = '';
  let catalogPath = '';
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let ctx: OpContext;
  let closeStore = (): void => {};
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-apply-table-'));
    catalogPath = join(dir, 'catalog', 'lake.duckdb');
    const log = pino({ level: 'debug' }, new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
    const store = createObjectStoreFromPlan(InitCatalogPlan.parse(planInput('init-catalog')).objectStore, {});
    closeStore = () => store.close();
    ctx = { log, store, storeFor: () => store, cacheDir: dir, now: () => new Date((clock += 1000)) };
  });
  after(async () => {
    closeStore();
    await rm(dir, { recursive: true, force: true });
  });

  function planInput(op: 'init-catalog' | 'apply-table', extra: Record<string, unknown> = {}): PlanInput {
    return { op, catalog: { name: 'lake', path: catalogPath }, objectStore: OBJECT_STORE, author: 'tester', ...extra } as PlanInput;
  }

  function salesSpec(change: (spec: LakeTableSpecInput) => void = () => {}): LakeTableSpecInput {
    const spec: LakeTableSpecInput = {
      name: 'sales',
      comment: 'every sale',
      columns: [
        { name: 'id', type: 'INTEGER', nullable: false },
        { name: 'ts', type: 'TIMESTAMP' },
        { name: 'region', type: 'VARCHAR', comment: 'sales region' },
        { name: 'amount', type: 'DOUBLE' },
        { name: 'tags', type: 'VARCHAR[]' },
      ],
      format: { partitioning: ['region'] },
    };
    change(spec);
    return spec;
  }

  async function apply(spec: LakeTableSpecInput, drop = false) {
    return applyTable.run(ApplyTablePlan.parse(planInput('apply-table', { table: spec, drop })), ctx);
  }

  async function rows(sql: string): Promise<SqlRow[]> {
    const db = await openDuckDB(catalogPath, { readOnly: true });
    try {
      return await queryRows(db.connection, sql);
    } finally {
      await db.close();
    }
  }

  it('refuses to apply a table before the catalog exists', async () => {
    await assert.rejects(apply(salesSpec()), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_CATALOG_MISSING' && /does not exist/.test(error.message));
  });

  it('init-catalog creates the catalog once, then reports it as already there', async () => {
    const first = await initCatalogOp.run(InitCatalogPlan.parse(planInput('init-catalog')), ctx);
    assert.equal(first.summary, 'Catalog lake: created, data path s3://lake-bucket/warehouse/, snapshot 0');
    const bytes = await readFile(catalogPath);
    const second = await initCatalogOp.run(InitCatalogPlan.parse(planInput('init-catalog')), ctx);
    assert.equal(second.summary, 'Catalog lake: already initialised, data path s3://lake-bucket/warehouse/, snapshot 0');
    assert.ok((await readFile(catalogPath)).equals(bytes), 'a second init writes nothing');
  });

  it('creates the table in one snapshot with the rows the extension writes', async () => {
    const outcome = await apply(salesSpec());
    assert.equal(outcome.summary, 'Table main.sales: created, 5 columns, snapshot 1');
    assert.equal(outcome.snapshotId, 1);
    assert.deepEqual(outcome.table, { rowCount: 0, fileCount: 0, bytes: 0, schemaVersion: 1 });
    const [table] = await rows('SELECT table_id, table_uuid::VARCHAR AS uuid, begin_snapshot, end_snapshot, schema_id, table_name, path, path_is_relative FROM ducklake_table');
    assert.match(String(table?.uuid), UUID_V7);
    assert.deepEqual({ ...table, uuid: 'v7' }, { table_id: 1, uuid: 'v7', begin_snapshot: 1, end_snapshot: null, schema_id: 0, table_name: 'sales', path: 'sales/', path_is_relative: true });
    assert.deepEqual(await rows('SELECT * FROM ducklake_column ORDER BY column_id'), [
      { column_id: 1, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 1, column_name: 'id', column_type: 'int32', initial_default: null, default_value: 'NULL', nulls_allowed: false, parent_column: null, default_value_type: 'literal', default_value_dialect: 'duckdb' },
      { column_id: 2, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 2, column_name: 'ts', column_type: 'timestamp', initial_default: null, default_value: 'NULL', nulls_allowed: true, parent_column: null, default_value_type: 'literal', default_value_dialect: 'duckdb' },
      { column_id: 3, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 3, column_name: 'region', column_type: 'varchar', initial_default: null, default_value: 'NULL', nulls_allowed: true, parent_column: null, default_value_type: 'literal', default_value_dialect: 'duckdb' },
      { column_id: 4, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 4, column_name: 'amount', column_type: 'float64', initial_default: null, default_value: 'NULL', nulls_allowed: true, parent_column: null, default_value_type: 'literal', default_value_dialect: 'duckdb' },
      { column_id: 5, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 5, column_name: 'tags', column_type: 'list', initial_default: null, default_value: 'NULL', nulls_allowed: true, parent_column: null, default_value_type: 'literal', default_value_dialect: 'duckdb' },
      { column_id: 6, begin_snapshot: 1, end_snapshot: null, table_id: 1, column_order: 6, column_name: 'element', column_type: 'varchar', initial_default: null, default_value: 'NULL', nulls_allowed: true, parent_column: 5, default_value_type: 'literal', default_value_dialect: 'duckdb' },
    ]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_partition_info'), [{ partition_id: 2, table_id: 1, begin_snapshot: 1, end_snapshot: null }]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_partition_column'), [{ partition_id: 2, table_id: 1, partition_key_index: 0, column_id: 3, transform: 'identity' }]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_tag'), [{ object_id: 1, begin_snapshot: 1, end_snapshot: null, key: 'comment', value: 'every sale' }]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_column_tag'), [{ table_id: 1, column_id: 3, begin_snapshot: 1, end_snapshot: null, key: 'comment', value: 'sales region' }]);
    assert.deepEqual(await rows('SELECT snapshot_id, schema_version, next_catalog_id, next_file_id FROM ducklake_snapshot WHERE snapshot_id = 1'), [
      { snapshot_id: 1, schema_version: 1, next_catalog_id: 3, next_file_id: 0 },
    ]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_snapshot_changes WHERE snapshot_id = 1'), [
      { snapshot_id: 1, changes_made: 'created_table:"main"."sales"', author: 'tester', commit_message: 'create table main.sales', commit_extra_info: null },
    ]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_schema_versions'), [{ begin_snapshot: 1, schema_version: 1, table_id: 1 }]);
    assert.deepEqual(await rows('SELECT count(*)::INTEGER AS n FROM ducklake_table_stats'), [{ n: 0 }]);
  });

  it('does nothing when the spec already matches (no snapshot, same bytes)', async () => {
    const bytes = await readFile(catalogPath);
    const outcome = await apply(salesSpec((spec) => { spec.columns[0] = { name: 'id', type: 'int4', nullable: false }; }));
    assert.equal(outcome.summary, 'Table main.sales: unchanged, snapshot 1');
    assert.ok((await readFile(catalogPath)).equals(bytes));
  });

  it('adds a column: new id after the highest, altered_table, schema_versions row', async () => {
    const outcome = await apply(salesSpec((spec) => { spec.columns.push({ name: 'note', type: 'VARCHAR' }); }));
    assert.equal(outcome.summary, 'Table main.sales: add column note VARCHAR, snapshot 2');
    assert.deepEqual(await rows('SELECT column_id, begin_snapshot, column_order, column_name, column_type FROM ducklake_column WHERE column_id = 7'), [
      { column_id: 7, begin_snapshot: 2, column_order: 7, column_name: 'note', column_type: 'varchar' },
    ]);
    assert.deepEqual(await rows('SELECT snapshot_id, schema_version, next_catalog_id FROM ducklake_snapshot WHERE snapshot_id = 2'), [{ snapshot_id: 2, schema_version: 2, next_catalog_id: 3 }]);
    assert.deepEqual(await rows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 2'), [{ changes_made: 'altered_table:1' }]);
    assert.deepEqual(await rows('SELECT * FROM ducklake_schema_versions WHERE begin_snapshot = 2'), [{ begin_snapshot: 2, schema_version: 2, table_id: 1 }]);
  });

  function evolved(spec: LakeTableSpecInput): void {
    spec.columns.push({ name: 'note', type: 'VARCHAR' });
  }

  it('renames, widens, drops a column and changes partitioning, ending old rows', async () => {
    const renamed = await apply(salesSpec((spec) => {
      evolved(spec);
      spec.columns[3] = { name: 'total', type: 'DOUBLE', renamedFrom: 'amount' };
    }));
    assert.equal(renamed.summary, 'Table main.sales: rename column amount → total, snapshot 3');
    assert.deepEqual(await rows('SELECT column_name, begin_snapshot, end_snapshot FROM ducklake_column WHERE column_id = 4 ORDER BY begin_snapshot'), [
      { column_name: 'amount', begin_snapshot: 1, end_snapshot: 3 },
      { column_name: 'total', begin_snapshot: 3, end_snapshot: null },
    ]);
    const later = (spec: LakeTableSpecInput) => {
      evolved(spec);
      spec.columns[3] = { name: 'total', type: 'DOUBLE', renamedFrom: 'amount' };
      spec.columns[0] = { name: 'id', type: 'BIGINT', nullable: false };
    };
    const widened = await apply(salesSpec(later));
    assert.equal(widened.summary, 'Table main.sales: widen id INTEGER → BIGINT, snapshot 4');
    assert.deepEqual(await rows('SELECT column_type, nulls_allowed, begin_snapshot, end_snapshot FROM ducklake_column WHERE column_id = 1 ORDER BY begin_snapshot'), [
      { column_type: 'int32', nulls_allowed: false, begin_snapshot: 1, end_snapshot: 4 },
      { column_type: 'int64', nulls_allowed: false, begin_snapshot: 4, end_snapshot: null },
    ]);
    const dropped = await apply(salesSpec((spec) => { later(spec); spec.columns.splice(4, 1); }));
    assert.equal(dropped.summary, 'Table main.sales: drop column tags, snapshot 5');
    assert.deepEqual(await rows('SELECT column_id, end_snapshot FROM ducklake_column WHERE column_id IN (5, 6) ORDER BY column_id'), [
      { column_id: 5, end_snapshot: 5 }, { column_id: 6, end_snapshot: 5 },
    ]);
    const partitioned = await apply(salesSpec((spec) => {
      later(spec);
      spec.columns.splice(4, 1);
      spec.format = { partitioning: ['day(ts)', 'bucket(4, id)'] };
    }));
    assert.equal(partitioned.summary, 'Table main.sales: partition by day(ts), bucket(4, id), snapshot 6');
    assert.deepEqual(await rows('SELECT * FROM ducklake_partition_info ORDER BY partition_id'), [
      { partition_id: 2, table_id: 1, begin_snapshot: 1, end_snapshot: 6 },
      { partition_id: 3, table_id: 1, begin_snapshot: 6, end_snapshot: null },
    ]);
    assert.deepEqual(await rows('SELECT partition_key_index, column_id, transform FROM ducklake_partition_column WHERE partition_id = 3 ORDER BY 1'), [
      { partition_key_index: 0, column_id: 2, transform: 'day' },
      { partition_key_index: 1, column_id: 1, transform: 'bucket(4)' },
    ]);
    assert.deepEqual(await rows('SELECT snapshot_id, schema_version, next_catalog_id FROM ducklake_snapshot WHERE snapshot_id >= 3 ORDER BY 1'), [
      { snapshot_id: 3, schema_version: 3, next_catalog_id: 3 },
      { snapshot_id: 4, schema_version: 4, next_catalog_id: 3 },
      { snapshot_id: 5, schema_version: 5, next_catalog_id: 3 },
      { snapshot_id: 6, schema_version: 6, next_catalog_id: 4 },
    ]);
    assert.deepEqual((await rows('SELECT begin_snapshot FROM ducklake_schema_versions ORDER BY 1')).map((r) => r.begin_snapshot), [1, 2, 3, 4, 5, 6]);
  });

  function current(spec: LakeTableSpecInput): void {
    evolved(spec);
    spec.columns[3] = { name: 'total', type: 'DOUBLE', renamedFrom: 'amount' };
    spec.columns[0] = { name: 'id', type: 'BIGINT', nullable: false };
    spec.columns.splice(4, 1);
    spec.format = { partitioning: ['day(ts)', 'bucket(4, id)'] };
  }

  it('changes a comment with a schema_version bump but no schema_versions row', async () => {
    const outcome = await apply(salesSpec((spec) => { current(spec); spec.comment = 'all sales'; }));
    assert.equal(outcome.summary, 'Table main.sales: set table comment, snapshot 7');
    assert.deepEqual(await rows('SELECT value, begin_snapshot, end_snapshot FROM ducklake_tag ORDER BY begin_snapshot'), [
      { value: 'every sale', begin_snapshot: 1, end_snapshot: 7 },
      { value: 'all sales', begin_snapshot: 7, end_snapshot: null },
    ]);
    assert.deepEqual(await rows('SELECT schema_version FROM ducklake_snapshot WHERE snapshot_id = 7'), [{ schema_version: 7 }]);
    assert.deepEqual(await rows('SELECT count(*)::INTEGER AS n FROM ducklake_schema_versions WHERE begin_snapshot = 7'), [{ n: 0 }]);
  });

  it('refuses a narrowing change and touches nothing', async () => {
    const bytes = await readFile(catalogPath);
    await assert.rejects(apply(salesSpec((spec) => { current(spec); spec.comment = 'all sales'; spec.columns[3] = { name: 'total', type: 'FLOAT' }; })), (error: unknown) => {
      assert.ok(isFeathermanError(error));
      assert.equal(error.code, 'FM_ERR_DATA_LOSS_REFUSED');
      assert.equal(error.message, 'column "total": changing DOUBLE to FLOAT would lose data');
      return true;
    });
    assert.ok((await readFile(catalogPath)).equals(bytes));
    assert.deepEqual(await rows('SELECT max(snapshot_id)::INTEGER AS s FROM ducklake_snapshot'), [{ s: 7 }]);
  });

  it('reads back the evolved table with readTable', async () => {
    const db = await openDuckDB(catalogPath, { readOnly: true });
    try {
      const table = await readTable(db.connection, 'main', 'SALES', 7);
      assert.ok(table);
      assert.equal(table.location, 's3://lake-bucket/warehouse/main/sales/');
      assert.deepEqual(table.columns.map((c) => [c.columnId, c.name, c.type]), [[1, 'id', 'int64'], [2, 'ts', 'timestamp'], [3, 'region', 'varchar'], [4, 'total', 'float64'], [7, 'note', 'varchar']]);
      assert.equal(table.columns[2]?.comment, 'sales region');
      assert.deepEqual(table.partition, { partitionId: 3, fields: [{ index: 0, columnId: 2, transform: 'day' }, { index: 1, columnId: 1, transform: 'bucket(4)' }] });
      assert.equal(table.maxColumnId, 7);
      const old = await readTable(db.connection, 'main', 'sales', 2);
      assert.deepEqual(old?.columns.map((c) => c.name), ['id', 'ts', 'region', 'amount', 'tags', 'note', 'element']);
    } finally {
      await db.close();
    }
  });

  it('drops the table, ending every live row, and parses every changes_made', async () => {
    const outcome = await apply(salesSpec(current), true);
    assert.equal(outcome.summary, 'Table main.sales: dropped, snapshot 8');
    for (const table of ['ducklake_table', 'ducklake_column', 'ducklake_partition_info', 'ducklake_tag', 'ducklake_column_tag']) {
      assert.deepEqual(await rows(`SELECT count(*)::INTEGER AS n FROM ${table} WHERE end_snapshot IS NULL`), [{ n: 0 }], table);
    }
    assert.deepEqual(await rows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 8'), [{ changes_made: 'dropped_table:1' }]);
    const again = await apply(salesSpec(current), true);
    assert.equal(again.summary, 'Table main.sales: absent, nothing to drop, snapshot 8');
    const changes = await rows('SELECT changes_made FROM ducklake_snapshot_changes ORDER BY snapshot_id');
    for (const change of changes) assert.ok(parseChanges(change.changes_made as string | null).length > 0);
    assert.ok(lines.some((line) => line.includes('"sql"')), 'SQL is logged at DEBUG');
  });

  it('creates a table in a new schema at an absolute location', async () => {
    const outcome = await apply({ name: 'events', schema: 'raw', location: 's3://other-bucket/events', columns: [{ name: 'payload', type: 'JSON' }] });
    assert.equal(outcome.summary, 'Table raw.events: created, 1 columns, snapshot 9');
    assert.deepEqual(await rows("SELECT schema_id, schema_name, path, path_is_relative FROM ducklake_schema WHERE schema_name = 'raw'"), [
      { schema_id: 4, schema_name: 'raw', path: 'raw/', path_is_relative: true },
    ]);
    assert.deepEqual(await rows("SELECT table_id, schema_id, path, path_is_relative FROM ducklake_table WHERE table_name = 'events'"), [
      { table_id: 5, schema_id: 4, path: 's3://other-bucket/events/', path_is_relative: false },
    ]);
    assert.deepEqual(await rows('SELECT changes_made FROM ducklake_snapshot_changes WHERE snapshot_id = 9'), [{ changes_made: 'created_schema:"raw",created_table:"raw"."events"' }]);
    await assert.rejects(
      apply({ name: 'events', schema: 'raw', location: 's3://other-bucket/moved', columns: [{ name: 'payload', type: 'JSON' }] }),
      /location: table raw.events already lives at "s3:\/\/other-bucket\/events\/" and cannot move/,
    );
  });
});
