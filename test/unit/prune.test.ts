import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnStats, LakeDataFile } from '../../runner/lake/read/files.ts';
import { compilePredicates, decidePartitionFilters, pruneFiles, type Predicate } from '../../runner/lake/read/prune.ts';
import type { PartitionKeys } from '../../runner/lake/read/partition-keys.ts';
import type { LakeTable } from '../../runner/lake/read/tables.ts';
import type { SqlConstant } from '../../runner/lake/read/values.ts';
import { bucketOf, murmur3String } from '../../runner/lake/write/murmur3.ts';

const table: LakeTable = {
  tableId: 1,
  schemaId: 0,
  schemaName: 'main',
  tableName: 'sales',
  path: 's3://b/main/sales/',
  columns: [
    { id: 1, name: 'id', type: 'int64', initialDefault: null, nullable: true, children: [] },
    { id: 2, name: 'ts', type: 'timestamp', initialDefault: null, nullable: true, children: [] },
    { id: 3, name: 'region', type: 'varchar', initialDefault: null, nullable: true, children: [] },
    { id: 4, name: 'amount', type: 'float64', initialDefault: null, nullable: true, children: [] },
    { id: 5, name: 'price', type: 'decimal(10,2)', initialDefault: null, nullable: true, children: [] },
    { id: 6, name: 'day', type: 'date', initialDefault: null, nullable: true, children: [] },
    { id: 7, name: 's', type: 'struct', initialDefault: null, nullable: true, children: [{ id: 8, name: 'x', type: 'int32', initialDefault: null, nullable: true, children: [] }] },
  ],
  partitionId: 10,
  partitionSpecs: new Map([
    [10, [{ index: 0, columnId: 3, transform: 'identity' }, { index: 1, columnId: 2, transform: 'year' }, { index: 2, columnId: 2, transform: 'month' }]],
  ]),
};

const stat = (min: string | null, max: string | null, nullCount = 0, containsNan: boolean | null = null): ColumnStats => ({
  min, max, nullCount, valueCount: 10 - nullCount, containsNan,
});

function file(id: number, stats: Record<number, ColumnStats>, partitionValues: (string | null)[] = []): LakeDataFile {
  return {
    id, path: `f${id}`, recordCount: 10, sizeBytes: 100, partitionId: partitionValues.length > 0 ? 10 : null, partialMax: null, mappingId: null,
    partitionValues, stats: new Map(Object.entries(stats).map(([k, v]) => [Number(k), v])), deleteFile: null,
  };
}

const int = (value: number): SqlConstant => ({ type: 'INTEGER', value });
const str = (value: string): SqlConstant => ({ type: 'VARCHAR', value });
const cast = (value: string, castTo: string): SqlConstant => ({ type: 'VARCHAR', value, castTo });

function kept(files: LakeDataFile[], predicates: Predicate[]): number[] {
  return pruneFiles(files, table, compilePredicates(table, predicates)).kept.map((f) => f.id);
}

describe('pruneFiles by min/max', () => {
  const files = [file(1, { 1: stat('1', '10') }), file(2, { 1: stat('11', '20') }), file(3, { 1: stat(null, null) }), file(4, {})];
  const cases: [string, Predicate[], number[]][] = [
    ['= inside one range', [{ kind: 'compare', column: 'id', op: '=', value: int(15) }], [2, 3, 4]],
    ['< lower bound', [{ kind: 'compare', column: 'id', op: '<', value: int(11) }], [1, 3, 4]],
    ['<= lower bound', [{ kind: 'compare', column: 'id', op: '<=', value: int(11) }], [1, 2, 3, 4]],
    ['> upper bound', [{ kind: 'compare', column: 'id', op: '>', value: int(10) }], [2, 3, 4]],
    ['>= upper bound', [{ kind: 'compare', column: 'id', op: '>=', value: int(10) }], [1, 2, 3, 4]],
    ['IN', [{ kind: 'in', column: 'id', values: [int(0), int(21)] }], [3, 4]],
    ['BETWEEN', [{ kind: 'between', column: 'id', low: int(12), high: int(13) }], [2, 3, 4]],
    ['AND of two', [{ kind: 'compare', column: 'id', op: '>', value: int(5) }, { kind: 'compare', column: 'id', op: '<', value: int(11) }], [1, 3, 4]],
    ['string literal cast to the int column', [{ kind: 'compare', column: 'id', op: '=', value: str('3') }], [1, 3, 4]],
    ['column name is case-insensitive input', [{ kind: 'compare', column: 'id', op: '=', value: int(3) }], [1, 3, 4]],
    ['unknown column: no pruning', [{ kind: 'compare', column: 'nope', op: '=', value: int(3) }], [1, 2, 3, 4]],
    ['fractional constant on an int column: no pruning', [{ kind: 'compare', column: 'id', op: '>', value: { type: 'DOUBLE', value: 10.5 } }], [1, 2, 3, 4]],
    ['decimal 10.5 on an int column is not exact: no pruning', [{ kind: 'compare', column: 'id', op: '>', value: { type: 'DECIMAL', value: 105, scale: 1 } }], [1, 2, 3, 4]],
    ['nested column: no pruning', [{ kind: 'compare', column: 's', op: '=', value: int(1) }], [1, 2, 3, 4]],
  ];
  for (const [name, predicates, expected] of cases) {
    it(name, () => assert.deepEqual(kept(files, predicates), expected));
  }
});

