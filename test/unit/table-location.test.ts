import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LakeTableSpec } from '../../api/table-spec.ts';

const spec = (location: string) => LakeTableSpec.safeParse({ name: 'sales', columns: [{ name: 'id', type: 'BIGINT' }], location });
const issue = (location: string) => {
  const parsed = spec(location);
  return parsed.success ? undefined : parsed.error.issues.map((each) => `${each.path.join('.')}: ${each.message}`).join('; ');
};

test('a table location names a folder: a relative path or an s3:// URL with a path, never a bucket root', () => {
  for (const ok of ['archive/', 'archive/2026/', 's3://lake/tables/sales/', 's3://lake/tables']) assert.equal(spec(ok).success, true, ok);
  for (const root of ['s3://lake/', 's3://lake']) {
    assert.equal(issue(root), 'location: must be a relative path under the catalog data path or an absolute s3://bucket/path/ URL with a folder, without ".."', root);
  }
  assert.equal(spec('s3://lake/../other/').success, false);
});
