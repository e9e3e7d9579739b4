import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { degraded, setCondition } from '../../functions/core/conditions.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { validateTable } from '../../functions/core/validate-table.ts';
import type { DuckLakeCatalog, DuckLakeTable } from '../../functions/core/resources.ts';
import type { S3Record } from '../../functions/events/s3-notification.ts';
import { MAX_MISSING_URLS } from '../../functions/core/object-missing.ts';
import { matchS3Records } from '../../functions/handlers/s3-match.ts';

const API = 'ducklake.featherman.dev/v1alpha1';

function catalog(bucket: string): DuckLakeCatalog {
  const checked = validateCatalog({ apiVersion: API, kind: 'DuckLakeCatalog', metadata: { name: 'lake', namespace: 'default', uid: 'c1' }, spec: { objectStore: { bucket, prefix: 'data' } } });
  assert.ok(checked.ok);
  return checked.value;
}

function table(name: string, extra: Record<string, unknown> = {}): DuckLakeTable {
  const checked = validateTable({
    apiVersion: API, kind: 'DuckLakeTable', metadata: { name, namespace: 'default', uid: `u-${name}` },
    spec: { catalogRef: 'lake', name, columns: [{ name: 'id', type: 'INTEGER' }], ingest: { prefix: `landing/${name}/` }, ...extra },
  });
  assert.ok(checked.ok, JSON.stringify(checked));
  return checked.value;
}

function record(key: string, action: S3Record['action'] = 'created', bucket = 'lake'): S3Record {
  return { bucket, key, action, eventName: action === 'created' ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete' };
}

describe('matchS3Records', () => {
  const lake = catalog('lake');
  const targets = [{ table: table('users'), catalog: lake }, { table: table('orders'), catalog: lake }];

  it('groups landing files by table and ignores other prefixes and other buckets', () => {
    const matches = matchS3Records([record('landing/users/a.csv'), record('landing/users/b.csv'), record('landing/orders/c.csv'), record('landing/other/d.csv'), record('landing/users/e.csv', 'created', 'elsewhere')], targets);
    assert.deepEqual(matches.map((match) => [match.target.table.metadata.name, match.ingest.map((item) => item.key)]), [
      ['users', ['landing/users/a.csv', 'landing/users/b.csv']],
      ['orders', ['landing/orders/c.csv']],
    ]);
  });

  it('reports removals under a table data path, not removed landing files nor other events', () => {
    const matches = matchS3Records([record('data/main/users/f.parquet', 'removed'), record('landing/users/a.csv', 'removed'), record('data/main/users/g.parquet', 'other')], targets);
    assert.equal(matches.length, 1);
    assert.deepEqual(matches[0]?.removed.map((item) => item.key), ['data/main/users/f.parquet']);
    assert.deepEqual(matches[0]?.ingest, []);
  });

  it('uses a table\'s own object store bucket and location', () => {
    const own = table('events', { objectStore: { bucket: 'events-bucket' }, location: 's3://events-bucket/tables/events/' });
    const matches = matchS3Records([record('landing/events/x.json', 'created', 'events-bucket'), record('tables/events/y.parquet', 'removed', 'events-bucket'), record('landing/events/z.json')], [{ table: own, catalog: lake }]);
    assert.equal(matches.length, 1);
    assert.deepEqual(matches[0]?.ingest.map((item) => item.key), ['landing/events/x.json']);
    assert.deepEqual(matches[0]?.removed.map((item) => item.key), ['tables/events/y.parquet']);
  });

  it('reports created objects under a table data path as restored only while the table is Degraded=ObjectMissing', () => {
    const conditions = setCondition(undefined, degraded(true, 'ObjectMissing', 'Object s3://lake/data/main/users/f.parquet was removed.'), new Date('2026-11-25T12:00:00Z'), 1);
    const alarmed = { table: { ...table('users'), status: { conditions } }, catalog: lake };
    const records = [record('data/main/users/f.parquet'), record('landing/users/a.csv'), record('data/main/orders/g.parquet'), record('data/main/users/h.parquet', 'created', 'elsewhere')];
    const matches = matchS3Records(records, [alarmed, targets[1] ?? alarmed]);
    assert.deepEqual(matches.map((match) => [match.target.table.metadata.name, match.restored.map((item) => item.key), match.ingest.map((item) => item.key)]), [
      ['users', ['data/main/users/f.parquet'], ['landing/users/a.csv']],
    ]);
    assert.deepEqual(matchS3Records([record('data/main/users/f.parquet')], targets), [], 'a new data file of a healthy table is nothing to check');
  });

  it('counts as restored only the objects status.missingObjects lists, or any while the list is full', () => {
    const conditions = setCondition(undefined, degraded(true, 'ObjectMissing', 'Objects were removed.'), new Date('2026-11-25T12:00:00Z'), 1);
    const listing = (urls: string[]) => ({ table: { ...table('users'), status: { conditions, missingObjects: { lastReported: '2026-11-25T12:00:00Z', urls } } }, catalog: lake });
    const records = [record('data/main/users/f.parquet'), record('data/main/users/ducklake-new.parquet')];
    const restored = (urls: string[]) => matchS3Records(records, [listing(urls)]).flatMap((match) => match.restored.map((item) => item.key));
    assert.deepEqual(restored(['s3://lake/data/main/users/f.parquet']), ['data/main/users/f.parquet'], 'an ingest\'s new data file starts no check');
    assert.deepEqual(restored(['s3://lake/data/main/users/other.parquet']), [], 'neither object is one the table misses');
    const full = Array.from({ length: MAX_MISSING_URLS }, (_, i) => `s3://lake/data/main/users/gone-${i}.parquet`);
    assert.deepEqual(restored(full), ['data/main/users/f.parquet', 'data/main/users/ducklake-new.parquet'], 'a full list may leave removals unnamed');
  });
});
