import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Action } from '../../functions/core/actions.ts';
import { findCondition } from '../../functions/core/conditions.ts';
import { decideCatalog, type CatalogObserved } from '../../functions/core/decide-catalog.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER } from '../../functions/core/names.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
const NOW = new Date('2026-11-25T10:00:00Z');
const LATER = new Date('2026-11-25T10:05:00Z');

function catalog(options: { status?: unknown; finalizers?: string[]; deleting?: boolean; spec?: Record<string, unknown>; generation?: number } = {}) {
  return {
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: options.generation ?? 1, finalizers: options.finalizers ?? [FINALIZER], ...(options.deleting ? { deletionTimestamp: '2026-11-25T09:59:00Z' } : {}) },
    spec: { objectStore: { bucket: 'lake-data', prefix: 'wh' }, ...options.spec },
    ...(options.status !== undefined ? { status: options.status } : {}),
  };
}
const observed = (jobs: ObservedJob[] = [], extra: Partial<CatalogObserved> = {}): CatalogObserved => ({ jobs, pvc: { phase: 'Bound' }, tables: [], config: { image: 'img' }, ...extra });
const types = (actions: Action[]) => actions.map((a) => (a.type === 'emitEvent' ? `emitEvent:${a.event.reason}` : a.type));
const jobName = (actions: Action[]) => actions.flatMap((a) => (a.type === 'createJob' ? [a.job.metadata.name] : []))[0] ?? '';

