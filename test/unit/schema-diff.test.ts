import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LakeTableSpec, type LakeTableSpecInput } from '../../api/table-spec.ts';
import { diffTable, isEmptyDiff } from '../../runner/lake/catalog/schema-diff.ts';
import { isWidening } from '../../runner/lake/catalog/type-widening.ts';
import { parseColumnType, type ColumnType } from '../../api/column-type.ts';
import type { CatalogColumn, CatalogTable, TableStats } from '../../runner/lake/catalog/tables.ts';
import { isFeathermanError } from '../../runner/errors.ts';

function column(columnId: number, name: string, type: string, extra: Partial<CatalogColumn> = {}): CatalogColumn {
  return {
    columnId, name, type, nullable: true, parentColumn: null, order: columnId, initialDefault: null, defaultValue: 'NULL',
    beginSnapshot: 1, comment: null, ...extra,
  };
}

/** sales(id INTEGER, ts TIMESTAMP, region VARCHAR, amount DECIMAL(10,2), tags VARCHAR[], s STRUCT(a INT)), partitioned by region. */
function sales(): CatalogTable {
  return {
    tableId: 1, uuid: '0190f000-0000-7000-8000-000000000000', schemaId: 0, schemaName: 'main', name: 'sales', beginSnapshot: 1,
    path: 'sales/', pathIsRelative: true, schemaPath: 's3://b/lake/main/', location: 's3://b/lake/main/sales/',
    columns: [
      column(1, 'id', 'int32', { nullable: false }), column(2, 'ts', 'timestamp'), column(3, 'region', 'varchar'),
      column(4, 'amount', 'decimal(10,2)'), column(5, 'tags', 'list'), column(7, 's', 'struct'),
      column(6, 'element', 'varchar', { parentColumn: 5 }), column(8, 'a', 'int32', { parentColumn: 7 }),
    ],
    partition: { partitionId: 2, fields: [{ index: 0, columnId: 3, transform: 'identity' }] },
    comment: null,
    maxColumnId: 9,
  };
}

const BASE_COLUMNS: LakeTableSpecInput['columns'] = [
  { name: 'id', type: 'INTEGER', nullable: false }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' },
  { name: 'amount', type: 'DECIMAL(10,2)' }, { name: 'tags', type: 'VARCHAR[]' }, { name: 's', type: 'STRUCT(a INT)' },
];

function spec(change: (columns: NonNullable<LakeTableSpecInput['columns']>) => void = () => {}, extra: Partial<LakeTableSpecInput> = {}): LakeTableSpec {
  const columns = structuredClone(BASE_COLUMNS);
  change(columns);
  return LakeTableSpec.parse({ name: 'sales', columns, format: { partitioning: ['region'] }, ...extra });
}

