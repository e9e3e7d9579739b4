import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { messageOf } from '../../api/issues.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { validateQuery } from '../../functions/core/validate-query.ts';
import { validateTable } from '../../functions/core/validate-table.ts';

const fixture = (name: string): Record<string, unknown> => parse(readFileSync(new URL(`../fixtures/${name}.yaml`, import.meta.url), 'utf8')) as Record<string, unknown>;

const TYPE_RULE = 'must be a DuckDB type such as INTEGER, BIGINT, DOUBLE, DECIMAL(10,2), VARCHAR, DATE, TIMESTAMP, TIMESTAMPTZ, INTEGER[], STRUCT(a INTEGER), MAP(VARCHAR, INTEGER)';

describe('validateCatalog, validateTable, validateQuery on fixtures', () => {
  const valid: Array<[string, (obj: unknown) => { ok: boolean }]> = [
    ['ducklakecatalog-minimal', validateCatalog],
    ['ducklakecatalog-legacy', validateCatalog],
    ['ducklaketable-sales', validateTable],
    ['ducklaketable-legacy', validateTable],
    ['ducklakequery-top-regions', validateQuery],
    ['ducklakequery-time-travel', validateQuery],
  ];
  for (const [name, validate] of valid) {
    it(`accepts ${name}`, () => {
      const result = validate(fixture(name));
      assert.equal(result.ok, true, JSON.stringify(result));
    });
  }

  const invalid: Array<[string, (obj: unknown) => { ok: boolean; issues?: string[] }, string[]]> = [
    ['ducklakecatalog-invalid', validateCatalog, [
      'spec.size: must be a Kubernetes quantity such as 1Gi; got "lots"',
      'spec.objectStore.endpoint: must be an http(s) URL; got "minio:9000"',
      'spec.objectStore.bucket: must be a valid S3 bucket name; got "My_Bucket"',
      'metadata.name: must be a DNS label of at most 63 characters (lower-case letters, digits, hyphens) because it names the catalog volume and file; got "Bad_Catalog"',
    ]],
    ['ducklaketable-invalid', validateTable, [
      `spec.columns[2].type: unknown type "STRNG"; ${TYPE_RULE}; got "STRNG"`,
      'spec.mode: must be one of "append", "overwrite"; got "upsert"',
    ]],
    ['ducklaketable-inconsistent', validateTable, [
      'spec.columns[1].name: must be unique among the columns (letter case is ignored); got "ID"',
      'spec.format.partitioning[0]: must apply month() to a DATE or TIMESTAMP column, and label is VARCHAR; got "month(label)"',
      'spec.format.partitioning[1]: must name a declared column; got "country"',
      'spec.ttlColumn: must name a DATE or TIMESTAMP column, and it is VARCHAR; got "label"',
    ]],
    ['ducklakequery-invalid', validateQuery, [
      'spec.sql: must hold one SELECT statement, not only blanks; got "   "',
      'spec.snapshot: must set exactly one of id and timestamp; got {"id":3,"timestamp":"yesterday"}',
      'spec.snapshot.timestamp: must be an RFC 3339 time with a zone such as 2026-08-20T10:00:00Z; got "yesterday"',
    ]],
  ];
  for (const [name, validate, issues] of invalid) {
    it(`reports every issue of ${name} as path, rule and value`, () => {
      const result = validate(fixture(name));
      assert.equal(result.ok, false);
      assert.deepEqual(result.issues, issues);
    });
  }
});

describe('manifests written for earlier operators', () => {
  it('keeps credentialsSecret key fields, the table comment, the table objectStore, nullable and any letter case', () => {
    const catalog = validateCatalog(fixture('ducklakecatalog-legacy'));
    assert.ok(catalog.ok);
    assert.deepEqual(catalog.value.spec.objectStore.credentialsSecret, { name: 'minio-credentials', accessKeyField: 'AWS_ACCESS_KEY_ID', secretKeyField: 'AWS_SECRET_ACCESS_KEY' });
    const table = validateTable(fixture('ducklaketable-legacy'));
    assert.ok(table.ok);
    assert.equal(table.value.spec.comment, 'Clickstream events, one row per page view.');
    assert.equal(table.value.spec.objectStore?.bucket, 'events-archive');
    assert.equal(table.value.spec.objectStore?.credentialsSecret?.secretKeyField, 'secret');
    assert.deepEqual(table.value.spec.columns.map((c) => [c.type, c.nullable]), [
      ['varchar', false], ['BigInt', true], ['varchar[]', true], ['map(varchar, integer)', true], ['timestamp with time zone', true],
    ]);
  });

  it('fills the defaults a missing field means', () => {
    const table = validateTable(fixture('ducklaketable-legacy'));
    assert.ok(table.ok);
    assert.equal(table.value.spec.schema, 'main');
    assert.equal(table.value.spec.mode, 'append');
    assert.equal(table.value.spec.deletionPolicy, 'Retain');
    const catalog = validateCatalog(fixture('ducklakecatalog-minimal'));
    assert.ok(catalog.ok);
    assert.equal(catalog.value.spec.size, '1Gi');
    assert.deepEqual(catalog.value.spec.objectStore, { bucket: 'my-data-lake', region: 'us-east-1', prefix: '', forcePathStyle: false });
  });

  it('tolerates a status an earlier operator wrote, keeping its conditions', () => {
    const table = fixture('ducklaketable-sales');
    const condition = { type: 'Ready', status: 'True', reason: 'Applied', message: 'ok', lastTransitionTime: '2026-01-01T00:00:00Z' };
    const result = validateTable({ ...table, metadata: { name: 'sales', uid: 'u' }, status: { phase: 'Active', observedGeneration: 4, conditions: [condition, { bogus: true }] } });
    assert.ok(result.ok);
    assert.deepEqual(result.value.status, { observedGeneration: 4, conditions: [condition] });
  });
});