describe('decideCatalog', () => {
  it('creates the finalizer, the volume and one init-catalog Job for a new catalog', () => {
    const decision = decideCatalog(catalog({ finalizers: [] }), observed([], { pvc: undefined }), NOW);
    assert.deepEqual(types(decision.actions), ['addFinalizer', 'ensurePvc', 'createJob']);
    const pvc = decision.actions[1];
    assert.ok(pvc?.type === 'ensurePvc');
    assert.equal(pvc.pvc.metadata.name, 'fm-catalog-lake');
    assert.match(jobName(decision.actions), /^fm-init-catalog-lake-[0-9a-f]{8}$/);
    assert.equal(findCondition(decision.status.conditions, 'Reconciling')?.status, 'True');
    assert.equal(decision.status.dataPath, 's3://lake-data/wh/');
    assert.equal(decision.status.tableCount, 0);
  });

  it('becomes Ready when init-catalog succeeds, and stays quiet on replays', () => {
    const first = decideCatalog(catalog(), observed(), NOW);
    const name = jobName(first.actions);
    const done: ObservedJob = { name, op: 'init-catalog', state: 'Succeeded', result: { op: 'init-catalog', ok: true, snapshotId: 0, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 40, details: { created: true, dataPath: 's3://lake-data/wh/' } } };
    const second = decideCatalog(catalog({ status: first.status }), observed([done], { tables: ['sales', 'events'] }), LATER);
    assert.deepEqual(types(second.actions), ['emitEvent:Ready']);
    assert.deepEqual([findCondition(second.status.conditions, 'Ready')?.status, second.status.phase, second.status.snapshotId, second.status.tableCount], ['True', 'Succeeded', 0, 2]);
    const replay = decideCatalog(catalog({ status: second.status }), observed([done], { tables: ['sales', 'events'] }), LATER);
    assert.deepEqual(replay.actions, []);
    assert.deepEqual(replay.status, second.status);
    const afterTtl = decideCatalog(catalog({ status: second.status }), observed([], { tables: ['sales', 'events'] }), LATER);
    assert.deepEqual(afterTtl.actions, []);
    assert.deepEqual(afterTtl.status, second.status);
  });

  it('follows the newest snapshot its tables or its own Jobs reported, and never moves back', () => {
    const first = decideCatalog(catalog(), observed(), NOW);
    const name = jobName(first.actions);
    const result = (snapshotId: number) => ({ op: 'init-catalog', ok: true, snapshotId, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 40 });
    const done: ObservedJob = { name, op: 'init-catalog', state: 'Succeeded', result: result(1) };
    const ready = decideCatalog(catalog({ status: first.status }), observed([done], { tables: ['sales'] }), LATER);
    assert.deepEqual([ready.status.snapshotId, ready.status.tableCount], [1, 1]);
    const afterIngest = decideCatalog(catalog({ status: ready.status }), observed([done], { tables: ['sales', 'events'], tableSnapshot: 7 }), LATER);
    assert.deepEqual([afterIngest.status.snapshotId, afterIngest.status.tableCount], [7, 2]);
    assert.deepEqual(afterIngest.actions, []);
    const expired: ObservedJob = { name: 'fm-expire-snapshots-lake-x', op: 'expire-snapshots', state: 'Succeeded', result: { ...result(9), op: 'expire-snapshots' } };
    assert.equal(decideCatalog(catalog({ status: afterIngest.status }), observed([done, expired], { tables: ['sales', 'events'], tableSnapshot: 7 }), LATER).status.snapshotId, 9);
    const stale = decideCatalog(catalog({ status: afterIngest.status }), observed([], { tables: ['sales'], tableSnapshot: 3 }), LATER);
    assert.deepEqual([stale.status.snapshotId, stale.status.tableCount], [7, 1]);
  });

  it('reports a failed init with the runner\'s message', () => {
    const name = jobName(decideCatalog(catalog(), observed(), NOW).actions);
    const failed: ObservedJob = { name, op: 'init-catalog', state: 'Failed', message: 'catalog file /var/lib/featherman/catalog/lake.ducklake is not a DuckDB file. (FM_ERR_CATALOG_VERSION)' };
    const decision = decideCatalog(catalog(), observed([failed]), NOW);
    assert.deepEqual([findCondition(decision.status.conditions, 'Ready')?.reason, findCondition(decision.status.conditions, 'Ready')?.message], ['JobFailed', failed.message]);
    assert.deepEqual(types(decision.actions), ['emitEvent:JobFailed']);
  });

  it('answers an invalid spec with InvalidSpec and no volume or Job', () => {
    const decision = decideCatalog(catalog({ spec: { objectStore: { bucket: 'Bad_Bucket' } } }), observed([], { pvc: undefined }), NOW);
    assert.deepEqual(types(decision.actions), ['emitEvent:InvalidSpec']);
    assert.equal(findCondition(decision.status.conditions, 'Ready')?.message, 'The spec is invalid: spec.objectStore.bucket: must be a valid S3 bucket name; got "Bad_Bucket".');
  });

  it('keeps the finalizer of an invalid catalog being deleted while tables still use it', () => {
    const invalid = { spec: { objectStore: { bucket: 'Bad_Bucket' } }, deleting: true };
    assert.deepEqual(types(decideCatalog(catalog(invalid), observed([], { tables: ['sales'] }), NOW).actions), ['emitEvent:InvalidSpec']);
    assert.deepEqual(types(decideCatalog(catalog(invalid), observed([], { tables: [] }), NOW).actions), ['emitEvent:InvalidSpec', 'removeFinalizer']);
  });

  it('is not deleted while tables still use it', () => {
    const decision = decideCatalog(catalog({ deleting: true }), observed([], { tables: ['sales', 'events'] }), NOW);
    assert.deepEqual(types(decision.actions), ['emitEvent:WaitingForTables']);
    assert.deepEqual([findCondition(decision.status.conditions, 'Ready')?.reason, findCondition(decision.status.conditions, 'Ready')?.message], ['WaitingForTables', 'Waiting for 2 DuckLakeTables to be deleted first: events, sales.']);
    const replay = decideCatalog(catalog({ deleting: true, status: decision.status }), observed([], { tables: ['events', 'sales'] }), LATER);
    assert.deepEqual(replay.actions, []);
    const gone = decideCatalog(catalog({ deleting: true, status: decision.status }), observed([], { tables: [] }), LATER);
    assert.deepEqual(types(gone.actions), ['emitEvent:Deleted', 'removeFinalizer']);
    assert.deepEqual(decideCatalog(catalog({ deleting: true, finalizers: [] }), observed(), NOW).actions, []);
  });

  it('reports backups: lastBackup on success, Degraded BackupFailed on failure', () => {
    const ok: ObservedJob = { name: 'fm-backup-lake-1', op: 'backup', state: 'Succeeded', completionTime: '2026-11-25T03:00:40Z' };
    const bad: ObservedJob = { name: 'fm-backup-lake-2', op: 'backup', state: 'Failed', completionTime: '2026-11-26T03:00:40Z', message: 'Access Denied on s3://lake-data/wh/_backups/. (FM_ERR_OBJECT_STORE)' };
    const first = decideCatalog(catalog(), observed([ok]), NOW);
    assert.equal(first.status.lastBackup, '2026-11-25T03:00:40Z');
    assert.equal(findCondition(first.status.conditions, 'Degraded')?.status, 'False');
    const second = decideCatalog(catalog({ status: first.status }), observed([ok, bad]), NOW);
    assert.deepEqual([findCondition(second.status.conditions, 'Degraded')?.reason, findCondition(second.status.conditions, 'Degraded')?.message], ['BackupFailed', bad.message]);
    assert.equal(second.status.lastBackup, '2026-11-25T03:00:40Z');
  });

  it('records failed snapshot expiry, check or cleanup as Degraded MaintenanceFailed with one Warning Event, after its Job is gone too, until that operation succeeds again', () => {
    const init = decideCatalog(catalog(), observed(), NOW);
    const done: ObservedJob = { name: jobName(init.actions), op: 'init-catalog', state: 'Succeeded', result: { op: 'init-catalog', ok: true, snapshotId: 0, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 40 } };
    const ready = decideCatalog(catalog({ status: init.status }), observed([done]), LATER);
    const cleanup: ObservedJob = { name: 'fm-cleanup-files-lake-1', op: 'cleanup-files', state: 'Failed', completionTime: '2026-11-26T00:01:00Z', message: 'Access Denied on s3://lake-data/wh/. (FM_ERR_OBJECT_STORE)' };
    const check: ObservedJob = { name: 'fm-check-lake-1', op: 'check', state: 'Succeeded', completionTime: '2026-11-26T00:02:00Z' };
    const failed = decideCatalog(catalog({ status: ready.status }), observed([done, check, cleanup]), LATER);
    const degradedNow = findCondition(failed.status.conditions, 'Degraded');
    assert.deepEqual([degradedNow?.status, degradedNow?.reason, degradedNow?.message], ['True', 'MaintenanceFailed', `File cleanup (Job fm-cleanup-files-lake-1) failed at 2026-11-26T00:01:00Z: ${cleanup.message}`]);
    assert.equal(findCondition(failed.status.conditions, 'Ready')?.status, 'True', 'the catalog stays usable');
    assert.deepEqual(types(failed.actions), ['emitEvent:MaintenanceFailed']);
    assert.deepEqual(decideCatalog(catalog({ status: failed.status }), observed([done, check, cleanup]), LATER).actions, [], 'a replay is silent');
    const gone = decideCatalog(catalog({ status: failed.status }), observed([done]), LATER);
    assert.deepEqual([findCondition(gone.status.conditions, 'Degraded')?.reason, gone.status.maintenanceFailure?.operation], ['MaintenanceFailed', 'cleanup-files'], 'kept after the Job is deleted');
    const again: ObservedJob = { name: 'fm-cleanup-files-lake-2', op: 'cleanup-files', state: 'Succeeded', completionTime: '2026-11-27T00:01:00Z' };
    const healed = decideCatalog(catalog({ status: gone.status }), observed([done, again]), LATER);
    assert.equal(findCondition(healed.status.conditions, 'Degraded')?.status, 'False');
    assert.equal(healed.status.maintenanceFailure, undefined);
  });

  it('tells a failed backup once, when Degraded turns True', () => {
    const init = decideCatalog(catalog(), observed(), NOW);
    const done: ObservedJob = { name: jobName(init.actions), op: 'init-catalog', state: 'Succeeded', result: { op: 'init-catalog', ok: true, snapshotId: 0, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 40 } };
    const ready = decideCatalog(catalog({ status: init.status }), observed([done]), LATER);
    const bad: ObservedJob = { name: 'fm-backup-lake-9', op: 'backup', state: 'Failed', completionTime: '2026-11-26T03:00:40Z', message: 'Access Denied. (FM_ERR_OBJECT_STORE)' };
    const failed = decideCatalog(catalog({ status: ready.status }), observed([done, bad]), LATER);
    assert.deepEqual(types(failed.actions), ['emitEvent:BackupFailed']);
    assert.deepEqual(decideCatalog(catalog({ status: failed.status }), observed([done, bad]), LATER).actions, []);
    // Once the failed Job is deleted, the record keeps the catalog Degraded until a backup succeeds.
    const gone = decideCatalog(catalog({ status: failed.status }), observed([done]), LATER);
    assert.deepEqual([findCondition(gone.status.conditions, 'Degraded')?.reason, gone.status.maintenanceFailure?.operation], ['MaintenanceFailed', 'backup']);
    assert.match(String(findCondition(gone.status.conditions, 'Degraded')?.message), /^The backup \(Job fm-backup-lake-9\) failed at 2026-11-26T03:00:40Z: Access Denied/);
    assert.deepEqual(gone.actions, []);
    const ok: ObservedJob = { name: 'fm-backup-lake-10', op: 'backup', state: 'Succeeded', completionTime: '2026-11-27T03:00:40Z' };
    const healed = decideCatalog(catalog({ status: gone.status }), observed([done, ok]), LATER);
    assert.deepEqual([findCondition(healed.status.conditions, 'Degraded')?.status, healed.status.maintenanceFailure, healed.status.lastBackup], ['False', undefined, ok.completionTime]);
  });
});

