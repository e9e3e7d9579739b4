import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boundedName, catalogLockName, catalogPvcName, eventName, isLabelValue, jobName, labelValue, MAX_NAME, minuteBucket, timeBucket } from '../../functions/core/names.ts';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const UID = '6f1d2c3b-8e0a-4c55-9f7e-3b1a2d4c5e6f';

describe('jobName', () => {
  it('gives a replayed event the same Job name', () => {
    const input = { name: 'sales', uid: UID, generation: 3, op: 'apply-table' as const };
    assert.equal(jobName(input), jobName({ ...input }));
    assert.match(jobName(input), /^fm-apply-table-sales-[0-9a-f]{8}$/);
  });

  it('creates one ingest Job name for ten objects in the same minute', () => {
    const base = Date.parse('2026-11-25T10:15:00.000Z');
    const names = new Set(Array.from({ length: 10 }, (_, i) => jobName({ name: 'sales', uid: UID, generation: 1, op: 'ingest', timeBucket: minuteBucket(new Date(base + i * 5_900)) })));
    assert.equal(names.size, 1);
    const next = jobName({ name: 'sales', uid: UID, generation: 1, op: 'ingest', timeBucket: minuteBucket(new Date(base + 60_000)) });
    assert.ok(!names.has(next));
  });

  const distinct: Array<[string, Parameters<typeof jobName>[0]]> = [
    ['another generation', { name: 'sales', uid: UID, generation: 4, op: 'apply-table' }],
    ['another operation', { name: 'sales', uid: UID, generation: 3, op: 'drop-table' }],
    ['a re-created resource (new uid)', { name: 'sales', uid: 'b1f4', generation: 3, op: 'apply-table' }],
    ['a time bucket', { name: 'sales', uid: UID, generation: 3, op: 'apply-table', timeBucket: '202611251015' }],
  ];
  for (const [what, input] of distinct) {
    it(`changes with ${what}`, () => {
      assert.notEqual(jobName(input), jobName({ name: 'sales', uid: UID, generation: 3, op: 'apply-table' }));
    });
  }

  it('stays a DNS label of at most 63 characters for long and odd names', () => {
    for (const name of ['a'.repeat(253), 'sales.eu-west.v2', 'x', '-weird--name-', 'UPPER']) {
      for (const op of ['init-catalog', 'expire-snapshots', 'ingest'] as const) {
        const value = jobName({ name, uid: UID, generation: 12345, op, timeBucket: '202611251015' });
        assert.ok(value.length <= MAX_NAME, value);
        assert.match(value, DNS_LABEL);
      }
    }
  });

  it('keeps two long names that share a prefix apart', () => {
    const a = jobName({ name: `${'a'.repeat(70)}-one`, uid: 'u1', generation: 1, op: 'ingest' });
    const b = jobName({ name: `${'a'.repeat(70)}-two`, uid: 'u2', generation: 1, op: 'ingest' });
    assert.notEqual(a, b);
  });
});

describe('time buckets', () => {
  const cases: Array<[string, string]> = [
    ['2026-11-25T10:15:00.000Z', '202611251015'],
    ['2026-11-25T10:15:59.999Z', '202611251015'],
    ['2026-12-31T23:59:30.000Z', '202612312359'],
  ];
  for (const [time, bucket] of cases) {
    it(`puts ${time} in minute ${bucket}`, () => assert.equal(minuteBucket(new Date(time)), bucket));
  }
  it('buckets by any window', () => {
    assert.equal(timeBucket(new Date('2026-11-25T10:17:42Z'), 300), '20261125101500');
    assert.equal(timeBucket(new Date('2026-11-25T10:17:42Z'), 3600), '20261125100000');
  });
});

describe('derived names and label values', () => {
  it('names the catalog volume and lock', () => {
    assert.equal(catalogPvcName('lake'), 'fm-catalog-lake');
    assert.equal(catalogLockName('lake'), 'fm-lock-lake');
    const long = catalogPvcName('l'.repeat(63));
    assert.equal(long.length, 63);
    assert.match(long, /-[0-9a-f]{8}$/);
    assert.match(long, DNS_LABEL);
  });

  it('cuts with a hash only when needed', () => {
    assert.equal(boundedName('fm', 'short'), 'fm-short');
    assert.notEqual(boundedName('fm', 'x'.repeat(80)), boundedName('fm', `${'x'.repeat(79)}y`));
  });

  const labels: Array<[string, string | RegExp]> = [
    ['sales', 'sales'],
    ['Sales_2026.v1', 'Sales_2026.v1'],
    ['', ''],
    ['a/b c', /^a-b-c-[0-9a-f]{8}$/],
    ['-leading', /^leading-[0-9a-f]{8}$/],
    ['x'.repeat(100), /^x{54}-[0-9a-f]{8}$/],
    ['///', /^[0-9a-f]{8}$/],
  ];
  for (const [input, expected] of labels) {
    it(`makes ${JSON.stringify(input.slice(0, 20))} a valid label value`, () => {
      const value = labelValue(input);
      if (typeof expected === 'string') assert.equal(value, expected);
      else assert.match(value, expected);
      assert.ok(isLabelValue(value), value);
    });
  }

  it('names an Event after its object, stable per occurrence', () => {
    const a = eventName('sales', UID, 'Applied', 'fm-apply-table-sales-1');
    assert.equal(a, eventName('sales', UID, 'Applied', 'fm-apply-table-sales-1'));
    assert.notEqual(a, eventName('sales', UID, 'Applied', 'fm-apply-table-sales-2'));
    assert.match(a, /^sales\.[0-9a-f]{16}$/);
  });
});
