import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeLandingError, isLandingKey, landingSource } from '../../runner/lake/write/landing.ts';
import type { ColumnNode } from '../../runner/lake/write/table-columns.ts';

const files = [{ key: 'landing/x/a b.csv', etag: 'e', size: 1, localPath: '/cache/ab/abc-e.csv' }];

test('rewrites DuckDB reader errors into one line naming the landing key, line, column and value', () => {
  const duck = `Conversion Error: CSV Error on Line: 3
Original Line: eight,2026-11-05 01:00:00,US,2.5
Error when converting column "id". Could not convert string "eight" to 'INTEGER'

Column id is being converted as type INTEGER
This type was auto-detected from the CSV file.
Possible solutions:
* Override the type for this column manually
  file = /cache/ab/abc-e.csv
  delimiter = , (Auto-Detected)`;
  assert.equal(describeLandingError(duck, files, 'lake'),
    `CSV Error on Line: 3 Original Line: eight,2026-11-05 01:00:00,US,2.5 Error when converting column "id". Could not convert string "eight" to 'INTEGER'`);
  assert.equal(describeLandingError(`Invalid Input Error: JSON transform error in file "/cache/ab/abc-e.csv", in record/value 1: bad. Try setting 'auto_detect' to true`, files, 'lake'),
    'JSON transform error in file "s3://lake/landing/x/a b.csv", in record/value 1: bad.');
});

test('skips folder markers and _SUCCESS/.hidden files under the prefix', () => {
  assert.deepEqual(['a/b.csv', 'a/', 'a/_SUCCESS', 'a/.tmp', 'a/x/y.json'].filter(isLandingKey), ['a/b.csv', 'a/x/y.json']);
});

test('reads landing files with declared types and options as quoted literals only', () => {
  const columns: ColumnNode[] = [{ columnId: 1, name: 'id', typeName: 'int32', type: { kind: 'primitive', name: 'int32' }, nullable: true, children: [] }];
  const sql = landingSource('csv', ["/cache/it's.csv"], columns, { delimiter: "';DROP", nullString: 'n/a' });
  assert.equal(sql, `SELECT "id" FROM read_csv(['/cache/it''s.csv'], columns = {'id': 'INTEGER'}, header = true, auto_detect = false, delim = ''';DROP', nullstr = 'n/a')`);
  assert.match(landingSource('parquet', ['/a', '/b'], columns, {}), /read_parquet\(\['\/a', '\/b'\], union_by_name = true\)/);
  assert.match(landingSource('json', ['/a'], columns, { jsonFormat: 'array' }), /read_json\(\['\/a'\], columns = \{'id': 'INTEGER'\}, format = 'array'\)/);
});
