import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fifoName, isStreamableKey } from '../../runner/lake/write/landing-stream.ts';

test('pipe names carry no extension, so DuckDB never guesses a compression from them', () => {
  assert.equal(fifoName(0), 'landing-0');
  assert.equal(fifoName(12), 'landing-12');
});

test('compressed landing keys are not streamed: DuckDB decompresses files, not pipes', () => {
  const cases: Array<[string, boolean]> = [
    ['landing/a.csv', true],
    ['landing/events.ndjson', true],
    ['landing/no-extension', true],
    ['landing/gz/a.csv', true],
    ['landing/a.csv.gz', false],
    ['landing/a.CSV.GZ', false],
    ['landing/a.json.zst', false],
    ['landing/a.csv.bz2', false],
  ];
  for (const [key, streamable] of cases) assert.equal(isStreamableKey(key), streamable, key);
});
