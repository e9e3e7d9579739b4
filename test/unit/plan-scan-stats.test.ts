import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnStats, LakeDataFile, PartitionValueFilter } from '../../runner/lake/read/files.ts';
import { identityCoveredColumns } from '../../runner/lake/read/plan-scan.ts';
import { compilePredicates, pruneFiles, type Predicate } from '../../runner/lake/read/prune.ts';
import type { LakeTable, PartitionKeyInfo } from '../../runner/lake/read/tables.ts';
import type { SqlConstant } from '../../runner/lake/read/values.ts';

const spec: PartitionKeyInfo[] = [
  { index: 0, columnId: 3, transform: 'identity' },
  { index: 1, columnId: 2, transform: 'year' },
  { index: 2, columnId: 1, transform: 'identity' },
];
const table: LakeTable = {
  tableId: 1, schemaId: 0, schemaName: 'main', tableName: 't', path: 's3://b/main/t/',
  columns: [
    { id: 1, name: 'id', type: 'int64', initialDefault: null, nullable: true, children: [] },
    { id: 2, name: 'ts', type: 'timestamp', initialDefault: null, nullable: true, children: [] },
    { id: 3, name: 'region', type: 'varchar', initialDefault: null, nullable: true, children: [] },
  ],
  partitionId: 10,
  partitionSpecs: new Map([[10, spec]]),
};
const str = (value: string): SqlConstant => ({ type: 'VARCHAR', value });
const int = (value: number): SqlConstant => ({ type: 'INTEGER', value });
const cast = (value: string, castTo: string): SqlConstant => ({ type: 'VARCHAR', value, castTo });
const compile = (predicates: Predicate[]) => compilePredicates(table, predicates);
const filter = (keyIndex: number, values: string[], allowNull = false): PartitionValueFilter => ({ keyIndex, values, allowNull });

describe('identityCoveredColumns', () => {
  it('skips the stats of an identity key column that a filter narrows', () => {
    const predicates = compile([{ kind: 'compare', column: 'region', op: '=', value: str('EU') }, { kind: 'null', column: 'region', negated: true }]);
    assert.deepEqual([...identityCoveredColumns(spec, [filter(0, ['EU'])], predicates)], [3]);
  });

  it('keeps the stats of a key without a filter, of a non-identity key and of other columns', () => {
    const predicates = compile([
      { kind: 'compare', column: 'region', op: '=', value: str('EU') },
      { kind: 'compare', column: 'ts', op: '>=', value: cast('2024-01-01', 'TIMESTAMP') },
    ]);
    assert.deepEqual([...identityCoveredColumns(spec, [], predicates)], []);
    assert.deepEqual([...identityCoveredColumns(spec, [filter(1, ['2024'])], predicates)], []);
  });

  it('keeps the stats when a filtered value does not read in the column type', () => {
    const predicates = compile([{ kind: 'compare', column: 'id', op: '>', value: int(5) }]);
    assert.deepEqual([...identityCoveredColumns(spec, [filter(2, ['7', '9'])], predicates)], [1]);
    assert.deepEqual([...identityCoveredColumns(spec, [filter(2, ['7', 'x9'])], predicates)], []);
  });

  it('prunes the same files with and without the skipped stats', () => {
    const stat = (min: string, max: string): ColumnStats => ({ min, max, nullCount: 0, valueCount: 10, containsNan: null });
    const file = (id: number, region: string): LakeDataFile => ({
      id, path: `f${id}`, recordCount: 10, sizeBytes: 1, partitionId: 10, partialMax: null, mappingId: null,
      partitionValues: [region, '2024', String(id)], stats: new Map([[3, stat(region, region)], [1, stat(String(id), String(id))]]), deleteFile: null,
    });
    const files = [file(1, 'EU'), file(2, 'US'), file(3, 'EU')];
    const predicates = compile([{ kind: 'in', column: 'region', values: [str('EU'), str('APAC')] }, { kind: 'compare', column: 'id', op: '<', value: int(3) }]);
    const covered = identityCoveredColumns(spec, [filter(0, ['EU'])], predicates);
    const withoutStats = files.map((f) => ({ ...f, stats: new Map([...f.stats].filter(([id]) => !covered.has(id))) }));
    assert.deepEqual(pruneFiles(withoutStats, table, predicates).kept.map((f) => f.id), pruneFiles(files, table, predicates).kept.map((f) => f.id));
    assert.deepEqual(pruneFiles(files, table, predicates).kept.map((f) => f.id), [1]);
  });
});
