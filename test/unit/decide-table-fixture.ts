/**
 * Shared set-up of the decideTable unit tests: a Ready catalog, table manifests, observed
 * state, runner results and readers for the decision's actions and conditions.
 */
import assert from 'node:assert/strict';
import type { RunnerResult } from '../../api/result.ts';
import type { Action, ControlConfig } from '../../functions/core/actions.ts';
import { findCondition, setConditions, ready } from '../../functions/core/conditions.ts';
import { decideTable, type TableObserved } from '../../functions/core/decide-table.ts';
import type { ObservedJob } from '../../functions/core/job-state.ts';
import { FINALIZER } from '../../functions/core/names.ts';
import type { DuckLakeCatalog } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';

export const API = 'ducklake.featherman.dev/v1alpha1';
export const NOW = new Date('2026-11-25T10:15:20Z');
export const LATER = new Date('2026-11-25T10:17:00Z');
export const CONFIG: ControlConfig = { image: 'ghcr.io/featherman/runner:0.1.0' };

export function readyCatalog(extra: Record<string, unknown> = {}): DuckLakeCatalog {
  const result = validateCatalog({
    apiVersion: API, kind: 'DuckLakeCatalog',
    metadata: { name: 'lake', namespace: 'analytics', uid: 'cat-uid', generation: 1, finalizers: [FINALIZER], ...extra },
    spec: { objectStore: { bucket: 'lake-data', prefix: 'wh', credentialsSecret: { name: 'creds' } } },
    status: { conditions: setConditions(undefined, [ready(true, 'Succeeded', 'ok')], NOW, 1) },
  });
  assert.ok(result.ok);
  return result.value;
}

export type Raw = { apiVersion: string; kind: string; metadata: Record<string, unknown>; spec: Record<string, unknown>; status?: unknown };
export function table(options: { generation?: number; status?: unknown; spec?: Record<string, unknown>; finalizers?: string[]; deleting?: boolean } = {}): Raw {
  return {
    apiVersion: API, kind: 'DuckLakeTable',
    metadata: {
      name: 'sales', namespace: 'analytics', uid: 'tab-uid', generation: options.generation ?? 1,
      finalizers: options.finalizers ?? [FINALIZER],
      ...(options.deleting ? { deletionTimestamp: '2026-11-25T10:00:00Z' } : {}),
    },
    spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'BIGINT' }, { name: 'amount', type: 'DOUBLE' }], ingest: { prefix: 'landing/sales/' }, ...options.spec },
    ...(options.status !== undefined ? { status: options.status } : {}),
  };
}

export function observed(jobs: ObservedJob[] = [], extra: Partial<TableObserved> = {}): TableObserved {
  return { catalog: readyCatalog(), jobs, config: CONFIG, ...extra };
}

export function result(partial: Partial<RunnerResult> & { op: string }): RunnerResult {
  return { ok: true, filesAdded: 0, filesRemoved: 0, bytesAdded: 0, bytesRemoved: 0, rows: 0, durationMs: 5, ...partial };
}

export const types = (actions: Action[]) => actions.map((a) => (a.type === 'emitEvent' ? `emitEvent:${a.event.reason}` : a.type));
export const jobsOf = (actions: Action[]) => actions.flatMap((a) => (a.type === 'createJob' ? [a.job] : []));
export const readyOf = (status: { conditions?: unknown }) => findCondition((status as { conditions?: Parameters<typeof findCondition>[0] }).conditions, 'Ready');

/** appliedStatus is the status of the table once its apply-table Job succeeded. */
export function appliedStatus(generation = 1) {
  const first = decideTable(table({ generation }), observed(), NOW);
  const name = jobsOf(first.actions)[0]?.metadata.name ?? '';
  const done: ObservedJob = { name, op: 'apply-table', state: 'Succeeded', completionTime: '2026-11-25T10:00:00Z', result: result({ op: 'apply-table', snapshotId: 2, table: { rowCount: 0, fileCount: 0, schemaVersion: 1, bytes: 0 } }) };
  return decideTable(table({ generation, status: first.status }), observed([done]), NOW).status;
}