describe('diffTable', () => {
  it('finds nothing to do when the spec matches (names case-insensitive)', () => {
    const diff = diffTable(sales(), spec((c) => { if (c[0]) c[0].type = 'int'; if (c[4]) c[4].type = 'text[]'; }));
    assert.ok(isEmptyDiff(diff), diff.summary.join('; '));
  });

  it('adds a column with the id after the highest ever used, children depth-first', () => {
    const diff = diffTable(sales(), spec((c) => { c.push({ name: 'note', type: 'VARCHAR', comment: 'free text' }, { name: 'm', type: 'MAP(VARCHAR, INT[])' }); }));
    assert.deepEqual(diff.added, [
      { rows: [{ columnId: 10, name: 'note', type: 'varchar', nullable: true, parentColumn: null }], comment: 'free text' },
      {
        rows: [
          { columnId: 11, name: 'm', type: 'map', nullable: true, parentColumn: null },
          { columnId: 12, name: 'key', type: 'varchar', nullable: true, parentColumn: 11 },
          { columnId: 13, name: 'value', type: 'list', nullable: true, parentColumn: 11 },
          { columnId: 14, name: 'element', type: 'int32', nullable: true, parentColumn: 13 },
        ],
        comment: null,
      },
    ]);
    assert.deepEqual(diff.summary, ['add column note VARCHAR', 'add column m MAP(VARCHAR, INTEGER[])']);
  });

  it('drops a column with its children', () => {
    const diff = diffTable(sales(), spec((c) => { c.splice(4, 1); }));
    assert.deepEqual(diff.dropped, [{ columnId: 5, name: 'tags', ids: [5, 6] }]);
    assert.deepEqual(diff.updated, []);
  });

  it('renames with renamedFrom, keeping the column id, and is idempotent once applied', () => {
    const diff = diffTable(sales(), spec((c) => { if (c[3]) Object.assign(c[3], { name: 'total', renamedFrom: 'amount' }); }));
    assert.equal(diff.updated.length, 1);
    assert.equal(diff.updated[0]?.before.columnId, 4);
    assert.equal(diff.updated[0]?.name, 'total');
    assert.equal(diff.updated[0]?.type, 'decimal(10,2)');
    assert.deepEqual(diff.dropped, []);
    assert.deepEqual(diff.added, []);
    const renamed = sales();
    const amount = renamed.columns.find((c) => c.columnId === 4);
    if (amount) amount.name = 'total';
    assert.ok(isEmptyDiff(diffTable(renamed, spec((c) => { if (c[3]) Object.assign(c[3], { name: 'total', renamedFrom: 'amount' }); }))));
  });

  it('widens integer and decimal types in place', () => {
    const diff = diffTable(sales(), spec((c) => {
      if (c[0]) c[0].type = 'BIGINT';
      if (c[3]) c[3].type = 'DECIMAL(18,2)';
    }));
    assert.deepEqual(diff.updated.map((u) => [u.before.columnId, u.type, u.nullable]), [[1, 'int64', false], [4, 'decimal(18,2)', true]]);
    assert.deepEqual(diff.summary, ['widen id INTEGER → BIGINT', 'widen amount DECIMAL(10,2) → DECIMAL(18,2)']);
  });

  it('evolves nested types: a list element widens, a struct gains and loses fields', () => {
    const table = sales();
    const element = table.columns.find((c) => c.columnId === 8);
    if (element) element.type = 'int16';
    const diff = diffTable(table, spec((c) => { if (c[5]) c[5].type = 'STRUCT(a INTEGER, b VARCHAR)'; }));
    assert.deepEqual(diff.updated.map((u) => [u.before.columnId, u.type]), [[8, 'int32']]);
    assert.deepEqual(diff.added.map((a) => a.rows), [[{ columnId: 10, name: 'b', type: 'varchar', nullable: true, parentColumn: 7 }]]);
    const dropped = diffTable(sales(), spec((c) => { if (c[5]) c[5].type = 'STRUCT(z DATE)'; }));
    assert.deepEqual(dropped.dropped, [{ columnId: 8, name: 's.a', ids: [8] }]);
  });

  const narrowing: Array<[number, string, RegExp]> = [
    [3, 'INTEGER', /^column "amount": changing DECIMAL\(10,2\) to INTEGER is not a widening/],
    [3, 'DECIMAL(8,2)', /^column "amount": changing DECIMAL\(10,2\) to DECIMAL\(8,2\) would lose data$/],
    [0, 'SMALLINT', /^column "id": changing INTEGER to SMALLINT would lose data$/],
    [2, 'INTEGER', /^column "region": changing VARCHAR to INTEGER is not a widening/],
    [4, 'INTEGER', /^column "tags": changing VARCHAR\[\] to INTEGER/],
    [4, 'INTEGER[]', /^column "tags.element": changing VARCHAR to INTEGER/],
  ];
  for (const [index, type, message] of narrowing) {
    it(`refuses ${BASE_COLUMNS[index]?.type} → ${type} with FM_ERR_DATA_LOSS_REFUSED`, () => {
      assert.throws(() => diffTable(sales(), spec((c) => { if (c[index]) c[index].type = type; })), (error: unknown) => {
        assert.ok(isFeathermanError(error));
        assert.equal(error.code, 'FM_ERR_DATA_LOSS_REFUSED');
        assert.match(error.message, message);
        return true;
      });
    });
  }

  it('changes NULL-ability, refusing NOT NULL when rows may hold NULL', () => {
    const allow = diffTable(sales(), spec((c) => { if (c[0]) c[0].nullable = true; }));
    assert.deepEqual(allow.updated.map((u) => [u.before.columnId, u.nullable]), [[1, true]]);
    const forbid = spec((c) => { if (c[1]) c[1].nullable = false; });
    assert.equal(diffTable(sales(), forbid).updated[0]?.nullable, false);
    const stats: TableStats = { recordCount: 10, nextRowId: 10, fileSizeBytes: 1, columns: [{ columnId: 2, containsNull: true, containsNan: null, minValue: null, maxValue: null, extraStats: null }] };
    assert.throws(() => diffTable(sales(), forbid, stats), /column "ts": making it NOT NULL would lose data/);
    const clean: TableStats = { ...stats, columns: [{ ...stats.columns[0], columnId: 2, containsNull: false, containsNan: null, minValue: null, maxValue: null, extraStats: null }] };
    assert.equal(diffTable(sales(), forbid, clean).updated.length, 1);
  });

  it('refuses a new NOT NULL column on a table that holds rows', () => {
    const stats: TableStats = { recordCount: 3, nextRowId: 3, fileSizeBytes: 1, columns: [] };
    const withNotNull = spec((c) => { c.push({ name: 'qty', type: 'INTEGER', nullable: false }); });
    assert.throws(() => diffTable(sales(), withNotNull, stats), /columns\.qty\.nullable: a NOT NULL column cannot be added to a table that already holds rows/);
    assert.equal(diffTable(sales(), withNotNull).added[0]?.rows[0]?.nullable, false);
  });

  it('sees comment changes on the table and its columns', () => {
    const diff = diffTable(sales(), spec((c) => { if (c[1]) c[1].comment = 'event time'; }, { comment: 'all sales' }));
    assert.deepEqual(diff.columnComments, [{ columnId: 2, comment: 'event time' }]);
    assert.deepEqual(diff.tableComment, { comment: 'all sales' });
    assert.deepEqual(diff.updated, []);
  });

  it('sees partitioning changes, including a new column and a reset', () => {
    const diff = diffTable(sales(), spec(() => {}, { format: { partitioning: ['day(ts)', 'bucket(8, id)'] } }));
    assert.deepEqual(diff.partitioning, [{ columnId: 2, transform: 'day' }, { columnId: 1, transform: 'bucket(8)' }]);
    const reset = diffTable(sales(), spec(() => {}, { format: { partitioning: [] } }));
    assert.deepEqual(reset.partitioning, []);
    const onNew = diffTable(sales(), spec((c) => { c.push({ name: 'day', type: 'DATE' }); }, { format: { partitioning: ['month(day)'] } }));
    assert.deepEqual(onNew.partitioning, [{ columnId: 10, transform: 'month' }]);
    assert.throws(() => diffTable(sales(), spec(() => {}, { format: { partitioning: ['year(region)'] } })), /year\(region\) needs a DATE or TIMESTAMP column; "region" is VARCHAR/);
    assert.throws(() => diffTable(sales(), spec(() => {}, { format: { partitioning: ['tags'] } })), /cannot partition by the nested column "tags"/);
  });
});

