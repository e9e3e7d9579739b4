import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withTrailingSlash } from '../../runner/lake/catalog/init.ts';

test('normalises a data path to exactly one trailing slash, as the extension does at ATTACH', () => {
  const cases: Array<[string, string]> = [
    ['s3://bucket/lake', 's3://bucket/lake/'],
    ['s3://bucket/lake/', 's3://bucket/lake/'],
    ['s3://bucket/lake//', 's3://bucket/lake/'],
    ['s3://bucket/lake\\', 's3://bucket/lake/'],
    ['s3://bucket/', 's3://bucket/'],
  ];
  for (const [input, expected] of cases) assert.equal(withTrailingSlash(input), expected, input);
});