describe('decideCatalog on a spec change', () => {
  it('keeps a Ready catalog Ready while the new generation is checked', () => {
    const first = decideCatalog(catalog(), observed(), NOW);
    const done: ObservedJob = { name: jobName(first.actions), op: 'init-catalog', state: 'Succeeded', result: { op: 'init-catalog', ok: true, snapshotId: 0, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 1 } };
    const readyStatus = decideCatalog(catalog({ status: first.status }), observed([done]), NOW).status;
    const changed = decideCatalog(catalog({ generation: 2, status: readyStatus, spec: { backupPolicy: { schedule: '@daily' } } }), observed([done]), LATER);
    assert.deepEqual(types(changed.actions), ['createJob']);
    assert.notEqual(jobName(changed.actions), done.name);
    assert.equal(findCondition(changed.status.conditions, 'Ready')?.status, 'True');
    assert.equal(findCondition(changed.status.conditions, 'Reconciling')?.status, 'True');
    assert.equal(changed.status.observedGeneration, 2);
  });
});

describe('decideCatalog with spec.restore', () => {
  const spec = { restore: { fromBackup: 'latest' } };
  const planOf = (actions: Action[]) => {
    const job = actions.flatMap((a) => (a.type === 'createJob' ? [a.job] : []))[0];
    const env = job?.spec.template.spec.containers[0]?.env as Array<{ name: string; value?: string }> | undefined;
    return JSON.parse(env?.find((e) => e.name === 'FEATHERMAN_PLAN')?.value ?? '{}') as Record<string, unknown>;
  };

  it('restores a new catalog from its backup before initialising it, once', () => {
    const first = decideCatalog(catalog({ spec }), observed(), NOW);
    assert.deepEqual(types(first.actions), ['createJob']);
    assert.match(jobName(first.actions), /^fm-restore-lake-/);
    assert.deepEqual([planOf(first.actions).op, planOf(first.actions).fromBackup, planOf(first.actions).overwrite], ['restore', 'latest', false]);
    assert.equal(findCondition(first.status.conditions, 'Ready')?.message, `Restoring catalog lake from backup latest with Job ${jobName(first.actions)}.`);
    const restored: ObservedJob = { name: jobName(first.actions), op: 'restore', state: 'Succeeded', result: { op: 'restore', ok: true, snapshotId: 41, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 9 } };
    const second = decideCatalog(catalog({ spec, status: first.status }), observed([restored]), LATER);
    assert.equal(planOf(second.actions).op, 'init-catalog');
    assert.equal(second.status.snapshotId, 41);
    const third = decideCatalog(catalog({ spec, status: second.status }), observed([]), LATER);
    assert.equal(planOf(third.actions).op, 'init-catalog', 'the restore Job is gone, and it is not run again');
  });

  it('reports a failed restore and does not retry it for the same generation', () => {
    const first = decideCatalog(catalog({ spec }), observed(), NOW);
    const failed: ObservedJob = { name: jobName(first.actions), op: 'restore', state: 'Failed', message: 'no backup under s3://lake-data/wh/_backups/lake/. (FM_ERR_CATALOG_MISSING)' };
    const second = decideCatalog(catalog({ spec, status: first.status }), observed([failed]), LATER);
    assert.equal(findCondition(second.status.conditions, 'Ready')?.message, `Restoring from backup latest failed: ${failed.message}`);
    assert.deepEqual(types(second.actions), ['emitEvent:JobFailed']);
    assert.deepEqual(decideCatalog(catalog({ spec, status: second.status }), observed([]), LATER).actions, []);
  });

  it('refuses a backup name the runner cannot find', () => {
    const decision = decideCatalog(catalog({ spec: { restore: { fromBackup: 'monday' } } }), observed(), NOW);
    assert.equal(findCondition(decision.status.conditions, 'Ready')?.message, 'The spec is invalid: spec.restore.fromBackup: must be "latest" or a backup name such as 20261125T140000Z.ducklake; got "monday".');
  });
});
