/**
 * Convergence: the decide functions driven the way handlers drive them, with the actions
 * applied to a small in-memory world (what the adapters would do). Each step must reach a
 * fixed point (no actions, the same status) and replays must change nothing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunnerResult } from '../../api/result.ts';
import type { Action } from '../../functions/core/actions.ts';
import { findCondition } from '../../functions/core/conditions.ts';
import { decideCatalog } from '../../functions/core/decide-catalog.ts';
import { decideTable } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER, LABELS } from '../../functions/core/names.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';

const API = 'ducklake.featherman.dev/v1alpha1';
type Resource = { apiVersion: string; kind: string; metadata: { name: string; namespace: string; uid: string; generation: number; finalizers: string[]; deletionTimestamp?: string }; spec: Record<string, unknown>; status?: Record<string, unknown> };

interface World {
  catalog: Resource;
  table: Resource | undefined;
  jobs: Map<string, ObservedJob & { plan: { op: string; drop?: boolean } }>;
  pvc: boolean;
  deleted: string[];
  events: Set<string>;
  statusWrites: number;
}

function apply(world: World, target: 'catalog' | 'table', actions: Action[], status: Record<string, unknown>): void {
  const resource = world[target];
  assert.ok(resource);
  for (const action of actions) {
    if (action.type === 'addFinalizer') resource.metadata.finalizers = [...resource.metadata.finalizers, FINALIZER];
    if (action.type === 'removeFinalizer') resource.metadata.finalizers = resource.metadata.finalizers.filter((f) => f !== FINALIZER);
    if (action.type === 'ensurePvc') world.pvc = true;
    if (action.type === 'emitEvent') world.events.add(action.event.metadata.name);
    if (action.type === 'deleteObjects') world.deleted.push(`s3://${action.bucket}/${action.prefix}`);
    if (action.type === 'createJob' && !world.jobs.has(action.job.metadata.name)) {
      const env = action.job.spec.template.spec.containers[0]?.env as Array<{ name: string; value?: string }>;
      const plan = JSON.parse(env.find((e) => e.name === 'FEATHERMAN_PLAN')?.value ?? '{}') as { op: string; drop?: boolean };
      world.jobs.set(action.job.metadata.name, { name: action.job.metadata.name, op: action.job.metadata.labels?.[LABELS.operation] ?? '?', state: 'Pending', plan });
    }
  }
  if (JSON.stringify(resource.status ?? {}) !== JSON.stringify(status)) {
    resource.status = structuredClone(status);
    world.statusWrites += 1;
  }
  if (resource.metadata.deletionTimestamp !== undefined && resource.metadata.finalizers.length === 0) world[target] = undefined as never;
}

function catalogObject(world: World) {
  const result = validateCatalog(world.catalog);
  return result.ok ? result.value : 'invalid' as const;
}

function stepTable(world: World, now: Date, ingestRequested = false): Action[] {
  const table = world.table;
  if (!table) return [];
  const jobs = [...world.jobs.values()].filter((job) => job.op !== 'init-catalog');
  const decision = decideTable(structuredClone(table), { catalog: catalogObject(world), jobs, config: { image: 'img' }, ingestRequested }, now);
  apply(world, 'table', decision.actions, decision.status as Record<string, unknown>);
  return decision.actions;
}

function stepCatalog(world: World, now: Date): Action[] {
  const tables = world.table ? [world.table.metadata.name] : [];
  const jobs = [...world.jobs.values()].filter((job) => job.op === 'init-catalog');
  const decision = decideCatalog(structuredClone(world.catalog), { jobs, pvc: world.pvc ? { phase: 'Bound' } : undefined, tables, config: { image: 'img' } }, now);
  apply(world, 'catalog', decision.actions, decision.status as Record<string, unknown>);
  return decision.actions;
}

// Runs every pending Job to completion, as the runner would.
function runJobs(world: World, snapshot: { id: number }): void {
  for (const job of world.jobs.values()) {
    if (job.state !== 'Pending') continue;
    snapshot.id += 1;
    const result: RunnerResult = { op: job.plan.op, ok: true, snapshotId: snapshot.id, filesAdded: 1, filesRemoved: 0, bytesAdded: 10, bytesRemoved: 0, rows: 3, durationMs: 5, ...(job.op === 'ingest' || job.op === 'apply-table' ? { table: { rowCount: 3 * snapshot.id, fileCount: snapshot.id, schemaVersion: 1, bytes: 10 * snapshot.id } } : {}) };
    Object.assign(job, { state: 'Succeeded', result, completionTime: `2026-11-25T10:${String(snapshot.id).padStart(2, '0')}:00Z` });
  }
}

function settle(world: World, now: Date, step: () => Action[]): number {
  for (let round = 1; round <= 5; round += 1) {
    if (step().length === 0) return round;
  }
  assert.fail('did not converge in 5 rounds');
}

describe('decide functions converge', () => {
  it('takes a catalog and a table from apply to Ready, ingests, and deletes them in order', () => {
    const world: World = {
      catalog: { apiVersion: API, kind: 'DuckLakeCatalog', metadata: { name: 'lake', namespace: 'a', uid: 'c1', generation: 1, finalizers: [] }, spec: { objectStore: { bucket: 'lake-data' } } },
      table: { apiVersion: API, kind: 'DuckLakeTable', metadata: { name: 'sales', namespace: 'a', uid: 't1', generation: 1, finalizers: [] }, spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'int' }], ingest: { prefix: 'landing/' }, deletionPolicy: 'Delete' } },
      jobs: new Map(), pvc: false, deleted: [], events: new Set(), statusWrites: 0,
    };
    const snapshot = { id: 0 };
    const now = new Date('2026-11-25T10:00:00Z');

    settle(world, now, () => [...stepCatalog(world, now), ...stepTable(world, now)]);
    assert.equal(findCondition(world.table?.status?.conditions as never, 'Ready')?.reason, 'CatalogNotReady');
    assert.equal(world.pvc, true);
    runJobs(world, snapshot);
    settle(world, now, () => [...stepCatalog(world, now), ...stepTable(world, now)]);
    runJobs(world, snapshot);
    settle(world, now, () => [...stepCatalog(world, now), ...stepTable(world, now)]);
    assert.equal(findCondition(world.catalog.status?.conditions as never, 'Ready')?.status, 'True');
    assert.equal(findCondition(world.table?.status?.conditions as never, 'Ready')?.status, 'True');
    assert.deepEqual([...world.jobs.values()].map((j) => j.op), ['init-catalog', 'apply-table', 'ingest']);

    const writes = world.statusWrites;
    const events = world.events.size;
    for (let i = 0; i < 3; i += 1) assert.deepEqual([...stepCatalog(world, now), ...stepTable(world, now)], []);
    assert.equal(world.statusWrites, writes, 'replays write no status');
    assert.equal(world.events.size, events, 'replays emit no events');

    const ingests = () => [...world.jobs.values()].filter((j) => j.op === 'ingest').length;
    assert.equal(ingests(), 1, 'one catch-up ingest once the table is applied');
    for (let i = 0; i < 10; i += 1) stepTable(world, new Date(Date.parse('2026-11-25T10:30:00Z') + i * 3000), true);
    assert.equal(ingests(), 2, 'ten landing events in one minute make one ingest Job');
    runJobs(world, snapshot);
    settle(world, now, () => stepTable(world, now));
    assert.deepEqual([world.table?.status?.lastAppliedSnapshot, world.table?.status?.rowCount], [4, 12]);

    world.catalog.metadata.deletionTimestamp = '2026-11-25T11:00:00Z';
    settle(world, now, () => stepCatalog(world, now));
    assert.equal(findCondition(world.catalog.status?.conditions as never, 'Ready')?.reason, 'WaitingForTables');
    const table = world.table;
    assert.ok(table);
    table.metadata.deletionTimestamp = '2026-11-25T11:00:00Z';
    // A catalog being deleted is not Ready, but a table's drop must still run.
    settle(world, now, () => stepTable(world, now));
    runJobs(world, snapshot);
    settle(world, now, () => stepTable(world, now));
    assert.equal(world.table, undefined);
    assert.deepEqual(world.deleted, ['s3://lake-data/main/sales/']);
    assert.deepEqual(stepCatalog(world, now).map((a) => a.type), ['emitEvent', 'removeFinalizer']);
    assert.equal(world.catalog, undefined);
  });
});
