import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelayMs, decideRetry, withRetry, type RetryPolicy } from '../../runner/storage/retry.ts';

function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }), ...extra });
}

describe('decideRetry', () => {
  const cases: Array<[string, unknown, boolean, string]> = [
    ['503 SlowDown', sdkError('SlowDown', 503), true, 'throttled'],
    ['429 Too Many Requests', sdkError('TooManyRequests', 429), true, 'throttled'],
    ['500 InternalError', sdkError('InternalError', 500), true, 'server-error'],
    ['502 from a gateway', sdkError('Unknown', 502), true, 'server-error'],
    ['SlowDown without a status', sdkError('SlowDown'), true, 'throttled'],
    ['socket reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), true, 'network'],
    ['connection refused', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }), true, 'network'],
    ['SDK timeout', sdkError('TimeoutError'), true, 'timeout'],
    ['403 AccessDenied', sdkError('AccessDenied', 403), false, 'client-error'],
    ['404 NoSuchBucket', sdkError('NoSuchBucket', 404), false, 'client-error'],
    ['400 InvalidArgument', sdkError('InvalidArgument', 400), false, 'client-error'],
    ['412 PreconditionFailed', sdkError('PreconditionFailed', 412), false, 'client-error'],
    ['a programming error', new TypeError('x is not a function'), false, 'unknown'],
    ['a thrown string', 'boom', false, 'unknown'],
  ];
  for (const [label, error, retry, reason] of cases) {
    it(`${retry ? 'retries' : 'does not retry'} ${label}`, () => {
      assert.deepEqual(decideRetry(error), { retry, reason });
    });
  }
});

describe('backoffDelayMs', () => {
  const policy: RetryPolicy = { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 };
  it('doubles the ceiling per retry and caps it', () => {
    const top = () => 0.999999;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((retry) => backoffDelayMs(retry, policy, top)), [99, 199, 399, 799, 999, 999]);
  });
  it('draws the full jitter range down to zero', () => {
    assert.equal(backoffDelayMs(3, policy, () => 0), 0);
    assert.equal(backoffDelayMs(3, policy, () => 0.5), 200);
  });
});

describe('withRetry', () => {
  const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 100 };
  const sleeps: number[] = [];
  const hooks = { sleep: async (ms: number) => void sleeps.push(ms), random: () => 0.5 };

  it('retries a throttled call until it succeeds and sleeps with backoff', async () => {
    sleeps.length = 0;
    let calls = 0;
    const value = await withRetry(async () => {
      calls += 1;
      if (calls < 3) throw sdkError('SlowDown', 503);
      return 'done';
    }, policy, hooks);
    assert.equal(value, 'done');
    assert.equal(calls, 3);
    assert.deepEqual(sleeps, [5, 10]);
  });

  it('gives up after maxAttempts and throws the last error', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => {
      calls += 1;
      throw sdkError('InternalError', 500);
    }, policy, hooks), { name: 'InternalError' });
    assert.equal(calls, 4);
  });

  it('never retries a 4xx', async () => {
    let calls = 0;
    await assert.rejects(withRetry(async () => {
      calls += 1;
      throw sdkError('AccessDenied', 403);
    }, policy, hooks), { name: 'AccessDenied' });
    assert.equal(calls, 1);
  });
});
