/**
 * Pieces shared by decideCatalog, decideTable and decideQuery: the answer to an invalid
 * spec, condition bookkeeping, transition-only Events, and runner Job actions. Pure.
 */
import type { Condition, Phase } from '../../api/condition.ts';
import type { Plan } from '../../api/plan.ts';
import { buildEvent } from '../specs/event.ts';
import { buildRunnerJob } from '../specs/job.ts';
import type { Action, ControlConfig, Decision } from './actions.ts';
import { degraded, findCondition, ready, reconciling, setConditions, type ConditionInput, type ConditionReason } from './conditions.ts';
import { messageOf } from '../../api/issues.ts';
import { FINALIZER, jobName, type JobOp } from './names.ts';
import { ownerOf, API_VERSION, type DuckLakeCatalog, type FeathermanResource, type OwnerRef } from './resources.ts';

/** StatusBase is the part every Featherman status has. */
export interface StatusBase {
  phase?: Phase | undefined;
  observedGeneration?: number | undefined;
  conditions?: Condition[] | undefined;
}

type Raw = { metadata?: Record<string, unknown>; status?: Record<string, unknown> };

function rawOf(resource: unknown): Raw {
  return typeof resource === 'object' && resource !== null ? (resource as Raw) : {};
}

/** rawOwner is the OwnerRef of an unvalidated resource, as far as it can be read (pure). */
export function rawOwner(resource: unknown, kind: string): OwnerRef {
  const meta = rawOf(resource).metadata ?? {};
  const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);
  return { apiVersion: API_VERSION, kind, name: text(meta.name, 'unknown'), namespace: text(meta.namespace, 'default'), uid: text(meta.uid, 'unknown') };
}

/**
 * decideInvalid is the answer to a spec that breaks a rule (pure): Ready=False reason
 * InvalidSpec with every issue in one message, phase Failed, no Job; a Warning Event once
 * per generation; and, when the resource is being deleted, its finalizer removed (there
 * is no valid spec to clean up with) unless `keepFinalizer` (a catalog with tables).
 */
export function decideInvalid(resource: unknown, kind: string, issues: readonly string[], now: Date, options: { keepFinalizer?: boolean } = {}): Decision<StatusBase & Record<string, unknown>> {
  const raw = rawOf(resource);
  const generation = typeof raw.metadata?.generation === 'number' ? raw.metadata.generation : 1;
  const previous = Array.isArray(raw.status?.conditions) ? (raw.status.conditions as Condition[]) : [];
  const message = `The spec is invalid: ${messageOf(issues)}`;
  const conditions = setConditions(previous, [ready(false, 'InvalidSpec', message), reconciling(false), degraded(false)], now, generation);
  const owner = rawOwner(resource, kind);
  const actions: Action[] = [];
  if (transitioned(previous, conditions)) actions.push(eventAction(owner, 'Warning', 'InvalidSpec', message, `g${generation}`, now));
  const finalizers = Array.isArray(raw.metadata?.finalizers) ? (raw.metadata.finalizers as unknown[]) : [];
  if (raw.metadata?.deletionTimestamp !== undefined && finalizers.includes(FINALIZER) && !options.keepFinalizer) actions.push({ type: 'removeFinalizer' });
  return { actions, status: { ...(raw.status ?? {}), phase: 'Failed', observedGeneration: generation, conditions } };
}

/** transitioned reports whether Ready changed status or reason between two lists (pure). */
export function transitioned(before: readonly Condition[] | undefined, after: readonly Condition[]): boolean {
  const a = findCondition(before, 'Ready');
  const b = findCondition(after, 'Ready');
  return a?.status !== b?.status || a?.reason !== b?.reason || a?.observedGeneration !== b?.observedGeneration;
}

/** eventAction builds an emitEvent action (pure). */
export function eventAction(owner: OwnerRef, type: 'Normal' | 'Warning', reason: ConditionReason | string, message: string, key: string, now: Date): Action {
  return { type: 'emitEvent', event: buildEvent({ involved: owner, type, reason, message, key, now }) };
}

/** resourceJobName is the deterministic Job name of one operation on a resource (pure). */
export function resourceJobName(resource: FeathermanResource, op: JobOp, timeBucket?: string): string {
  const { name, uid, generation } = resource.metadata;
  return jobName({ name, uid, generation, op, ...(timeBucket !== undefined ? { timeBucket } : {}) });
}

/** createJobAction builds the createJob action of a plan for a resource (pure). */
export function createJobAction(
  resource: FeathermanResource,
  catalog: DuckLakeCatalog,
  plan: Plan,
  op: JobOp,
  name: string,
  config: ControlConfig,
  readOnly: boolean,
): Action {
  const credentialsSecret = resource.kind === 'DuckLakeTable' ? resource.spec.objectStore?.credentialsSecret : undefined;
  const job = buildRunnerJob({
    name,
    namespace: resource.metadata.namespace,
    owner: ownerOf(resource),
    plan,
    catalog,
    image: config.image,
    op,
    readOnly,
    generation: resource.metadata.generation,
    ...(credentialsSecret !== undefined ? { credentialsSecret } : {}),
    ...(config.podOverrides !== undefined ? { podOverrides: config.podOverrides } : {}),
    ...(config.jobSettings !== undefined ? { settings: config.jobSettings } : {}),
  });
  return { type: 'createJob', job };
}

/** withConditions returns the status with conditions set and observedGeneration stamped (pure). */
export function withConditions<S extends StatusBase>(status: S, inputs: readonly ConditionInput[], phase: Phase, now: Date, generation: number): S {
  return { ...status, phase, observedGeneration: generation, conditions: setConditions(status.conditions, inputs, now, generation) };
}

/** isDoneAt reports whether Ready records a finished outcome (True, or a terminal failure) for this generation (pure). */
export function isDoneAt(conditions: readonly Condition[] | undefined, generation: number, terminal: readonly ConditionReason[]): boolean {
  const condition = findCondition(conditions, 'Ready');
  if (condition === undefined || condition.observedGeneration !== generation) return false;
  return condition.status === 'True' || (terminal as readonly string[]).includes(condition.reason);
}

/**
 * catalogState says whether a table or query can use its catalog yet (pure): it exists, is
 * valid, not being deleted, Ready, and its runner pod template (config) is usable.
 */
export function catalogState(catalog: DuckLakeCatalog | 'invalid' | undefined, name: string, config?: ControlConfig): { ok: true; catalog: DuckLakeCatalog } | { ok: false; reason: ConditionReason; message: string } {
  if (config?.podTemplateError !== undefined && catalog !== undefined && catalog !== 'invalid') return { ok: false, reason: 'InvalidPodTemplate', message: config.podTemplateError };
  if (catalog === undefined) return { ok: false, reason: 'CatalogMissing', message: `DuckLakeCatalog ${name} does not exist in this namespace; create it or fix spec.catalogRef.` };
  if (catalog === 'invalid') return { ok: false, reason: 'CatalogNotReady', message: `DuckLakeCatalog ${name} has an invalid spec; see its Ready condition.` };
  if (catalog.metadata.deletionTimestamp !== undefined) return { ok: false, reason: 'CatalogNotReady', message: `DuckLakeCatalog ${name} is being deleted.` };
  if (findCondition(catalog.status?.conditions, 'Ready')?.status !== 'True') return { ok: false, reason: 'CatalogNotReady', message: `DuckLakeCatalog ${name} is not Ready yet.` };
  return { ok: true, catalog };
}
