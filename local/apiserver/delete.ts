/**
 * Deletion: preconditions, propagationPolicy, finalizers with deletionTimestamp (the object
 * stays until its last finalizer is removed), and the final removal (side effects: the
 * store; dependents are left to the garbage collector).
 */
import { metaOf } from './admit.ts';
import { timestamp, type ServerContext } from './context.ts';
import type { ServedResource } from './registry.ts';
import { ApiError, badRequest, buildStatus, conflict, notFound } from './status.ts';
import type { JsonObject } from './types.ts';

/** PropagationPolicy is DeleteOptions.propagationPolicy. */
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** FOREGROUND_FINALIZER holds an owner until its blocking dependents are gone. */
export const FOREGROUND_FINALIZER = 'foregroundDeletion';

/** DeleteRequest is one DELETE of a named object. */
export interface DeleteRequest {
  served: ServedResource;
  namespace: string;
  name: string;
  dryRun: boolean;
  propagationPolicy: PropagationPolicy;
  preconditions: { uid?: string; resourceVersion?: string };
}

/** parseDeleteOptions reads DeleteOptions from the body and query parameters; 400 on bad values. */
export function parseDeleteOptions(body: unknown, query: URLSearchParams): { propagationPolicy: PropagationPolicy; preconditions: { uid?: string; resourceVersion?: string }; dryRun: boolean } {
  const options = typeof body === 'object' && body !== null && !Array.isArray(body) ? body as JsonObject : {};
  let policy = query.get('propagationPolicy') ?? options.propagationPolicy;
  if (policy === undefined || policy === null) {
    const orphan = query.get('orphanDependents') ?? options.orphanDependents;
    policy = orphan === true || orphan === 'true' ? 'Orphan' : 'Background';
  }
  if (policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    throw badRequest(`DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${String(policy)}": supported values: "Foreground", "Background", "Orphan"`);
  }
  const dryRunValues = [...query.getAll('dryRun'), ...(Array.isArray(options.dryRun) ? options.dryRun.map(String) : [])];
  const preconditions = typeof options.preconditions === 'object' && options.preconditions !== null ? options.preconditions as { uid?: string; resourceVersion?: string } : {};
  return { propagationPolicy: policy, preconditions, dryRun: dryRunValues.includes('All') };
}

function finalizersOf(object: JsonObject): string[] {
  const finalizers = metaOf(object).finalizers;
  return Array.isArray(finalizers) ? finalizers.map(String) : [];
}

/** orphanDependents removes ownerReferences to `uid` from every object (side effect). */
export function orphanDependents(ctx: ServerContext, uid: string): void {
  for (const ref of ctx.store.refs()) {
    const owners = metaOf(ref.object).ownerReferences;
    if (!Array.isArray(owners) || !owners.some((owner: JsonObject) => owner.uid === uid)) continue;
    const updated = structuredClone(ref.object);
    const kept = owners.filter((owner: JsonObject) => owner.uid !== uid);
    if (kept.length > 0) metaOf(updated).ownerReferences = kept;
    else delete metaOf(updated).ownerReferences;
    ctx.store.put(ref.storageKey, updated, 'MODIFIED');
  }
}

/**
 * finishDeletionIfReady removes an object whose deletionTimestamp is set once no
 * finalizer remains (side effect); returns the removed object.
 */
export function finishDeletionIfReady(ctx: ServerContext, storageKey: string, namespace: string, name: string): JsonObject | undefined {
  const object = ctx.store.get(storageKey, namespace, name);
  if (!object || !metaOf(object).deletionTimestamp || finalizersOf(object).length > 0) return undefined;
  if (storageKey === '/namespaces' && ctx.store.refs().some((ref) => ref.namespace === name && ref.storageKey !== '/namespaces')) return undefined;
  return ctx.store.remove(storageKey, namespace, name);
}

/**
 * deleteObject handles DELETE of one object: with finalizers (or Foreground, or a
 * namespace) it only sets deletionTimestamp and answers the object; otherwise it removes
 * it. Built-in kinds answer a Success Status for an immediate removal, custom resources the object.
 */
