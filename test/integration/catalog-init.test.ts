import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDuckDB, queryRows, runSql } from '../../runner/lake/duckdb.ts';
import { assertCatalogV1, initCatalog, readCatalogState, UUID_V4 } from '../../runner/lake/catalog/index.ts';
import { isFeathermanError } from '../../runner/errors.ts';

/**
 * EXPECTED_COLUMNS is the DuckLake 1.0 catalog schema copied by hand from
 * ducklake-format.md §2 (name and DuckDB type, in DDL order), independent of ddl.ts.
 */
const EXPECTED_COLUMNS: Record<string, string> = {
  ducklake_metadata: 'key VARCHAR, value VARCHAR, scope VARCHAR, scope_id BIGINT',
  ducklake_snapshot: 'snapshot_id BIGINT, snapshot_time TIMESTAMP WITH TIME ZONE, schema_version BIGINT, next_catalog_id BIGINT, next_file_id BIGINT',
  ducklake_snapshot_changes: 'snapshot_id BIGINT, changes_made VARCHAR, author VARCHAR, commit_message VARCHAR, commit_extra_info VARCHAR',
  ducklake_schema_versions: 'begin_snapshot BIGINT, schema_version BIGINT, table_id BIGINT',
  ducklake_schema: 'schema_id BIGINT, schema_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN',
  ducklake_table: 'table_id BIGINT, table_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, table_name VARCHAR, path VARCHAR, path_is_relative BOOLEAN',
  ducklake_view: 'view_id BIGINT, view_uuid UUID, begin_snapshot BIGINT, end_snapshot BIGINT, schema_id BIGINT, view_name VARCHAR, dialect VARCHAR, sql VARCHAR, column_aliases VARCHAR',
  ducklake_column: 'column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, table_id BIGINT, column_order BIGINT, column_name VARCHAR, column_type VARCHAR, initial_default VARCHAR, default_value VARCHAR, nulls_allowed BOOLEAN, parent_column BIGINT, default_value_type VARCHAR, default_value_dialect VARCHAR',
  ducklake_tag: 'object_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR',
  ducklake_column_tag: 'table_id BIGINT, column_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, key VARCHAR, value VARCHAR',
  ducklake_macro: 'schema_id BIGINT, macro_id BIGINT, macro_name VARCHAR, begin_snapshot BIGINT, end_snapshot BIGINT',
  ducklake_macro_impl: 'macro_id BIGINT, impl_id BIGINT, dialect VARCHAR, sql VARCHAR, type VARCHAR',
  ducklake_macro_parameters: 'macro_id BIGINT, impl_id BIGINT, column_id BIGINT, parameter_name VARCHAR, parameter_type VARCHAR, default_value VARCHAR, default_value_type VARCHAR',
  ducklake_partition_info: 'partition_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT',
  ducklake_partition_column: 'partition_id BIGINT, table_id BIGINT, partition_key_index BIGINT, column_id BIGINT, transform VARCHAR',
  ducklake_sort_info: 'sort_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT',
  ducklake_sort_expression: 'sort_id BIGINT, table_id BIGINT, sort_key_index BIGINT, expression VARCHAR, dialect VARCHAR, sort_direction VARCHAR, null_order VARCHAR',
  ducklake_data_file: 'data_file_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, file_order BIGINT, path VARCHAR, path_is_relative BOOLEAN, file_format VARCHAR, record_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, row_id_start BIGINT, partition_id BIGINT, encryption_key VARCHAR, mapping_id BIGINT, partial_max BIGINT',
  ducklake_delete_file: 'delete_file_id BIGINT, table_id BIGINT, begin_snapshot BIGINT, end_snapshot BIGINT, data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, format VARCHAR, delete_count BIGINT, file_size_bytes BIGINT, footer_size BIGINT, encryption_key VARCHAR, partial_max BIGINT',
  ducklake_file_column_stats: 'data_file_id BIGINT, table_id BIGINT, column_id BIGINT, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR',
  ducklake_file_variant_stats: 'data_file_id BIGINT, table_id BIGINT, column_id BIGINT, variant_path VARCHAR, shredded_type VARCHAR, column_size_bytes BIGINT, value_count BIGINT, null_count BIGINT, min_value VARCHAR, max_value VARCHAR, contains_nan BOOLEAN, extra_stats VARCHAR',
  ducklake_file_partition_value: 'data_file_id BIGINT, table_id BIGINT, partition_key_index BIGINT, partition_value VARCHAR',
  ducklake_files_scheduled_for_deletion: 'data_file_id BIGINT, path VARCHAR, path_is_relative BOOLEAN, schedule_start TIMESTAMP WITH TIME ZONE',
  ducklake_column_mapping: 'mapping_id BIGINT, table_id BIGINT, type VARCHAR',
  ducklake_name_mapping: 'mapping_id BIGINT, column_id BIGINT, source_name VARCHAR, target_field_id BIGINT, parent_column BIGINT, is_partition BOOLEAN',
  ducklake_table_stats: 'table_id BIGINT, record_count BIGINT, next_row_id BIGINT, file_size_bytes BIGINT',
  ducklake_table_column_stats: 'table_id BIGINT, column_id BIGINT, contains_null BOOLEAN, contains_nan BOOLEAN, min_value VARCHAR, max_value VARCHAR, extra_stats VARCHAR',
  ducklake_inlined_data_tables: 'table_id BIGINT, table_name VARCHAR, schema_version BIGINT',
};