describe('pruneFiles by NULL counts', () => {
  const files = [file(1, { 3: stat('a', 'b', 0) }), file(2, { 3: stat(null, null, 10) }), file(3, { 3: stat('a', 'c', 3) })];
  it('IS NULL keeps files with nulls', () => assert.deepEqual(kept(files, [{ kind: 'null', column: 'region', negated: false }]), [2, 3]));
  it('IS NOT NULL drops all-null files', () => assert.deepEqual(kept(files, [{ kind: 'null', column: 'region', negated: true }]), [1, 3]));
  it('a comparison drops all-null files', () => assert.deepEqual(kept(files, [{ kind: 'compare', column: 'region', op: '>=', value: str('a') }]), [1, 3]));
  it('strings compare by UTF-8 bytes', () => {
    const f = [file(1, { 3: stat('Z', 'a') }), file(2, { 3: stat('\uFF21', '\uFF21') })];
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'region', op: '=', value: str('^') }]), [1]);
    // UTF-16 order would put U+1F600 below U+FF21; UTF-8 bytes (F0 > EF) put it above.
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'region', op: '>', value: str('\u{1F600}') }]), []);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'region', op: '<', value: str('\u{1F600}') }]), [1, 2]);
  });
});

describe('pruneFiles by typed bounds', () => {
  it('floats are trusted only without NaN', () => {
    const f = [file(1, { 4: stat('1.5', '2.5', 0, false) }), file(2, { 4: stat('1.5', '2.5', 0, true) }), file(3, { 4: stat('-inf', '0.0', 0, false) })];
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'amount', op: '>', value: { type: 'DOUBLE', value: 3 } }]), [2]);
  });
  it('decimals compare exactly', () => {
    const f = [file(1, { 5: stat('10.00', '10.49') }), file(2, { 5: stat('10.50', '99.99') })];
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'price', op: '>=', value: { type: 'DECIMAL', value: 1050, scale: 2 } }]), [2]);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'price', op: '<', value: str('10.5') }]), [1]);
  });
  it('timestamps compare with fractions and casts', () => {
    const f = [file(1, { 2: stat('2024-01-01 00:00:00', '2024-01-31 23:59:59.999999') }), file(2, { 2: stat('2024-02-01 00:00:00', '2024-02-28 10:00:00') })];
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'ts', op: '>=', value: cast('2024-02-01', 'TIMESTAMP') }]), [2]);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'ts', op: '<', value: str('2024-01-31 23:59:59.999999') }]), [1]);
    // More digits than the column keeps: DuckDB would round the literal, so no pruning.
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'ts', op: '<=', value: str('2024-01-31 23:59:59.9999995') }]), [1, 2]);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'ts', op: '>', value: cast('2024-01-31 23:59:59.999999', 'TIMESTAMP') }]), [2]);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'ts', op: '>', value: cast('2024-01-31 23:59:59', 'TIMESTAMPTZ') }]), [1, 2]);
  });
  it('dates refuse a text with a time part', () => {
    const f = [file(1, { 6: stat('2024-01-01', '2024-01-31') }), file(2, { 6: stat('2024-02-01', '2024-02-28') })];
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'day', op: '=', value: str('2024-02-10') }]), [2]);
    assert.deepEqual(kept(f, [{ kind: 'compare', column: 'day', op: '=', value: str('2024-02-10 10:00') }]), [1, 2]);
  });
});

