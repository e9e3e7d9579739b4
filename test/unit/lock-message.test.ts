import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds } from '../../runner/lock.ts';

test('formatSeconds renders waits in seconds with at most one decimal', () => {
  assert.deepEqual([0, 300, 1000, 1250, 60_000].map(formatSeconds), ['0', '0.3', '1', '1.3', '60']);
});
