import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { quote as quoteValue } from '../../api/issues.ts';
import { formatPath, readPlanInput, validatePlan } from '../../runner/plan-input.ts';

const validInit = { op: 'init-catalog', catalog: { name: 'lake', path: '/catalog/lake.ducklake' }, objectStore: { bucket: 'lake-data' } };

describe('validatePlan', () => {
  it('accepts a valid plan and fills defaults', () => {
    const result = validatePlan(JSON.stringify(validInit), 'FEATHERMAN_PLAN');
    assert.ok(result.ok);
    assert.equal(result.plan.objectStore.region, 'us-east-1');
    assert.equal(result.plan.lockTimeoutSeconds, 60);
  });

  it('writes one line per issue naming path, rule and value', () => {
    const bad = { ...validInit, catalog: { name: 'Bad_Name', path: '' }, objectStore: { bucket: 'X', region: 5 }, lockTimeoutSeconds: -1 };
    const result = validatePlan(JSON.stringify(bad), 'FEATHERMAN_PLAN');
    assert.ok(!result.ok);
    assert.equal(result.op, 'init-catalog');
    assert.deepEqual(result.issues, [
      'catalog.name: must be a DNS label (lower-case letters, digits, hyphens); got "Bad_Name"',
      'catalog.path: must have at least 1 characters; got ""',
      'objectStore.bucket: must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens); got "X"',
      'objectStore.region: must be a string; got 5',
      'lockTimeoutSeconds: must be >= 0; got -1',
    ]);
  });

  it('names the allowed operations for an unknown op', () => {
    const result = validatePlan(JSON.stringify({ ...validInit, op: 'vacuum' }), 'FEATHERMAN_PLAN');
    assert.ok(!result.ok);
    assert.equal(result.issues.length, 1);
    assert.match(result.issues[0] ?? '', /^op: must be one of init-catalog, apply-table, ingest, query(, [a-z-]+)*; got "vacuum"$/);
  });

  it('reports missing fields and indexes inside arrays', () => {
    const plan = {
      ...validInit, op: 'apply-table',
      table: { name: 'sales', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'amount', type: 'STRNG' }] },
    };
    const result = validatePlan(JSON.stringify(plan), 'FEATHERMAN_PLAN');
    assert.ok(!result.ok);
    assert.equal(result.issues.length, 1);
    assert.match(result.issues[0] ?? '', /^table\.columns\[1\]\.type: .*; got "STRNG"$/);
    assert.equal((result.issues[0] ?? '').match(/; got /g)?.length, 1, 'the value is quoted once');
  });

  it('rejects text that is not JSON with one line', () => {
    const result = validatePlan('{"op": ', 'FEATHERMAN_PLAN');
    assert.ok(!result.ok);
    assert.match(result.issues[0] ?? '', /^FEATHERMAN_PLAN: must be valid JSON \(.+\); got "\{\\"op\\": "$/);
  });
});

describe('issue formatting', () => {
  it('quotes values as JSON and cuts them to 80 characters', () => {
    assert.equal(quoteValue('abc'), '"abc"');
    assert.equal(quoteValue(undefined), 'nothing');
    const long = quoteValue('x'.repeat(500));
    assert.equal(long.length, 80);
    assert.ok(long.endsWith('…'));
  });
  it('renders paths with dots and indexes', () => {
    assert.equal(formatPath(['table', 'columns', 2, 'type']), 'table.columns[2].type');
    assert.equal(formatPath([]), 'plan');
  });
});

describe('readPlanInput sources', () => {
  it('prefers FEATHERMAN_PLAN and says where a plan must come from when none is given', async () => {
    const fromEnv = await readPlanInput({ FEATHERMAN_PLAN: JSON.stringify(validInit) }, ['--plan', '/nonexistent']);
    assert.ok(fromEnv.ok);
    assert.equal(fromEnv.source, 'FEATHERMAN_PLAN');
    const none = await readPlanInput({}, []);
    assert.ok(!none.ok);
    assert.match(none.issues[0] ?? '', /^plan: must be given in FEATHERMAN_PLAN, FEATHERMAN_PLAN_FILE or --plan <file>; got nothing$/);
  });
});