export function deleteObject(ctx: ServerContext, request: DeleteRequest): { code: number; body: JsonObject } {
  const { served, namespace, name } = request;
  const { group, plural } = served.descriptor;
  const current = ctx.store.get(served.storageKey, namespace, name);
  if (!current) throw notFound(group, plural, name);
  const meta = metaOf(current);
  if (request.preconditions.uid && request.preconditions.uid !== meta.uid) {
    throw conflict(group, plural, name, `Precondition failed: UID in precondition: ${request.preconditions.uid}, UID in object meta: ${String(meta.uid)}`);
  }
  if (request.preconditions.resourceVersion && request.preconditions.resourceVersion !== meta.resourceVersion) {
    throw conflict(group, plural, name, `Precondition failed: ResourceVersion in precondition: ${request.preconditions.resourceVersion}, ResourceVersion in object meta: ${String(meta.resourceVersion)}`);
  }
  const finalizers = finalizersOf(current);
  const foreground = request.propagationPolicy === 'Foreground';
  const deferred = finalizers.length > 0 || foreground || served.storageKey === '/namespaces';
  if (request.dryRun) return { code: 200, body: served.fromStorage(current) };
  if (request.propagationPolicy === 'Orphan' && typeof meta.uid === 'string') orphanDependents(ctx, meta.uid);
  if (deferred) {
    if (meta.deletionTimestamp && !(foreground && !finalizers.includes(FOREGROUND_FINALIZER))) {
      return { code: 202, body: served.fromStorage(current) };
    }
    const updated = structuredClone(current);
    const updatedMeta = metaOf(updated);
    if (!updatedMeta.deletionTimestamp) {
      updatedMeta.deletionTimestamp = timestamp(ctx.now());
      updatedMeta.deletionGracePeriodSeconds = 0;
      if (updatedMeta.generation !== undefined) updatedMeta.generation = Number(updatedMeta.generation) + 1;
    }
    if (foreground && !finalizers.includes(FOREGROUND_FINALIZER)) updatedMeta.finalizers = [...finalizers, FOREGROUND_FINALIZER];
    if (served.storageKey === '/namespaces') updated.status = { ...(updated.status as JsonObject | undefined), phase: 'Terminating' };
    const stored = ctx.store.put(served.storageKey, updated, 'MODIFIED');
    ctx.logger.debug({ op: 'delete', resource: served.storageKey, namespace, name, finalizers: updatedMeta.finalizers }, 'deletion pending on finalizers');
    const removed = finishDeletionIfReady(ctx, served.storageKey, namespace, name);
    return { code: removed ? 200 : 202, body: served.fromStorage(removed ?? stored) };
  }
  const removed = ctx.store.remove(served.storageKey, namespace, name);
  if (!removed) throw notFound(group, plural, name);
  ctx.logger.debug({ op: 'delete', resource: served.storageKey, namespace, name }, 'deleted');
  if (!served.descriptor.builtin) return { code: 200, body: served.fromStorage(removed) };
  return { code: 200, body: buildStatus(200, '', '', { name, group, kind: plural, uid: String(meta.uid) }) };
}

/** deleteCollection deletes every matching object; answers the list of what was deleted or marked. */
export function deleteCollection(ctx: ServerContext, request: Omit<DeleteRequest, 'name'>, matches: (object: JsonObject) => boolean): JsonObject[] {
  const namespace = request.served.descriptor.namespaced ? request.namespace : undefined;
  const results: JsonObject[] = [];
  for (const object of ctx.store.list(request.served.storageKey, namespace === '' ? undefined : namespace)) {
    if (!matches(object)) continue;
    const meta = metaOf(object);
    try {
      const { body } = deleteObject(ctx, { ...request, namespace: String(meta.namespace ?? ''), name: String(meta.name) });
      results.push(body.kind === 'Status' ? request.served.fromStorage(object) : body);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
  return results;
}