describe('validation edge cases', () => {
  const base = fixture('ducklaketable-sales');
  const spec = base.spec as Record<string, unknown>;
  const cases: Array<[string, unknown, string[]]> = [
    ['a resource that is not an object', 'hello', ['resource: must be a DuckLakeTable object; got "hello"']],
    ['the wrong kind', { ...base, kind: 'DuckLakeCatalog' }, ['kind: must be one of "DuckLakeTable"; got "DuckLakeCatalog"']],
    ['a missing spec', { ...base, spec: undefined }, ['spec: is required']],
    ['ttlDays without ttlColumn', { ...base, spec: { ...spec, ttlColumn: undefined } }, ['spec.ttlColumn: must be set together with ttlDays; got nothing']],
    ['a rename from a column still declared', { ...base, spec: { ...spec, columns: [{ name: 'id', type: 'INT' }, { name: 'region', type: 'TEXT', renamedFrom: 'id' }], format: undefined, ttlDays: undefined, ttlColumn: undefined } },
      ['spec.columns[1].renamedFrom: must not name a column that is still declared; got "id"']],
    ['an SQL name with a quote', { ...base, spec: { ...spec, name: 'sales"; DROP' } },
      ['spec.name: must start with a letter or underscore and contain only ASCII letters, digits and underscores (at most 63); got "sales\\"; DROP"']],
  ];
  for (const [name, input, issues] of cases) {
    it(`reports ${name}`, () => {
      const result = validateTable(input);
      assert.equal(result.ok, false);
      assert.deepEqual(result.issues, issues);
    });
  }
});

describe('schema and cross-field issues together', () => {
  it('reports cross-field rules even when the schema already fails', () => {
    const result = validateTable({
      apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeTable', metadata: { name: 't', uid: 'u' },
      spec: {
        catalogRef: 'lake', name: 't', mode: 'upsert', ttlDays: 3,
        columns: [{ name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'x', type: 'STRNG' }, { name: 'ID', type: 'BIGINT' }],
        format: { partitioning: ['day(id)', 'month(x)'] },
      },
    });
    assert.equal(result.ok, false);
    assert.deepEqual(result.issues, [
      `spec.columns[2].type: unknown type "STRNG"; ${TYPE_RULE}; got "STRNG"`,
      'spec.mode: must be one of "append", "overwrite"; got "upsert"',
      'spec.columns[3].name: must be unique among the columns (letter case is ignored); got "ID"',
      'spec.format.partitioning[0]: must apply day() to a DATE or TIMESTAMP column, and id is INTEGER; got "day(id)"',
      'spec.ttlColumn: must be set together with ttlDays; got nothing',
    ]);
  });
});

describe('query issues together', () => {
  it('reports blank SQL and a bad snapshot even when the schema already fails', () => {
    const result = validateQuery({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeQuery', metadata: { name: 'q', uid: 'u' }, spec: { catalogRef: 'lake', sql: ' ', previewRows: 5000, snapshot: {} } });
    assert.equal(result.ok, false);
    assert.deepEqual(result.issues, [
      'spec.previewRows: must be <= 1000; got 5000',
      'spec.sql: must hold one SELECT statement, not only blanks; got " "',
      'spec.snapshot: must set exactly one of id and timestamp; got {}',
    ]);
  });
});

describe('messageOf', () => {
  it('joins issues into one condition message', () => {
    assert.equal(messageOf(['spec.a: must be x; got 1']), 'spec.a: must be x; got 1.');
    assert.equal(messageOf(['spec.a: must be x; got 1', 'spec.b: must be y; got 2']), '2 problems: spec.a: must be x; got 1. spec.b: must be y; got 2.');
  });

  it('cuts a long message to the limit', () => {
    const text = messageOf(Array.from({ length: 100 }, (_, i) => `spec.columns[${i}].type: unknown type; got "X"`), 200);
    assert.equal(text.length, 200);
    assert.ok(text.endsWith('…'));
  });
});
