/**
 * The job-finished function: an ApiServerSource event about a batch/v1 Job → read the Job
 * fresh; when it is a finished Featherman Job, reconcile its owner, which reads the pod's
 * termination message (the runner result) and writes the owner's status once. A finished
 * table Job then reconciles the table's catalog (its snapshotId, which also counts the
 * snapshot this Job reported, as a dropped table reports it nowhere else, and tableCount;
 * one status write of its own); a finished catalog Job wakes the tables and queries waiting for it,
 * and a finished consistency check the tables whose ObjectMissing alarm it may clear.
 * Side effects: through reconcileResource.
 */
import { readApiServerEvent } from './resource-event.ts';
import { LABELS, MANAGED_BY } from '../core/names.ts';
import { parseRunnerResult } from '../core/runner-result.ts';
import { isFeathermanKind } from '../adapters/kube.ts';
import { badRequest, ok, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { reconcileAlarmedTables, wakeDependents } from './dependents.ts';
import { isJobFinished } from './observe.ts';
import { reconcileResource, type ReconcileOutcome } from './reconcile.ts';

/** jobFinishedHandler handles one event about a Job. */
export async function jobFinishedHandler(deps: HandlerDeps, request: IncomingRequest): Promise<Answer> {
  const parsed = readApiServerEvent(request);
  if ('status' in parsed) return parsed;
  const { ref } = parsed;
  if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return ok({ ignored: `this function handles batch/v1 Jobs, not ${ref.apiVersion} ${ref.kind}` });
  const job = await deps.kube.readJob(ref.namespace, ref.name);
  if (job === undefined) return ok({ ignored: `Job ${ref.namespace}/${ref.name} no longer exists` });
  if (job.metadata.labels?.[LABELS.managedBy] !== MANAGED_BY) return ok({ ignored: `Job ${ref.namespace}/${ref.name} is not managed by Featherman` });
  if (!isJobFinished(job)) return ok({ ignored: `Job ${ref.namespace}/${ref.name} has not finished` });
  const owner = job.metadata.ownerReferences?.find((reference) => reference.controller === true) ?? job.metadata.ownerReferences?.[0];
  if (owner === undefined || !isFeathermanKind(owner.kind)) return ok({ ignored: `Job ${ref.namespace}/${ref.name} has no Featherman owner` });
  const outcome = await reconcileResource(deps, owner.kind, ref.namespace, owner.name);
  // A table's Job committed a catalog snapshot (or ended the table): its catalog's
  // snapshotId and tableCount follow, after the table's own status is written.
  // A table already gone (its drop Job's replay) names no catalogRef: the Job's catalog label
  // holds the name (catalog names are DNS labels, so labelValue keeps them as they are).
  const catalogName = outcome.catalogRef ?? job.metadata.labels?.[LABELS.catalog];
  let catalog: ReconcileOutcome | undefined;
  if (owner.kind === 'DuckLakeTable' && catalogName !== undefined) {
    const result = parseRunnerResult(await deps.kube.readTerminationMessage(ref.namespace, ref.name));
    const reportedSnapshot = result.ok && result.result.ok ? result.result.snapshotId : undefined;
    catalog = await reconcileResource(deps, 'DuckLakeCatalog', ref.namespace, catalogName, reportedSnapshot !== undefined ? { reportedSnapshot } : {});
  }
  const woken = owner.kind === 'DuckLakeCatalog' ? await wakeDependents(deps, ref.namespace, owner.name) : [];
  // A consistency check is what may clear a table's ObjectMissing alarm.
  if (owner.kind === 'DuckLakeCatalog' && job.metadata.labels?.[LABELS.operation] === 'check') woken.push(...(await reconcileAlarmedTables(deps, ref.namespace, owner.name)));
  return ok({ job: ref.name, ...outcome, ...(catalog !== undefined ? { catalog: { name: catalog.name, result: catalog.result, status: catalog.status } } : {}), ...(woken.length > 0 ? { woken } : {}) });
}
