import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Plan } from '../../api/plan.ts';
import { buildApplyTablePlan, buildIngestPlan, buildInitCatalogPlan, buildQueryPlan, catalogDataPath, catalogFilePath, tableLocation, toLakeTableSpec } from '../../functions/core/plan-build.ts';
import { tableObjects } from '../../functions/core/decide-table-deletion.ts';
import type { DuckLakeCatalog, DuckLakeQuery, DuckLakeTable } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { validateQuery } from '../../functions/core/validate-query.ts';
import { validateTable } from '../../functions/core/validate-table.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const metadata = (name: string) => ({ name, namespace: 'analytics', uid: `${name}-uid`, generation: 1 });

function catalogOf(spec: Record<string, unknown>): DuckLakeCatalog {
  const result = validateCatalog({ apiVersion: API, kind: 'DuckLakeCatalog', metadata: metadata('lake'), spec });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}
function tableOf(spec: Record<string, unknown>): DuckLakeTable {
  const result = validateTable({ apiVersion: API, kind: 'DuckLakeTable', metadata: metadata('sales'), spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'bigint', nullable: false }, { name: 'ts', type: 'Timestamp' }], ...spec } });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}
function queryOf(spec: Record<string, unknown>): DuckLakeQuery {
  const result = validateQuery({ apiVersion: API, kind: 'DuckLakeQuery', metadata: metadata('q'), spec: { catalogRef: 'lake', sql: 'SELECT count(*) FROM sales', ...spec } });
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

const SECRET = { name: 'creds', accessKeyField: 'AK', secretKeyField: 'SK' };
const catalog = catalogOf({ objectStore: { endpoint: 'http://minio:9000', bucket: 'lake-data', prefix: 'warehouse/', forcePathStyle: true, credentialsSecret: SECRET }, encryption: { kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k' } });

describe('plan builders', () => {
  it('puts the catalog file on the mounted volume and names the data path', () => {
    assert.equal(catalogFilePath('lake'), '/var/lib/featherman/catalog/lake.ducklake');
    assert.equal(catalogDataPath({ bucket: 'b', prefix: '' }), 's3://b/');
    assert.equal(catalogDataPath({ bucket: 'b', prefix: '/a/b/' }), 's3://b/a/b/');
  });

  it('builds init-catalog with the object store, the KMS key and no credentials', () => {
    const plan = buildInitCatalogPlan(catalog);
    assert.deepEqual(plan, {
      op: 'init-catalog',
      catalog: { name: 'lake', path: '/var/lib/featherman/catalog/lake.ducklake', dataPath: 's3://lake-data/warehouse/' },
      objectStore: { endpoint: 'http://minio:9000', bucket: 'lake-data', region: 'us-east-1', prefix: 'warehouse/', forcePathStyle: true, kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k' },
      lockTimeoutSeconds: 60,
      cacheDir: '/var/cache/featherman',
      author: 'featherman/analytics',
    });
    assert.ok(!JSON.stringify(plan).includes('creds'));
  });

  it('maps the table spec and leaves the Kubernetes-only fields behind', () => {
    const table = tableOf({ comment: 'Sales', deletionPolicy: 'Delete', ttlDays: 7, ttlColumn: 'ts', format: { partitioning: ['day(ts)'] }, ingest: { prefix: 'landing/sales/' } });
    const plan = buildApplyTablePlan(catalog, table);
    assert.equal(plan.op, 'apply-table');
    assert.equal(plan.drop, false);
    assert.deepEqual(plan.table, {
      name: 'sales', schema: 'main',
      columns: [{ name: 'id', type: 'bigint', nullable: false }, { name: 'ts', type: 'Timestamp', nullable: true }],
      format: { compression: 'ZSTD', partitioning: ['day(ts)'], targetFileSizeMB: 128 },
      ttlDays: 7, ttlColumn: 'ts', mode: 'append',
      ingest: { prefix: 'landing/sales/', format: 'csv', options: {}, deleteAfterIngest: false },
      comment: 'Sales',
    });
    assert.equal(Plan.safeParse(plan).success, true);
    assert.equal(buildApplyTablePlan(catalog, table, { drop: true }).drop, true);
    assert.ok(!('catalogRef' in toLakeTableSpec(table.spec)));
  });

  it('uses the table\'s object store override and places its files there', () => {
    const table = tableOf({ objectStore: { bucket: 'events-archive', region: 'us-east-2', credentialsSecret: { name: 'other' } } });
    const plan = buildIngestPlan(catalog, table);
    assert.equal(plan.objectStore.bucket, 'events-archive');
    assert.equal(plan.objectStore.region, 'us-east-2');
    assert.equal(plan.objectStore.kmsKeyId, 'arn:aws:kms:us-east-1:1:key/k');
    assert.equal(plan.catalog.dataPath, 's3://lake-data/warehouse/');
    assert.equal(plan.table.location, 's3://events-archive/main/sales/');
    assert.equal(tableLocation(tableOf({ location: 'custom/' }).spec), 'custom/');
  });

  it('builds ingest with or without keys', () => {
    const table = tableOf({ ingest: { prefix: 'landing/sales/' } });
    assert.equal(buildIngestPlan(catalog, table).keys, undefined);
    assert.deepEqual(buildIngestPlan(catalog, table, ['landing/sales/a.csv']).keys, ['landing/sales/a.csv']);
  });

  const queries: Array<[string, Record<string, unknown>, Partial<Record<'snapshot' | 'output' | 'previewRows', unknown>>]> = [
    ['the latest snapshot', {}, { snapshot: undefined, output: undefined, previewRows: 20 }],
    ['a snapshot id', { snapshot: { id: 4 } }, { snapshot: { id: 4 } }],
    ['a time', { snapshot: { timestamp: '2026-11-24T00:00:00Z' } }, { snapshot: { timestamp: '2026-11-24T00:00:00Z' } }],
    ['an output file', { output: { location: 's3://lake-data/out/q.csv', format: 'csv' }, previewRows: 3 }, { output: { location: 's3://lake-data/out/q.csv', format: 'csv' }, previewRows: 3 }],
  ];
  for (const [what, spec, expected] of queries) {
    it(`builds a query plan reading ${what}`, () => {
      const plan = buildQueryPlan(catalog, queryOf(spec));
      assert.equal(plan.op, 'query');
      assert.equal(plan.sql, 'SELECT count(*) FROM sales');
      for (const [key, value] of Object.entries(expected)) assert.deepEqual(plan[key as keyof typeof plan], value, key);
    });
  }
});

describe('tableObjects', () => {
  const cases: Array<[string, Record<string, unknown>, { bucket: string; prefix: string }]> = [
    ['the default place', {}, { bucket: 'lake-data', prefix: 'warehouse/main/sales/' }],
    ['a relative location', { location: 'facts/sales' }, { bucket: 'lake-data', prefix: 'warehouse/main/facts/sales/' }],
    ['an absolute location', { location: 's3://elsewhere/tables/sales/' }, { bucket: 'elsewhere', prefix: 'tables/sales/' }],
    ['another schema', { schema: 'raw' }, { bucket: 'lake-data', prefix: 'warehouse/raw/sales/' }],
    ['an object store override', { objectStore: { bucket: 'events-archive' } }, { bucket: 'events-archive', prefix: 'main/sales/' }],
  ];
  for (const [what, spec, expected] of cases) {
    it(`finds a table's objects at ${what}`, () => assert.deepEqual(tableObjects(catalog, tableOf(spec)), expected));
  }
});
