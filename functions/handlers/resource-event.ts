/**
 * handleResourceEvent is the body of the three reconcile-* functions: parse the
 * ApiServerSource CloudEvent (Reference or Resource mode, binary or structured), then
 * reconcile the named resource from a fresh read. The event is only a hint: its object
 * (Resource mode) is never trusted, and an add or update whose status already reflects
 * the generation (our own status write coming back, a replay) is acknowledged without work.
 * reconcile-catalog also takes events about runner pod template ConfigMaps (pod-template-event.ts).
 * Side effects: through reconcileResource.
 */
import { parseApiServerEvent, type ResourceEvent } from '../events/apiserver-event.ts';
import { parseCloudEvent } from '../events/cloudevent.ts';
import { GROUP, type FeathermanKind } from '../adapters/kube.ts';
import { badRequest, ok, type Answer, type HandlerDeps, type IncomingRequest } from './deps.ts';
import { wakeDependents } from './dependents.ts';
import { reconcilePodTemplateUsers } from './pod-template-event.ts';
import { reconcileResource } from './reconcile.ts';

/**
 * readApiServerEvent parses an ApiServerSource CloudEvent from a request (pure), or
 * returns the answer to give: 400 for a malformed event, 200 for one to ignore.
 */
export function readApiServerEvent(request: IncomingRequest): ResourceEvent | Answer {
  const event = parseCloudEvent(request.headers, request.body);
  if ('kind' in event) return badRequest(event.message);
  const parsed = parseApiServerEvent(event);
  if (parsed.kind === 'malformed') return badRequest(parsed.message);
  if (parsed.kind === 'ignore') return ok({ ignored: parsed.reason });
  return parsed;
}

/** handleResourceEvent reconciles the resource of `kind` an ApiServerSource event names. */
export async function handleResourceEvent(deps: HandlerDeps, kind: FeathermanKind, request: IncomingRequest): Promise<Answer> {
  const parsed = readApiServerEvent(request);
  if ('status' in parsed) return parsed;
  const { ref } = parsed;
  if (kind === 'DuckLakeCatalog' && ref.kind === 'ConfigMap' && ref.apiVersion === 'v1') return ok({ ...(await reconcilePodTemplateUsers(deps, ref.namespace, ref.name)) });
  if (ref.kind !== kind || !ref.apiVersion.startsWith(`${GROUP}/`)) return ok({ ignored: `this function reconciles ${kind}, not ${ref.apiVersion} ${ref.kind}` });
  const outcome = await reconcileResource(deps, kind, ref.namespace, ref.name, { skipCurrent: parsed.action !== 'delete' });
  const woken = kind === 'DuckLakeCatalog' && parsed.action !== 'update' ? await wakeDependents(deps, ref.namespace, ref.name) : [];
  return ok({ ...outcome, ...(woken.length > 0 ? { woken } : {}) });
}
