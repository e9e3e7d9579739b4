import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HIDDEN_FIELD_IDS, ROW_ID_FIELD_ID, ROW_SNAPSHOT_FIELD_ID, rowIdColumnNode, rowIdExpression, withoutHiddenStats } from '../../runner/lake/maintain/row-lineage.ts';
import { fieldIdsLiteral } from '../../runner/lake/write/table-columns.ts';
import type { FileColumnStats } from '../../runner/lake/write/stats-text.ts';

const stat = (columnId: number): FileColumnStats => ({ columnId, columnSizeBytes: 1, valueCount: 1, nullCount: 0, minValue: '0', maxValue: '9', containsNan: null });

test('a row id comes from the file\'s hidden column when it has one, else row_id_start + position', () => {
  assert.equal(rowIdExpression('_ducklake_internal_row_id', '40', 'a.parquet'), 'CAST("_ducklake_internal_row_id" AS BIGINT)');
  assert.equal(rowIdExpression('_ducklake_internal_row_id', null, 'a.parquet'), 'CAST("_ducklake_internal_row_id" AS BIGINT)', 'a merged file needs no row_id_start');
  assert.equal(rowIdExpression(undefined, '40', 'a.parquet'), '(40 + file_row_number)::BIGINT');
  assert.equal(rowIdExpression(undefined, 's.__fm_row_id_start', 'a.parquet'), '(s.__fm_row_id_start + file_row_number)::BIGINT');
  assert.throws(() => rowIdExpression(undefined, null, 'lost.parquet'), /lost\.parquet has neither row_id_start nor a _ducklake_internal_row_id column/);
});

test('the hidden row id column is written as BIGINT with field id 2147483540 and gets no catalog stats', () => {
  const node = rowIdColumnNode();
  assert.deepEqual([node.columnId, node.name, node.typeName, node.children.length], [2147483540, '_ducklake_internal_row_id', 'int64', 0]);
  assert.equal(fieldIdsLiteral([node]), "{'_ducklake_internal_row_id': 2147483540}");
  assert.deepEqual([...HIDDEN_FIELD_IDS].sort(), [ROW_SNAPSHOT_FIELD_ID, ROW_ID_FIELD_ID].sort());
  assert.deepEqual(withoutHiddenStats([stat(1), stat(ROW_ID_FIELD_ID), stat(2), stat(ROW_SNAPSHOT_FIELD_ID)]).map((each) => each.columnId), [1, 2]);
});
