/**
 * Conditions in the kstatus / metav1.Condition shape. `Ready=True` means the resource is
 * done and current; `Reconciling=True` means Featherman is still working on it;
 * `Degraded=True` means it works but something went wrong. Everything here is pure.
 */
import type { Condition } from '../../api/condition.ts';

/** ConditionType is one of the three condition types Featherman writes. */
export type ConditionType =
  /** Ready is True when the resource matches its spec (kstatus: current). */
  | 'Ready'
  /** Reconciling is True while a Job works toward the spec (kstatus: in progress). */
  | 'Reconciling'
  /** Degraded is True when the resource works but an operation on it failed. */
  | 'Degraded';

/** ConditionReason is the CamelCase reason of a condition; each is declared once here. */
export type ConditionReason =
  /** InvalidSpec: the spec breaks a rule; the message names field, rule and value. */
  | 'InvalidSpec'
  /** CatalogNotReady: the referenced DuckLakeCatalog exists but is not Ready yet. */
  | 'CatalogNotReady'
  /** CatalogMissing: the referenced DuckLakeCatalog does not exist. */
  | 'CatalogMissing'
  /** VolumePending: the catalog volume is being created. */
  | 'VolumePending'
  /** JobRunning: a runner Job is working on the resource. */
  | 'JobRunning'
  /** JobFailed: the last runner Job failed; the message is the runner's error. */
  | 'JobFailed'
  /** Succeeded: the one-shot work (catalog init, query) finished. */
  | 'Succeeded'
  /** Applied: the table matches its spec. */
  | 'Applied'
  /** Ingesting: landing files are being committed to the table. */
  | 'Ingesting'
  /** IngestFailed: the last ingest Job failed; the table itself is fine. */
  | 'IngestFailed'
  /** DataLoss: the spec change would lose data (e.g. narrowing a type) and was refused. */
  | 'DataLoss'
  /** ObjectMissing: an object the catalog lists is missing from the bucket. */
  | 'ObjectMissing'
  /** Deleting: the resource is being deleted and its clean-up Job runs. */
  | 'Deleting'
  /** DeleteFailed: the clean-up on deletion failed; the finalizer stays. */
  | 'DeleteFailed'
  /** WaitingForTables: a catalog being deleted waits until its tables are gone. */
  | 'WaitingForTables'
  /** BackupFailed: the last scheduled backup of the catalog failed. */
  | 'BackupFailed'
  /** MaintenanceFailed: the last run of a periodic operation (TTL expiry, compaction, snapshot expiry, check, cleanup) failed. */
  | 'MaintenanceFailed'
  /** InvalidPodTemplate: the runner pod template ConfigMap (spec.podTemplate.configMapRef) is missing, lacks the key `template`, or holds an invalid template. */
  | 'InvalidPodTemplate'
  /** Idle: nothing is in progress. */
  | 'Idle'
  /** AsExpected: nothing is degraded. */
  | 'AsExpected';

/** ConditionInput is a condition before Featherman stamps time and generation on it. */
export interface ConditionInput {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: ConditionReason;
  message: string;
}

/** findCondition returns the condition of that type, if any (pure). */
export function findCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((condition) => condition.type === type);
}

/** isConditionTrue reports whether the condition of that type is True (pure). */
export function isConditionTrue(conditions: readonly Condition[] | undefined, type: ConditionType): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

/**
 * setCondition returns a new list with `cond` set (pure): observedGeneration is stamped on
 * it, and lastTransitionTime changes only when the status changes, so writing the same
 * decision twice yields the same list (and no status write, and no update-event loop).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  cond: ConditionInput,
  now: Date,
  observedGeneration: number,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((existing) => existing.type === cond.type);
  const previous = index >= 0 ? list[index] : undefined;
  const lastTransitionTime = previous !== undefined && previous.status === cond.status ? previous.lastTransitionTime : rfc3339(now);
  const next: Condition = { ...cond, lastTransitionTime, observedGeneration };
  if (index >= 0) list[index] = next;
  else list.push(next);
  return list;
}

/** setConditions applies several conditions in order (pure). */
export function setConditions(
  conditions: readonly Condition[] | undefined,
  inputs: readonly ConditionInput[],
  now: Date,
  observedGeneration: number,
): Condition[] {
  return inputs.reduce<Condition[]>((list, input) => setCondition(list, input, now, observedGeneration), [...(conditions ?? [])]);
}

/** rfc3339 renders a time as Kubernetes does: seconds precision, UTC, `Z` (pure). */
export function rfc3339(time: Date): string {
  return `${time.toISOString().slice(0, 19)}Z`;
}

/** ready builds a Ready condition input (pure). */
export function ready(status: boolean, reason: ConditionReason, message: string): ConditionInput {
  return { type: 'Ready', status: status ? 'True' : 'False', reason, message };
}

/** reconciling builds a Reconciling condition input; False carries reason Idle (pure). */
export function reconciling(active: boolean, reason: ConditionReason = 'Idle', message = 'Nothing is in progress.'): ConditionInput {
  return active ? { type: 'Reconciling', status: 'True', reason, message } : { type: 'Reconciling', status: 'False', reason: 'Idle', message: 'Nothing is in progress.' };
}

/** degraded builds a Degraded condition input; False carries reason AsExpected (pure). */
export function degraded(active: boolean, reason: ConditionReason = 'AsExpected', message = 'Nothing is degraded.'): ConditionInput {
  return active ? { type: 'Degraded', status: 'True', reason, message } : { type: 'Degraded', status: 'False', reason: 'AsExpected', message: 'Nothing is degraded.' };
}