describe('isWidening', () => {
  const t = (text: string): ColumnType => {
    const parsed = parseColumnType(text);
    if ('error' in parsed) throw new Error(parsed.error);
    return parsed;
  };
  const cases: Array<[string, string, boolean]> = [
    ['TINYINT', 'SMALLINT', true], ['TINYINT', 'BIGINT', true], ['SMALLINT', 'INTEGER', true], ['INTEGER', 'BIGINT', true],
    ['BIGINT', 'INTEGER', false], ['BIGINT', 'HUGEINT', false], ['UTINYINT', 'SMALLINT', true], ['UINTEGER', 'BIGINT', true],
    ['UINTEGER', 'INTEGER', false], ['FLOAT', 'DOUBLE', true], ['DOUBLE', 'FLOAT', false], ['INTEGER', 'DOUBLE', false],
    ['DECIMAL(10,2)', 'DECIMAL(18,2)', true], ['DECIMAL(10,2)', 'DECIMAL(12,4)', true], ['DECIMAL(10,2)', 'DECIMAL(11,3)', true], ['DECIMAL(10,2)', 'DECIMAL(11,4)', false],
    ['DECIMAL(10,2)', 'DECIMAL(10,2)', false], ['INTEGER', 'INTEGER', false], ['VARCHAR', 'BLOB', false],
  ];
  for (const [from, to, expected] of cases) {
    it(`${from} → ${to}: ${expected}`, () => assert.equal(isWidening(t(from), t(to)), expected));
  }
});
