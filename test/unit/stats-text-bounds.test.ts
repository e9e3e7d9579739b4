import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareBound, pickBound } from '../../runner/lake/write/bound-compare.ts';

test('orders bound texts by their typed value, not as text', () => {
  const cases: Array<[string, string, string, number]> = [
    ['int32', '9', '10', -1],
    ['int64', '-9223372036854775808', '9223372036854775807', -1],
    ['uint64', '18446744073709551615', '18446744073709551614', 1],
    ['decimal(10,2)', '-0.50', '-0.5', 0],
    ['decimal(10,2)', '12.34', '9.99', 1],
    ['float64', '1e3', '999.5', 1],
    ['float64', '-inf', '-1.7976931348623157e308', -1],
    ['float32', 'inf', '3.4e38', 1],
    ['boolean', '0', '1', -1],
    ['date', '2024-01-15', '2023-12-31', 1],
    ['timestamp', '2024-01-01 10:00:00', '2024-01-01 10:00:00.5', -1],
    ['timestamp', '2024-01-01 10:00:00.5', '2024-01-01 10:00:00.25', 1],
    ['timestamptz', '2024-01-01 10:00:00+00', '2024-01-01 09:59:59.999999+00', 1],
    ['timestamp_ns', '2024-01-01 10:00:00.123456789', '2024-01-01 10:00:00.123456788', 1],
    ['time', '12:30:00.5', '12:30:00', 1],
    ['varchar', 'Z', 'a', -1],
    ['varchar', '\uffff', '😀', -1],
    ['blob', 'AB01', 'AB', 1],
    ['uuid', '00000000-0000-0000-0000-000000000001', 'ffffffff-0000-0000-0000-000000000000', -1],
  ];
  for (const [type, a, b, expected] of cases) assert.equal(compareBound(type, a, b), expected, `${type}: ${a} vs ${b}`);
});

test('gives up where text order may not be value order, so DuckDB decides', () => {
  assert.equal(compareBound('date', '-0001-01-01', '2024-01-01'), undefined);
  assert.equal(compareBound('date', 'infinity', '2024-01-01'), undefined);
  assert.equal(compareBound('timestamp', '12345-01-01 00:00:00', '2024-01-01 00:00:00'), undefined);
  assert.equal(compareBound('int32', '1.5', '2'), undefined);
  assert.equal(compareBound('interval', '1 day', '2 days'), undefined);
  assert.equal(pickBound('date', 'min', ['2024-01-01', 'infinity']), undefined);
});

test('picks the least and greatest of several bounds', () => {
  assert.equal(pickBound('int32', 'min', ['5', '-3', '10']), '-3');
  assert.equal(pickBound('int32', 'max', ['5', '-3', '10']), '10');
  assert.equal(pickBound('varchar', 'max', ['APAC', 'a/b=c%', 'US']), 'a/b=c%');
  assert.equal(pickBound('float64', 'max', ['1000.0', '410.39']), '1000.0');
  assert.equal(pickBound('int32', 'min', []), undefined);
});
