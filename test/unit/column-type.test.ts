import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  duckLakeTypeName, isColumnTypeError, parseColumnType, parseDuckLakePrimitive, sameColumnType, toDuckDBSql, type ColumnType,
} from '../../api/column-type.ts';
import { ColumnSpec, LakeTableSpec } from '../../api/table-spec.ts';

function parse(text: string): ColumnType {
  const parsed = parseColumnType(text);
  if (isColumnTypeError(parsed)) throw new Error(parsed.error);
  return parsed;
}

describe('parseColumnType', () => {
  // [user text, DuckLake name of the top node, DuckDB SQL rendered back]
  const cases: Array<[string, string, string]> = [
    ['INTEGER', 'int32', 'INTEGER'],
    ['int', 'int32', 'INTEGER'],
    ['Int4', 'int32', 'INTEGER'],
    ['BIGINT', 'int64', 'BIGINT'],
    ['smallint', 'int16', 'SMALLINT'],
    ['TINYINT', 'int8', 'TINYINT'],
    ['UTINYINT', 'uint8', 'UTINYINT'],
    ['usmallint', 'uint16', 'USMALLINT'],
    ['UINTEGER', 'uint32', 'UINTEGER'],
    ['UBIGINT', 'uint64', 'UBIGINT'],
    ['HUGEINT', 'int128', 'HUGEINT'],
    ['UHUGEINT', 'uint128', 'UHUGEINT'],
    ['FLOAT', 'float32', 'FLOAT'],
    ['real', 'float32', 'FLOAT'],
    ['DOUBLE', 'float64', 'DOUBLE'],
    ['double precision', 'float64', 'DOUBLE'],
    ['DECIMAL(10,2)', 'decimal(10,2)', 'DECIMAL(10,2)'],
    ['numeric( 38 , 0 )', 'decimal(38,0)', 'DECIMAL(38,0)'],
    ['DECIMAL(5)', 'decimal(5,0)', 'DECIMAL(5,0)'],
    ['DECIMAL', 'decimal(18,3)', 'DECIMAL(18,3)'],
    ['BOOLEAN', 'boolean', 'BOOLEAN'],
    ['bool', 'boolean', 'BOOLEAN'],
    ['VARCHAR', 'varchar', 'VARCHAR'],
    ['varchar(20)', 'varchar', 'VARCHAR'],
    ['TEXT', 'varchar', 'VARCHAR'],
    ['String', 'varchar', 'VARCHAR'],
    ['BLOB', 'blob', 'BLOB'],
    ['DATE', 'date', 'DATE'],
    ['TIME', 'time', 'TIME'],
    ['TIMETZ', 'timetz', 'TIMETZ'],
    ['time with time zone', 'timetz', 'TIMETZ'],
    ['TIMESTAMP', 'timestamp', 'TIMESTAMP'],
    ['datetime', 'timestamp', 'TIMESTAMP'],
    ['TIMESTAMPTZ', 'timestamptz', 'TIMESTAMPTZ'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamptz', 'TIMESTAMPTZ'],
    ['timestamp_s', 'timestamp_s', 'TIMESTAMP_S'],
    ['TIMESTAMP_MS', 'timestamp_ms', 'TIMESTAMP_MS'],
    ['TIMESTAMP_NS', 'timestamp_ns', 'TIMESTAMP_NS'],
    ['INTERVAL', 'interval', 'INTERVAL'],
    ['UUID', 'uuid', 'UUID'],
    ['json', 'json', 'JSON'],
    ['INTEGER[]', 'list', 'INTEGER[]'],
    ['varchar[][]', 'list', 'VARCHAR[][]'],
    ['LIST(DOUBLE)', 'list', 'DOUBLE[]'],
    ['STRUCT(a INTEGER, b VARCHAR)', 'struct', 'STRUCT("a" INTEGER, "b" VARCHAR)'],
    ['struct("x" decimal(4,1), y struct(z int[]))', 'struct', 'STRUCT("x" DECIMAL(4,1), "y" STRUCT("z" INTEGER[]))'],
    ['MAP(VARCHAR, INTEGER)', 'map', 'MAP(VARCHAR, INTEGER)'],
    ['map(int, struct(a date)[])', 'map', 'MAP(INTEGER, STRUCT("a" DATE)[])'],
  ];
  for (const [text, lake, sql] of cases) {
    it(`${text} → ${lake} → ${sql}`, () => {
      const type = parse(text);
      assert.equal(duckLakeTypeName(type), lake);
      assert.equal(toDuckDBSql(type), sql);
      assert.ok(sameColumnType(parse(sql), type), 'the SQL form parses back to the same type');
    });
  }

  it('builds the tree of nested types', () => {
    assert.deepEqual(parse('MAP(VARCHAR, INT[])'), {
      kind: 'map',
      key: { kind: 'primitive', name: 'varchar' },
      value: { kind: 'list', element: { kind: 'primitive', name: 'int32' } },
    });
  });

  const refused: Array<[string, RegExp]> = [
    ["ENUM('a', 'b')", /ENUM is not supported by DuckLake; use VARCHAR/],
    ['INTEGER[3]', /fixed-size ARRAY is not supported/],
    ['UNION(a INT, b VARCHAR)', /UNION is not supported/],
    ['VARINT', /VARINT is not supported/],
    ['BIT', /BIT is not supported/],
    ['STRNG', /unknown type "STRNG"; must be a DuckDB type such as INTEGER/],
    ['DECIMAL(39,2)', /precision must be between 1 and 38; found 39/],
    ['DECIMAL(4,5)', /scale must not exceed its precision/],
    ['STRUCT(a INT, A VARCHAR)', /field name "A" appears twice/],
    ['STRUCT("a b" INT)', /field name "a b" must start with a letter/],
    ['MAP(VARCHAR)', /expected ","/],
    ['INTEGER INTEGER', /unexpected "INTEGER" after the type/],
    ['INTEGER; DROP TABLE x', /unexpected character ";"/],
    ['', /the type is empty/],
    ['LIST(', /the type ended early|expected a type name/],
  ];
  for (const [text, error] of refused) {
    it(`refuses ${JSON.stringify(text)} with a sentence`, () => {
      const parsed = parseColumnType(text);
      assert.ok(isColumnTypeError(parsed));
      assert.match(parsed.error, error);
    });
  }
});

describe('parseDuckLakePrimitive', () => {
  it('reads stored names, case-insensitively, including decimal and timestamp_us', () => {
    assert.deepEqual(parseDuckLakePrimitive('INT32'), { kind: 'primitive', name: 'int32' });
    assert.deepEqual(parseDuckLakePrimitive('decimal(10, 2)'), { kind: 'decimal', precision: 10, scale: 2 });
    assert.deepEqual(parseDuckLakePrimitive('timestamp_us'), { kind: 'primitive', name: 'timestamp' });
    assert.equal(parseDuckLakePrimitive('list'), undefined);
    assert.equal(parseDuckLakePrimitive('geometry'), undefined);
  });
});

describe('ColumnSpec.type', () => {
  it('accepts a DuckDB type and reports a bad one with path, rule and value', () => {
    assert.equal(ColumnSpec.parse({ name: 'amount', type: 'decimal(10,2)' }).type, 'decimal(10,2)');
    const result = LakeTableSpec.safeParse({ name: 't', columns: [{ name: 'a', type: 'INT' }, { name: 'b', type: 'STRNG' }] });
    assert.equal(result.success, false);
    const issue = result.error?.issues[0];
    assert.deepEqual(issue?.path, ['columns', 1, 'type']);
    assert.match(issue?.message ?? '', /unknown type "STRNG"; must be a DuckDB type such as .*; got "STRNG"$/);
  });
});
