import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunnerResult } from '../../api/result.ts';
import type { Action } from '../../functions/core/actions.ts';
import { findCondition, ready, setConditions } from '../../functions/core/conditions.ts';
import { decideQuery, type QueryObserved } from '../../functions/core/decide-query.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import type { DuckLakeCatalog } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const NOW = new Date('2026-11-25T10:00:00Z');
const LATER = new Date('2026-11-25T10:01:00Z');

function readyCatalog(): DuckLakeCatalog {
  const result = validateCatalog({ apiVersion: API, kind: 'DuckLakeCatalog', metadata: { name: 'lake', namespace: 'analytics', uid: 'c' }, spec: { objectStore: { bucket: 'lake-data' } }, status: { conditions: setConditions(undefined, [ready(true, 'Succeeded', 'ok')], NOW, 1) } });
  assert.ok(result.ok);
  return result.value;
}
function query(status?: unknown, spec: Record<string, unknown> = {}) {
  return { apiVersion: API, kind: 'DuckLakeQuery', metadata: { name: 'top', namespace: 'analytics', uid: 'q-uid', generation: 1 }, spec: { catalogRef: 'lake', sql: 'SELECT region, count(*) FROM sales GROUP BY 1', ...spec }, ...(status !== undefined ? { status } : {}) };
}
const observed = (jobs: ObservedJob[] = [], extra: Partial<QueryObserved> = {}): QueryObserved => ({ catalog: readyCatalog(), jobs, config: { image: 'img' }, ...extra });
const types = (actions: Action[]) => actions.map((a) => (a.type === 'emitEvent' ? `emitEvent:${a.event.reason}` : a.type));
const createdJob = (actions: Action[]) => actions.flatMap((a) => (a.type === 'createJob' ? [a.job] : []))[0];
const RESULT: RunnerResult = { op: 'query', ok: true, snapshotId: 9, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 1234, durationMs: 80, query: { rows: 1234, bytes: 5678, outputLocation: 's3://lake-data/out/top.parquet', preview: 'region,count\neu,3' } };

describe('decideQuery', () => {
  it('waits for its catalog', () => {
    const decision = decideQuery(query(), observed([], { catalog: undefined }), NOW);
    assert.deepEqual(decision.actions, []);
    assert.deepEqual([decision.status.phase, findCondition(decision.status.conditions, 'Ready')?.reason], ['Pending', 'CatalogMissing']);
  });

  it('runs one read-only query Job and records the start', () => {
    const decision = decideQuery(query(), observed(), NOW);
    const job = createdJob(decision.actions);
    assert.ok(job);
    assert.match(job.metadata.name, /^fm-query-top-[0-9a-f]{8}$/);
    const mount = (job.spec.template.spec.containers[0]?.volumeMounts as Array<{ name: string; readOnly?: boolean }>).find((m) => m.name === 'catalog');
    assert.equal(mount?.readOnly, true);
    assert.deepEqual([decision.status.phase, decision.status.startTime], ['Running', '2026-11-25T10:00:00Z']);
    const replay = decideQuery(query(decision.status), observed([{ name: job.metadata.name, op: 'query', state: 'Running', startTime: '2026-11-25T10:00:00Z' }]), LATER);
    assert.deepEqual(replay.actions, []);
    assert.deepEqual(replay.status, decision.status);
  });

  it('copies rows, bytes, output, preview, snapshot and times when the Job succeeds, then never changes', () => {
    const first = decideQuery(query(), observed(), NOW);
    const name = createdJob(first.actions)?.metadata.name ?? '';
    const done: ObservedJob = { name, op: 'query', state: 'Succeeded', result: RESULT, startTime: '2026-11-25T10:00:05Z', completionTime: '2026-11-25T10:00:09Z' };
    const second = decideQuery(query(first.status), observed([done]), LATER);
    const { conditions, ...fields } = second.status;
    assert.deepEqual(fields, {
      phase: 'Succeeded', observedGeneration: 1, startTime: '2026-11-25T10:00:05Z', completionTime: '2026-11-25T10:00:09Z',
      rows: 1234, bytes: 5678, outputLocation: 's3://lake-data/out/top.parquet', preview: 'region,count\neu,3', snapshotId: 9,
    });
    assert.equal(findCondition(conditions, 'Ready')?.message, 'The query read snapshot 9 and returned 1,234 rows to s3://lake-data/out/top.parquet.');
    assert.deepEqual(types(second.actions), ['emitEvent:Succeeded']);
    const later = decideQuery(query(second.status), observed([]), new Date('2026-11-26T00:00:00Z'));
    assert.deepEqual(later, { actions: [], status: second.status });
  });

  it('puts the runner\'s error in the Ready condition when the Job fails', () => {
    const name = createdJob(decideQuery(query(), observed(), NOW).actions)?.metadata.name ?? '';
    const failed: ObservedJob = { name, op: 'query', state: 'Failed', completionTime: '2026-11-25T10:00:03Z', message: 'only SELECT statements are allowed; got DELETE. (FM_ERR_QUERY_REFUSED)' };
    const decision = decideQuery(query(), observed([failed]), LATER);
    assert.deepEqual([decision.status.phase, findCondition(decision.status.conditions, 'Ready')?.reason, findCondition(decision.status.conditions, 'Ready')?.message], ['Failed', 'JobFailed', failed.message]);
    assert.equal(decision.status.completionTime, '2026-11-25T10:00:03Z');
  });

  it('fails an invalid query without a Job', () => {
    const decision = decideQuery(query(undefined, { snapshot: { id: 1, timestamp: '2026-11-25T00:00:00Z' } }), observed(), NOW);
    assert.deepEqual(types(decision.actions), ['emitEvent:InvalidSpec']);
    assert.equal(decision.status.phase, 'Failed');
    assert.equal(findCondition(decision.status.conditions, 'Ready')?.message, 'The spec is invalid: spec.snapshot: must set exactly one of id and timestamp; got {"id":1,"timestamp":"2026-11-25T00:00:00Z"}.');
  });
});
