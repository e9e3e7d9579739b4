import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { degraded, findCondition, isConditionTrue, ready, reconciling, rfc3339, setCondition, setConditions } from '../../functions/core/conditions.ts';

const T0 = new Date('2026-11-25T10:00:00.123Z');
const T1 = new Date('2026-11-25T10:05:00Z');

describe('setCondition', () => {
  it('adds a condition with the time and the generation', () => {
    const list = setCondition(undefined, ready(false, 'JobRunning', 'Applying.'), T0, 2);
    assert.deepEqual(list, [{ type: 'Ready', status: 'False', reason: 'JobRunning', message: 'Applying.', lastTransitionTime: '2026-11-25T10:00:00Z', observedGeneration: 2 }]);
  });

  it('keeps lastTransitionTime when only the reason, message or generation change', () => {
    const first = setCondition(undefined, ready(false, 'JobRunning', 'Applying.'), T0, 2);
    const second = setCondition(first, ready(false, 'JobFailed', 'It broke.'), T1, 3);
    assert.equal(second[0]?.lastTransitionTime, '2026-11-25T10:00:00Z');
    assert.equal(second[0]?.reason, 'JobFailed');
    assert.equal(second[0]?.observedGeneration, 3);
  });

  it('moves lastTransitionTime when the status changes', () => {
    const first = setCondition(undefined, ready(false, 'JobRunning', 'Applying.'), T0, 2);
    const second = setCondition(first, ready(true, 'Applied', 'Done.'), T1, 2);
    assert.equal(second[0]?.lastTransitionTime, '2026-11-25T10:05:00Z');
  });

  it('is idempotent: the same decision twice gives the same list', () => {
    const inputs = [ready(true, 'Applied', 'Done.'), reconciling(false), degraded(false)];
    const once = setConditions(undefined, inputs, T0, 1);
    const twice = setConditions(once, inputs, T1, 1);
    assert.deepEqual(twice, once);
  });

  it('does not modify the list it is given', () => {
    const first = setCondition(undefined, ready(false, 'JobRunning', 'Applying.'), T0, 1);
    const copy = structuredClone(first);
    setCondition(first, ready(true, 'Applied', 'Done.'), T1, 1);
    assert.deepEqual(first, copy);
  });

  it('keeps other condition types and their order', () => {
    const list = setConditions(undefined, [ready(false, 'JobRunning', 'a'), reconciling(true, 'JobRunning', 'b'), degraded(false)], T0, 1);
    const next = setCondition(list, reconciling(false), T1, 1);
    assert.deepEqual(next.map((c) => [c.type, c.status]), [['Ready', 'False'], ['Reconciling', 'False'], ['Degraded', 'False']]);
  });
});

describe('condition helpers', () => {
  it('builds kstatus-shaped inputs', () => {
    assert.deepEqual(reconciling(false), { type: 'Reconciling', status: 'False', reason: 'Idle', message: 'Nothing is in progress.' });
    assert.deepEqual(degraded(true, 'BackupFailed', 'x'), { type: 'Degraded', status: 'True', reason: 'BackupFailed', message: 'x' });
  });

  it('finds and tests conditions', () => {
    const list = setConditions(undefined, [ready(true, 'Applied', 'a'), degraded(false)], T0, 1);
    assert.equal(isConditionTrue(list, 'Ready'), true);
    assert.equal(isConditionTrue(list, 'Degraded'), false);
    assert.equal(findCondition(list, 'Reconciling'), undefined);
    assert.equal(isConditionTrue(undefined, 'Ready'), false);
  });

  it('renders times as Kubernetes does', () => {
    assert.equal(rfc3339(T0), '2026-11-25T10:00:00Z');
  });
});
