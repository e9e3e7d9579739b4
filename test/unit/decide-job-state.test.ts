import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isActive, latestJob, observeJob } from '../../functions/core/job-state.ts';
import { parseRunnerResult, runnerErrorMessage } from '../../functions/core/runner-result.ts';
import type { Job, JobStatus } from '../../functions/specs/k8s-types.ts';

const OK = { op: 'ingest', ok: true, snapshotId: 7, filesAdded: 2, bytesAdded: 2048, rows: 100, durationMs: 900, table: { rowCount: 100, fileCount: 2, schemaVersion: 1, bytes: 2048 } };
const FAILED = { op: 'apply-table', ok: false, durationMs: 12, error: { code: 'FM_ERR_DATA_LOSS_REFUSED', message: 'columns[1] amount: narrowing DOUBLE to INTEGER would lose data' } };

describe('parseRunnerResult', () => {
  it('reads a result written to the termination log', () => {
    const parsed = parseRunnerResult(JSON.stringify(OK));
    assert.ok(parsed.ok);
    assert.equal(parsed.result.snapshotId, 7);
    assert.equal(parsed.result.filesRemoved, 0);
  });

  it('finds the result in a log tail (FallbackToLogsOnError)', () => {
    const tail = [
      '{"level":30,"msg":"ingest started"}',
      'some plain text',
      `{"level":30,"result":${JSON.stringify(OK)},"msg":"runner result"}`,
      '{"level":30,"msg":"bye"}',
    ].join('\n');
    const parsed = parseRunnerResult(tail);
    assert.ok(parsed.ok);
    assert.equal(parsed.result.rows, 100);
  });

  const garbage: Array<[string, string | undefined, RegExp]> = [
    ['nothing', undefined, /^the runner left no termination message$/],
    ['blanks', '  \n', /^the runner left no termination message$/],
    ['a crash trace', 'Error: boom\n    at main (runner/main.ts:1:1)\nnode exited', /^the runner left no result; its output ended with: Error: boom .*node exited$/],
    ['JSON that is not a result', '{"hello":"world"}', /^the runner's termination message is JSON but not a runner result: \{"hello":"world"\}$/],
    ['a cut JSON', JSON.stringify(OK).slice(0, 40), /^the runner left no result/],
    ['a huge log', 'x'.repeat(100_000), /^the runner left no result; its output ended with: …x{199}$/],
  ];
  for (const [what, message, reason] of garbage) {
    it(`turns ${what} into a reason, not a throw`, () => {
      const parsed = parseRunnerResult(message);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.reason, reason);
    });
  }

  it('words the runner error as a sentence with its code', () => {
    assert.equal(runnerErrorMessage({ ...FAILED, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0 }), 'columns[1] amount: narrowing DOUBLE to INTEGER would lose data. (FM_ERR_DATA_LOSS_REFUSED)');
  });
});

function job(status: JobStatus, op = 'apply-table'): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name: 'fm-apply-table-sales-1', labels: { 'featherman.dev/operation': op } },
    spec: { backoffLimit: 2, activeDeadlineSeconds: 600, ttlSecondsAfterFinished: 3600, template: { metadata: { labels: {} }, spec: { containers: [] } } },
    status,
  };
}

describe('observeJob', () => {
  const cases: Array<[string, JobStatus, string | undefined, string, RegExp | undefined]> = [
    ['a new Job', {}, undefined, 'Pending', undefined],
    ['a running Job', { active: 1, startTime: '2026-11-25T10:00:00Z' }, undefined, 'Running', undefined],
    ['a complete Job', { succeeded: 1, completionTime: '2026-11-25T10:01:00Z', conditions: [{ type: 'Complete', status: 'True' }] }, JSON.stringify(OK), 'Succeeded', undefined],
    ['a Job whose runner failed', { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }, JSON.stringify(FAILED), 'Failed', /^columns\[1\] amount: narrowing DOUBLE to INTEGER would lose data\. \(FM_ERR_DATA_LOSS_REFUSED\)$/],
    ['a Job past its deadline', { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] }, undefined, 'Failed', /ran longer than its deadline of 600 seconds/],
    ['a Job that died without a result', { failed: 3, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }, 'Killed', 'Failed', /^Job fm-apply-table-sales-1 failed: the runner left no result; its output ended with: Killed\.$/],
    ['a Job evicted before any output', { failed: 1, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }, undefined, 'Failed', /^Job fm-apply-table-sales-1 failed \(BackoffLimitExceeded\): Job has reached the specified backoff limit\.$/],
    ['a pod that exited 0 with ok: false', { succeeded: 1 }, JSON.stringify(FAILED), 'Failed', /FM_ERR_DATA_LOSS_REFUSED/],
  ];
  for (const [what, status, message, state, text] of cases) {
    it(`sees ${what} as ${state}`, () => {
      const observed = observeJob(job(status), message);
      assert.equal(observed.state, state);
      assert.equal(observed.op, 'apply-table');
      if (text) assert.match(observed.message ?? '', text);
      else assert.equal(observed.message, undefined);
    });
  }

  it('orders finished Jobs by completion time', () => {
    const jobs = [
      { name: 'b', op: 'ingest', state: 'Succeeded' as const, completionTime: '2026-11-25T10:02:00Z' },
      { name: 'a', op: 'ingest', state: 'Failed' as const, completionTime: '2026-11-25T10:05:00Z' },
      { name: 'c', op: 'ingest', state: 'Running' as const },
    ];
    assert.equal(latestJob(jobs)?.name, 'a');
    assert.equal(latestJob([]), undefined);
    assert.deepEqual(jobs.filter(isActive).map((j) => j.name), ['c']);
  });
});
