import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundText, buildFileColumnStats, mapEntries, statsPathKey, toRawStats, type LeafColumn } from '../../runner/lake/write/stats-text.ts';

const entry = (stats: Record<string, string>) => Object.entries(stats).map(([key, value]) => ({ key, value }));

// Shaped like DuckDB 1.5 COPY … RETURN_STATS column_statistics read through @duckdb/node-api.
const raw = toRawStats([
  { key: '"id"', value: entry({ column_size_bytes: '44', max: '4', min: '0', null_count: '1', num_values: '5' }) },
  { key: '"b"', value: entry({ column_size_bytes: '26', max: '1', min: '0', null_count: '0', num_values: '5' }) },
  { key: '"ts"', value: entry({ column_size_bytes: '62', max: '2024-01-01 10:00:04', min: '2024-01-01 10:00:00', null_count: '0', num_values: '5' }) },
  { key: '"tz"', value: entry({ column_size_bytes: '51', max: '2024-01-01 10:00:00.5+00', min: '2024-01-01 10:00:00.5+00', null_count: '0', num_values: '5' }) },
  { key: '"dbl"', value: entry({ column_size_bytes: '54', has_nan: 'false', max: '1.3333333333333333', min: '0.0', null_count: '0', num_values: '5' }) },
  { key: '"nn"', value: entry({ column_size_bytes: '51', has_nan: 'true', null_count: '0', num_values: '5' }) },
  { key: '"hi"', value: entry({ column_size_bytes: '51', max: '9', min: '1', null_count: '0', num_values: '5' }) },
  { key: '"iv"', value: entry({ column_size_bytes: '0', null_count: '0', num_values: '0' }) },
  { key: '"bl"', value: entry({ column_size_bytes: '49', max: 'AB01', min: 'AB01', null_count: '0', num_values: '5' }) },
  { key: '"lst"."element"', value: entry({ column_size_bytes: '76', max: '4', min: '0', null_count: '2', num_values: '10' }) },
  { key: '"st"."a"', value: entry({ column_size_bytes: '54', max: 'x\u0000', min: 'a', null_count: '0', num_values: '5' }) },
  { key: '"allnull"', value: entry({ column_size_bytes: '25', null_count: '5', num_values: '5' }) },
]);

const leaves: LeafColumn[] = [
  { columnId: 1, path: ['id'], type: 'int32' },
  { columnId: 2, path: ['b'], type: 'boolean' },
  { columnId: 3, path: ['ts'], type: 'timestamp' },
  { columnId: 4, path: ['tz'], type: 'timestamptz' },
  { columnId: 5, path: ['dbl'], type: 'float64' },
  { columnId: 6, path: ['nn'], type: 'float64' },
  { columnId: 7, path: ['hi'], type: 'int128' },
  { columnId: 8, path: ['iv'], type: 'interval' },
  { columnId: 9, path: ['bl'], type: 'blob' },
  { columnId: 11, path: ['lst', 'element'], type: 'int32' },
  { columnId: 13, path: ['st', 'a'], type: 'varchar' },
  { columnId: 14, path: ['allnull'], type: 'int32' },
  { columnId: 15, path: ['missing'], type: 'int32' },
];

test('keys nested leaves the way RETURN_STATS does', () => {
  assert.equal(statsPathKey(['s', 'x']), '"s"."x"');
  assert.equal(statsPathKey(['we"ird']), '"we""ird"');
});

test('turns RETURN_STATS into format §8 file column stats', () => {
  const rows = new Map(buildFileColumnStats(leaves, raw, 5).map((row) => [row.columnId, row]));
  assert.deepEqual(rows.get(1), { columnId: 1, columnSizeBytes: 44, valueCount: 4, nullCount: 1, minValue: '0', maxValue: '4', containsNan: null });
  assert.deepEqual([rows.get(2)?.minValue, rows.get(2)?.maxValue], ['0', '1'], 'booleans are 0/1');
  assert.equal(rows.get(3)?.maxValue, '2024-01-01 10:00:04', 'no fraction when it is zero');
  assert.equal(rows.get(4)?.minValue, '2024-01-01 10:00:00.5+00');
  assert.deepEqual([rows.get(5)?.minValue, rows.get(5)?.maxValue, rows.get(5)?.containsNan], ['0.0', '1.3333333333333333', false]);
  assert.deepEqual([rows.get(6)?.minValue, rows.get(6)?.containsNan], [null, true], 'NaN sets contains_nan and never a bound');
  assert.deepEqual([rows.get(7)?.minValue, rows.get(7)?.maxValue], [null, null], 'int128 has no bounds');
  assert.deepEqual([rows.get(8)?.valueCount, rows.get(8)?.minValue], [5, null], 'interval: counts from the record count, no bounds');
  assert.equal(rows.get(9)?.maxValue, 'AB01');
  assert.deepEqual([rows.get(11)?.valueCount, rows.get(11)?.nullCount], [8, 2], 'value_count is the non-NULL count of list elements');
  assert.deepEqual([rows.get(13)?.minValue, rows.get(13)?.maxValue], ['a', null], 'a string with NUL is no bound');
  assert.deepEqual([rows.get(14)?.valueCount, rows.get(14)?.nullCount, rows.get(14)?.minValue], [0, 5, null]);
  assert.deepEqual(rows.get(15), { columnId: 15, columnSizeBytes: null, valueCount: null, nullCount: null, minValue: null, maxValue: null, containsNan: null });
});

test('bounds text: types without bounds and NaN give null, others pass through', () => {
  assert.equal(boundText('uuid', '530ca0df-ba49-480c-830f-1cb475056ec8'), '530ca0df-ba49-480c-830f-1cb475056ec8');
  assert.equal(boundText('timetz', '12:00:00+00'), null);
  assert.equal(boundText('float32', 'nan'), null);
  assert.equal(boundText('float32', 'inf'), 'inf');
  assert.equal(boundText('varchar', null), null);
});

test('reads DuckDB MAP values given as entry arrays, Maps or objects', () => {
  assert.deepEqual(mapEntries([{ key: 'a', value: 1 }]), [['a', 1]]);
  assert.deepEqual(mapEntries(new Map([['b', 2]])), [['b', 2]]);
  assert.deepEqual(mapEntries({ entries: [{ key: 'c', value: 3 }] }), [['c', 3]]);
  assert.deepEqual(mapEntries(null), []);
});

test('leaves contains_nan unknown for a float column whose statistics carry no has_nan, as the extension does', () => {
  const stats = toRawStats([{ key: '"f"', value: entry({ column_size_bytes: '20', null_count: '5', num_values: '5' }) }]);
  const [row] = buildFileColumnStats([{ columnId: 1, path: ['f'], type: 'float32' }], stats, 5);
  assert.equal(row?.containsNan, null);
});
