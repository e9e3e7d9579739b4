import { test } from 'node:test';
import assert from 'node:assert/strict';
import { latestJob, observeJob } from '../../functions/core/job-state.ts';
import type { Job } from '../../functions/specs/k8s-types.ts';

function finishedJob(name: string, completionTime: string | Date): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default', labels: { 'featherman.dev/operation': 'ingest' } },
    spec: { template: { spec: { containers: [], restartPolicy: 'Never' } } },
    status: { succeeded: 1, startTime: new Date('2026-11-25T10:00:00Z'), completionTime, conditions: [{ type: 'Complete', status: 'True' }] },
  } as unknown as Job;
}

test('observeJob accepts the Date objects client-node gives for Job times and orders Jobs by them', () => {
  const older = observeJob(finishedJob('fm-ingest-a', new Date('2026-11-25T10:01:00Z')));
  const newer = observeJob(finishedJob('fm-ingest-b', '2026-11-25T10:02:00Z'));
  assert.equal(older.completionTime, '2026-11-25T10:01:00Z');
  assert.equal(older.startTime, '2026-11-25T10:00:00Z');
  assert.equal(latestJob([newer, older])?.name, 'fm-ingest-b');
});