describe('pruneFiles by partition values', () => {
  const files = [
    file(1, {}, ['EU', '2024', '3']),
    file(2, {}, ['US', '2024', '6']),
    file(3, {}, ['EU', '2025', '1']),
    file(4, {}, [null, '2025', '2']),
  ];
  it('identity equality and IN', () => {
    assert.deepEqual(kept(files, [{ kind: 'compare', column: 'region', op: '=', value: str('EU') }]), [1, 3]);
    assert.deepEqual(kept(files, [{ kind: 'in', column: 'region', values: [str('US'), str('APAC')] }]), [2]);
  });
  it('a NULL key only matches IS NULL', () => {
    assert.deepEqual(kept(files, [{ kind: 'null', column: 'region', negated: false }]), [4]);
    assert.deepEqual(kept(files, [{ kind: 'null', column: 'region', negated: true }]), [1, 2, 3]);
  });
  it('year(ts) maps ranges', () => {
    assert.deepEqual(kept(files, [{ kind: 'compare', column: 'ts', op: '>=', value: cast('2025-01-01', 'TIMESTAMP') }]), [3, 4]);
    assert.deepEqual(kept(files, [{ kind: 'compare', column: 'ts', op: '<', value: cast('2024-12-31', 'TIMESTAMP') }]), [1, 2]);
    assert.deepEqual(kept(files, [{ kind: 'between', column: 'ts', low: cast('2024-05-01', 'TIMESTAMP'), high: cast('2024-12-31', 'TIMESTAMP') }]), [1, 2]);
  });
  it('month(ts) maps only equality and IN', () => {
    assert.deepEqual(kept(files, [{ kind: 'compare', column: 'ts', op: '=', value: cast('2024-06-15 10:00:00', 'TIMESTAMP') }]), [2]);
    assert.deepEqual(kept(files, [{ kind: 'in', column: 'ts', values: [cast('2025-01-02', 'TIMESTAMP'), cast('2025-02-02', 'TIMESTAMP')] }]), [3, 4]);
  });
  it('files of another spec are judged by their own spec only', () => {
    const other = { ...file(5, {}, ['EU']), partitionId: 99 };
    assert.deepEqual(kept([other], [{ kind: 'compare', column: 'region', op: '=', value: str('US') }]), [5]);
  });
});

describe('decidePartitionFilters', () => {
  // The visible files: 13 of spec 10, with these distinct values per key.
  const keys: PartitionKeys = {
    specs: [{ partitionId: 10, files: 13 }],
    values: new Map<number, (string | null)[]>([[0, ['EU', 'US', null]], [1, ['2024', '2025']], [2, ['3', '6', '1']]]),
  };
  const compile = (predicates: Predicate[]) => compilePredicates(table, predicates);
  it('lists only the surviving values of the keys where some value fails', () => {
    assert.deepEqual(decidePartitionFilters(table, keys, compile([{ kind: 'compare', column: 'region', op: '=', value: str('US') }])), [
      { keyIndex: 0, values: ['US'], allowNull: false },
    ]);
    // year(ts) and month(ts) are judged each on its own.
    assert.deepEqual(decidePartitionFilters(table, keys, compile([{ kind: 'compare', column: 'ts', op: '=', value: cast('2024-06-02 10:00:00', 'TIMESTAMP') }])), [
      { keyIndex: 1, values: ['2024'], allowNull: false },
      { keyIndex: 2, values: ['6'], allowNull: false },
    ]);
  });
  it('matches nothing when no value survives', () => {
    const filters = decidePartitionFilters(table, keys, compile([{ kind: 'compare', column: 'region', op: '=', value: str('APAC') }]));
    assert.deepEqual(filters, [{ keyIndex: 0, values: [], allowNull: false }]);
  });
  it('lists everything when nothing is pruned, no key column is used, or specs differ', () => {
    assert.equal(decidePartitionFilters(table, keys, compile([{ kind: 'compare', column: 'id', op: '=', value: int(1) }])), undefined);
    assert.deepEqual(decidePartitionFilters(table, keys, compile([{ kind: 'null', column: 'region', negated: false }])), [{ keyIndex: 0, values: [], allowNull: true }]);
    // EU and US survive, the NULL key does not: still a filter.
    assert.deepEqual(decidePartitionFilters(table, keys, compile([{ kind: 'in', column: 'region', values: [str('EU'), str('US')] }]))?.[0], { keyIndex: 0, values: ['EU', 'US'], allowNull: false });
    assert.equal(decidePartitionFilters(table, keys, compile([{ kind: 'compare', column: 'ts', op: '>=', value: cast('2024-01-01', 'TIMESTAMP') }])), undefined);
    const mixed: PartitionKeys = { ...keys, specs: [...keys.specs, { partitionId: null, files: 2 }] };
    assert.equal(decidePartitionFilters(table, mixed, compile([{ kind: 'compare', column: 'region', op: '=', value: str('US') }])), undefined);
  });
  it('keeps every file that pruneFiles keeps', () => {
    const files = [
      file(1, {}, ['EU', '2024', '3']), file(2, {}, ['US', '2024', '6']), file(3, {}, [null, '2025', '1']), file(4, {}, ['US', '2025', '1']),
    ];
    const predicates: Predicate[][] = [
      [{ kind: 'compare', column: 'region', op: '=', value: str('US') }, { kind: 'compare', column: 'ts', op: '<', value: cast('2025-01-01', 'TIMESTAMP') }],
      [{ kind: 'null', column: 'region', negated: false }],
      [{ kind: 'in', column: 'region', values: [str('EU'), str('US')] }],
    ];
    for (const list of predicates) {
      const compiled = compile(list);
      const filters = decidePartitionFilters(table, keys, compiled) ?? [];
      const passes = (f: LakeDataFile) => filters.every((filter) => {
        const value = f.partitionValues[filter.keyIndex];
        return value === null ? filter.allowNull : value !== undefined && filter.values.includes(value);
      });
      const exact = pruneFiles(files, table, compiled).kept.map((f) => f.id);
      assert.deepEqual(pruneFiles(files.filter(passes), table, compiled).kept.map((f) => f.id), exact, JSON.stringify(list));
      assert.ok(files.filter(passes).length < files.length, 'the filters prune something');
    }
  });
});