describe('initCatalog', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-catalog-init-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates exactly the 28 tables of the 1.0 format with their columns in DDL order', async () => {
    const db = await openDuckDB(join(dir, 'shape.duckdb'));
    try {
      await initCatalog(db.connection, { dataPath: 's3://bucket/lake', createdBy: 'Featherman test' });
      const tables = await queryRows(db.connection, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1");
      assert.equal(tables.length, 28);
      assert.deepEqual(tables.map((t) => t.table_name).sort(), Object.keys(EXPECTED_COLUMNS).sort());
      for (const [table, expected] of Object.entries(EXPECTED_COLUMNS)) {
        const described = await queryRows(db.connection, `DESCRIBE ${table}`);
        const actual = described.map((c) => `${String(c.column_name)} ${String(c.column_type)}`).join(', ');
        assert.equal(actual, expected, table);
      }
      const keys = await queryRows(
        db.connection,
        "SELECT table_name, constraint_column_names FROM duckdb_constraints() WHERE constraint_type = 'PRIMARY KEY' ORDER BY table_name",
      );
      assert.deepEqual(keys.map((k) => `${String(k.table_name)}.${(k.constraint_column_names as string[]).join()}`), [
        'ducklake_data_file.data_file_id', 'ducklake_delete_file.delete_file_id', 'ducklake_schema.schema_id',
        'ducklake_snapshot.snapshot_id', 'ducklake_snapshot_changes.snapshot_id',
      ]);
    } finally {
      await db.close();
    }
  });

  it('writes the rows of a new catalog: metadata, snapshot 0, its changes and schema main', async () => {
    const db = await openDuckDB(join(dir, 'rows.duckdb'));
    try {
      const now = new Date('2026-01-02T03:04:05.678Z');
      const result = await initCatalog(db.connection, { dataPath: 's3://bucket/lake', createdBy: 'Featherman 0.1.0', now });
      assert.deepEqual(result, { created: true, dataPath: 's3://bucket/lake/', snapshotId: 0 });
      const metadata = await queryRows(db.connection, 'SELECT key, value, scope, scope_id FROM ducklake_metadata ORDER BY key');
      assert.deepEqual(metadata, [
        { key: 'created_by', value: 'Featherman 0.1.0', scope: null, scope_id: null },
        { key: 'data_inlining_row_limit', value: '0', scope: null, scope_id: null },
        { key: 'data_path', value: 's3://bucket/lake/', scope: null, scope_id: null },
        { key: 'encrypted', value: 'false', scope: null, scope_id: null },
        { key: 'version', value: '1.0', scope: null, scope_id: null },
      ]);
      const snapshots = await queryRows(db.connection, 'SELECT * FROM ducklake_snapshot');
      assert.equal(snapshots.length, 1);
      assert.equal(snapshots[0]?.snapshot_id, 0);
      assert.equal((snapshots[0]?.snapshot_time as Date).toISOString(), now.toISOString());
      assert.deepEqual({ ...snapshots[0], snapshot_time: null }, { snapshot_id: 0, snapshot_time: null, schema_version: 0, next_catalog_id: 1, next_file_id: 0 });
      assert.deepEqual(await queryRows(db.connection, 'SELECT * FROM ducklake_snapshot_changes'), [
        { snapshot_id: 0, changes_made: 'created_schema:"main"', author: null, commit_message: null, commit_extra_info: null },
      ]);
      const schemas = await queryRows(db.connection, 'SELECT schema_id, schema_uuid::VARCHAR AS uuid, begin_snapshot, end_snapshot, schema_name, path, path_is_relative FROM ducklake_schema');
      assert.equal(schemas.length, 1);
      assert.match(String(schemas[0]?.uuid), UUID_V4);
      assert.deepEqual({ ...schemas[0], uuid: 'x' }, { schema_id: 0, uuid: 'x', begin_snapshot: 0, end_snapshot: null, schema_name: 'main', path: 'main/', path_is_relative: true });
      for (const table of ['ducklake_table', 'ducklake_column', 'ducklake_schema_versions', 'ducklake_data_file', 'ducklake_table_stats']) {
        assert.deepEqual(await queryRows(db.connection, `SELECT count(*)::INTEGER AS n FROM ${table}`), [{ n: 0 }], table);
      }
      const state = await readCatalogState(db.connection);
      assert.equal(state.dataPath, 's3://bucket/lake/');
      assert.equal(state.snapshot.changesMade, 'created_schema:"main"');
    } finally {
      await db.close();
    }
  });

  it('is idempotent: a second run changes no byte of the file', async () => {
    const path = join(dir, 'twice.duckdb');
    let db = await openDuckDB(path);
    await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'x' });
    await db.close();
    const before = await readFile(path);
    db = await openDuckDB(path, { readOnly: true });
    try {
      const again = await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'x' });
      assert.deepEqual(again, { created: false, dataPath: 's3://bucket/lake/', snapshotId: 0 });
    } finally {
      await db.close();
    }
    assert.ok((await readFile(path)).equals(before));
  });

  it('refuses an older catalog version, naming it', async () => {
    const db = await openDuckDB(join(dir, 'old.duckdb'));
    try {
      await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'x' });
      await runSql(db.connection, "UPDATE ducklake_metadata SET value = '0.3' WHERE key = 'version'");
      await assert.rejects(initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'x' }), (error: unknown) => {
        assert.ok(isFeathermanError(error));
        assert.equal(error.code, 'FM_ERR_CATALOG_VERSION');
        assert.match(error.message, /is DuckLake format 0\.3; Featherman writes 1\.0: migrate it/);
        return true;
      });
    } finally {
      await db.close();
    }
  });

  it('refuses an encrypted catalog, whose files the extension reads only with their keys', async () => {
    const db = await openDuckDB(join(dir, 'encrypted.duckdb'));
    try {
      await initCatalog(db.connection, { dataPath: 's3://bucket/lake/', createdBy: 'x' });
      await runSql(db.connection, "UPDATE ducklake_metadata SET value = 'true' WHERE key = 'encrypted'");
      await assert.rejects(assertCatalogV1(db.connection, 'enc.duckdb'), (error: unknown) => {
        assert.ok(isFeathermanError(error));
        assert.equal(error.code, 'FM_ERR_CATALOG_VERSION');
        assert.match(error.message, /enc\.duckdb is an encrypted DuckLake catalog/);
        return true;
      });
    } finally {
      await db.close();
    }
  });

  it('refuses a DuckDB file that holds other tables, listing them', async () => {
    const db = await openDuckDB(join(dir, 'other.duckdb'));
    try {
      await runSql(db.connection, 'CREATE TABLE orders(id INTEGER)');
      await assert.rejects(initCatalog(db.connection, { dataPath: 's3://b/p/', createdBy: 'x' }, 'other.duckdb'), (error: unknown) => {
        assert.ok(isFeathermanError(error));
        assert.equal(error.code, 'FM_ERR_CATALOG_VERSION');
        assert.match(error.message, /other\.duckdb .*tables: orders/);
        return true;
      });
      assert.deepEqual(await queryRows(db.connection, "SELECT count(*)::INTEGER AS n FROM information_schema.tables WHERE table_name LIKE 'ducklake%'"), [{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it('refuses a different data_path on an existing catalog', async () => {
    const db = await openDuckDB(join(dir, 'moved.duckdb'));
    try {
      await initCatalog(db.connection, { dataPath: 's3://bucket/a/', createdBy: 'x' });
      await assert.rejects(initCatalog(db.connection, { dataPath: 's3://bucket/b/', createdBy: 'x' }), /already has data_path "s3:\/\/bucket\/a\/"/);
    } finally {
      await db.close();
    }
  });

  it('does not open a file that is not a DuckDB database', async () => {
    const path = join(dir, 'garbage.duckdb');
    await writeFile(path, 'this is not a database, just some text that is long enough to have a header'.repeat(100));
    await assert.rejects(openDuckDB(path));
  });
});
