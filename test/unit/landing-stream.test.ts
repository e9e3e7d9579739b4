import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fifoName } from '../../runner/lake/write/landing-stream.ts';

test('pipe names keep a plain key extension, so DuckDB still detects compression, and drop anything else', () => {
  const cases: Array<[string, number, string]> = [
    ['landing/a.csv', 0, 'landing-0.csv'],
    ['landing/a.csv.gz', 3, 'landing-3.gz'],
    ['landing/events.ndjson', 12, 'landing-12.ndjson'],
    ["landing/it's a';DROP.c sv", 1, 'landing-1'],
    ['landing/no-extension', 2, 'landing-2'],
  ];
  for (const [key, index, name] of cases) assert.equal(fifoName(key, index), name, key);
});
