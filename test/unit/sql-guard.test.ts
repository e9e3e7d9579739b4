import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlShape } from '../../runner/lake/read/predicates.ts';
import { mapQueryError, refusalOf } from '../../runner/lake/read/sql-guard.ts';

function shape(overrides: Partial<SqlShape> = {}): SqlShape {
  return { references: [], cteNames: new Set(), tableFunctions: new Set(), functions: new Set(), hasAtClause: false, ...overrides };
}

describe('refusalOf', () => {
  it('accepts lake tables, range and ordinary functions', () => {
    assert.equal(refusalOf(shape({ references: [{ catalog: '', schema: '', table: 'sales', predicates: [] }], tableFunctions: new Set(['range']), functions: new Set(['sum', 'lower']) })), undefined);
  });
  const refused: [string, Partial<SqlShape>, RegExp][] = [
    ['read_csv table function', { tableFunctions: new Set(['read_csv']) }, /table function read_csv\(\)/],
    ['duckdb_secrets', { tableFunctions: new Set(['duckdb_secrets']) }, /duckdb_secrets/],
    ['glob', { tableFunctions: new Set(['glob']) }, /glob/],
    ['getenv', { functions: new Set(['getenv']) }, /function getenv\(\)/],
    ['any read_* scalar', { functions: new Set(['read_anything']) }, /read_anything/],
    ['AT clause', { hasAtClause: true }, /AT \(\.\.\.\)/],
    ['a path as table name', { references: [{ catalog: '', schema: '', table: '/etc/passwd', predicates: [] }] }, /file "\/etc\/passwd"/],
    ['a parquet file name', { references: [{ catalog: '', schema: '', table: 'x.parquet', predicates: [] }] }, /x\.parquet/],
  ];
  for (const [name, overrides, message] of refused) {
    it(`refuses ${name}`, () => assert.match(refusalOf(shape(overrides)) ?? '', message));
  }
});

describe('mapQueryError', () => {
  it('maps permission errors to FM_ERR_QUERY_REFUSED with the first line only', () => {
    const error = mapQueryError(new Error('Permission Error: Cannot access file "/etc/passwd" - file system operations are disabled by configuration\n\nLINE 1: ...'));
    assert.equal(error.code, 'FM_ERR_QUERY_REFUSED');
    assert.ok(!error.message.includes('\n'));
    assert.match(error.message, /\/etc\/passwd/);
  });
  it('maps other errors to FM_ERR_QUERY_FAILED', () => {
    assert.equal(mapQueryError(new Error('Binder Error: column "x" not found')).code, 'FM_ERR_QUERY_FAILED');
  });
});