describe('pruneFiles by bucket(N)', () => {
  // Iceberg's spec vectors: murmur3(long 34) = 2017239379 → bucket 3 of 16; murmur3("iceberg") = 1210000089 → bucket 9 of 16.
  const bucketed: LakeTable = {
    ...table,
    partitionId: 20,
    partitionSpecs: new Map([[20, [{ index: 0, columnId: 1, transform: 'bucket(16)' }, { index: 1, columnId: 3, transform: 'bucket(16)' }]]]),
  };
  const files = [3, 4, 9].map((b) => ({ ...file(b, {}, [String(b), String(b)]), partitionId: 20 }));
  const keptIds = (predicates: Predicate[]) => pruneFiles(files, bucketed, compilePredicates(bucketed, predicates)).kept.map((f) => f.id);
  it('keeps only the bucket of an integer', () => assert.deepEqual(keptIds([{ kind: 'compare', column: 'id', op: '=', value: int(34) }]), [3]));
  it('keeps only the bucket of a string', () => assert.deepEqual(keptIds([{ kind: 'compare', column: 'region', op: '=', value: str('iceberg') }]), [9]));
  it('hashes an unsigned integer as its text, as the extension and our writer do', () => {
    const unsigned: LakeTable = bucketed;
    const textBucket = bucketOf(murmur3String('34'), 16);
    assert.ok(textBucket !== 3 && textBucket !== 4, 'the text hash lands elsewhere than the int64 hash');
    const candidates = [3, textBucket].map((b) => ({ ...file(b, {}, [String(b), String(b)]), partitionId: 20 }));
    const kept = (type: string) => {
      const typed: LakeTable = { ...unsigned, columns: unsigned.columns.map((column) => (column.id === 1 ? { ...column, type } : column)) };
      return pruneFiles([...candidates, { ...file(4, {}, ['4', '4']), partitionId: 20 }], typed, compilePredicates(typed, [{ kind: 'compare', column: 'id', op: '=', value: int(34) }])).kept.map((f) => f.id);
    };
    assert.deepEqual(kept('uint64'), [textBucket]);
    // uint32 keys of older Featherman catalogs were hashed as int64: those files are kept too.
    assert.deepEqual(kept('uint32'), [3, textBucket]);
  });
  it('keeps the buckets of IN values and ignores ranges', () => {
    assert.deepEqual(keptIds([{ kind: 'in', column: 'id', values: [int(34), str('34')] }]), [3]);
    assert.deepEqual(keptIds([{ kind: 'compare', column: 'id', op: '>', value: int(34) }]), [3, 4, 9]);
  });
});
