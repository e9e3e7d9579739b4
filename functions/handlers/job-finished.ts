/**
 * The job-finished function: an ApiServerSource event about a batch/v1 Job → read the Job
 * fresh; when it is a finished Featherman Job, reconcile its owner, which reads the pod's
 * termination message (the runner result) and writes the owner's status once. A finished
 * catalog Job also wakes the tables and queries waiting for that catalog.
 * Side effects: through reconcileResource.
 */
import { readApiServerEvent } from './resource-event.ts';
import { LABELS, MANAGED_BY } from '../core/names.ts';
import { isFeathermanKind } from '../adapters/kube.ts';
import { badRequest, ok, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { wakeDependents } from './dependents.ts';
import { isJobFinished } from './observe.ts';
import { reconcileResource } from './reconcile.ts';

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
  const woken = owner.kind === 'DuckLakeCatalog' ? await wakeDependents(deps, ref.namespace, owner.name) : [];
  return ok({ job: ref.name, ...outcome, ...(woken.length > 0 ? { woken } : {}) });
}
