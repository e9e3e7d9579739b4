/**
 * Create, update and patch: admission, webhooks, optimistic concurrency and the store
 * write, with CRD registration and finalizer completion as follow-ups (side effects: the
 * store, the registry, webhook calls).
 */
import { checkTypeMeta, metaOf, prepareCreate, prepareUpdate, sameStoredContent, validateForStore, type FieldValidation } from './admit.ts';
import type { PatchType } from './body.ts';
import type { ServerContext } from './context.ts';
import { buildCrdStatus, servedResourcesOfCrd } from './crd.ts';
import { finishDeletionIfReady } from './delete.ts';
import { recordUpdate } from './patch/managed-fields.ts';
import { applyPatch } from './patches.ts';
import type { ServedResource } from './registry.ts';
import { alreadyExists, ApiError, badRequest, conflict, notFound } from './status.ts';
import type { JsonObject } from './types.ts';
import { runValidatingWebhooks } from './webhooks.ts';

/** CRD_STORAGE_KEY is where CustomResourceDefinitions are stored. */
export const CRD_STORAGE_KEY = 'apiextensions.k8s.io/customresourcedefinitions';

/** WriteRequest is the target and options of one write. */
export interface WriteRequest {
  served: ServedResource;
  namespace: string | undefined;
  name: string | undefined;
  subresource: string | undefined;
  dryRun: boolean;
  fieldValidation: FieldValidation;
  fieldManager: string | undefined;
  force: boolean;
  /** userAgent names the manager of ordinary writes without fieldManager (its first word). */
  userAgent: string;
  /** applied marks a write made by server-side apply (managedFields already maintained). */
  applied?: boolean;
}

/** WriteResult is the HTTP code, the object in the served version, and Warning headers. */
export interface WriteResult {
  code: number;
  object: JsonObject;
  warnings: string[];
}

function checkNamespace(ctx: ServerContext, served: ServedResource, namespace: string | undefined): void {
  if (!served.descriptor.namespaced || namespace === undefined) return;
  const found = ctx.store.get('/namespaces', '', namespace);
  if (!found) throw notFound('', 'namespaces', namespace);
  if (metaOf(found).deletionTimestamp) {
    throw new ApiError(403, 'Forbidden', `${served.descriptor.plural} is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`);
  }
}

function withCrdStatus(ctx: ServerContext, served: ServedResource, object: JsonObject, old: JsonObject | undefined, subresource: string | undefined): void {
  if (served.storageKey !== CRD_STORAGE_KEY || subresource === 'status') return;
  object.status = buildCrdStatus(object, old?.status as JsonObject | undefined, ctx.now());
}

function afterStore(ctx: ServerContext, served: ServedResource, stored: JsonObject): void {
  if (served.storageKey === CRD_STORAGE_KEY && !metaOf(stored).deletionTimestamp) {
    ctx.registry.setCrd(String(metaOf(stored).name), servedResourcesOfCrd(stored));
  }
}

/** createObject handles POST (and server-side apply of a new object); 201 with the stored object. */
export async function createObject(ctx: ServerContext, request: WriteRequest, body: unknown, checked = false): Promise<WriteResult> {
  const { served } = request;
  const object = checked ? body as JsonObject : checkTypeMeta(served, body);
  const bodyNamespace = metaOf(object).namespace;
  if (served.descriptor.namespaced && typeof bodyNamespace === 'string' && bodyNamespace !== '' && request.namespace !== undefined && bodyNamespace !== request.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (served.descriptor.namespaced && request.namespace === undefined) throw new ApiError(404, 'NotFound', 'the server could not find the requested resource');
  prepareCreate(served, object, request.namespace, ctx.now());
  const admitted = validateForStore(served, object, undefined, request.fieldValidation);
  const name = String(metaOf(admitted.object).name);
  const namespace = served.descriptor.namespaced ? request.namespace ?? '' : '';
  checkNamespace(ctx, served, request.namespace);
  if (ctx.store.get(served.storageKey, namespace, name)) throw alreadyExists(served.descriptor.group, served.descriptor.plural, name);
  withCrdStatus(ctx, served, admitted.object, undefined, undefined);
  admitted.object = withOwnership(ctx, request, undefined, admitted.object);
  const warnings = [...admitted.warnings, ...await runValidatingWebhooks(ctx, {
    operation: 'CREATE', served, subresource: undefined, object: admitted.object, oldObject: undefined, namespace: request.namespace, name, dryRun: request.dryRun,
  })];
  if (request.dryRun) return { code: 201, object: admitted.object, warnings };
  // Webhook calls are asynchronous: a concurrent create may have won meanwhile.
  if (ctx.store.get(served.storageKey, namespace, name)) throw alreadyExists(served.descriptor.group, served.descriptor.plural, name);
  const stored = ctx.store.put(served.storageKey, served.toStorage(admitted.object), 'ADDED');
  afterStore(ctx, served, stored);
  ctx.logger.debug({ op: 'create', resource: served.storageKey, namespace, name }, 'created');
  return { code: 201, object: served.fromStorage(stored), warnings };
}

/**
 * storeUpdate admits `incoming` as the new state of `oldStored` (stored form) and writes
 * it unless nothing changed; checks the resourceVersion precondition.
 */
async function storeUpdate(ctx: ServerContext, request: WriteRequest, incoming: JsonObject, oldStored: JsonObject): Promise<WriteResult> {
  const { served } = request;
  const old = served.fromStorage(oldStored);
  const oldMeta = metaOf(old);
  const name = String(oldMeta.name);
  const namespace = served.descriptor.namespaced ? String(oldMeta.namespace ?? '') : '';
  const wanted = metaOf(incoming).resourceVersion;
  if (wanted !== undefined && wanted !== '' && String(wanted) !== String(oldMeta.resourceVersion)) {
    throw conflict(served.descriptor.group, served.descriptor.plural, name);
  }
  // Patches share structure with the old object; admission must not change the old one.
  const candidate = prepareUpdate(served, structuredClone(incoming), old, request.subresource);
  const admitted = validateForStore(served, candidate, old, request.fieldValidation);
  withCrdStatus(ctx, served, admitted.object, old, request.subresource);
  admitted.object = withOwnership(ctx, request, old, admitted.object);
  if (sameStoredContent(admitted.object, old)) return { code: 200, object: old, warnings: admitted.warnings };
  const warnings = [...admitted.warnings, ...await runValidatingWebhooks(ctx, {
    operation: 'UPDATE', served, subresource: request.subresource, object: admitted.object, oldObject: old, namespace: request.namespace, name, dryRun: request.dryRun,
  })];
  if (request.dryRun) return { code: 200, object: admitted.object, warnings };
  const current = ctx.store.get(served.storageKey, namespace, name);
  if (!current || metaOf(current).resourceVersion !== oldMeta.resourceVersion) throw conflict(served.descriptor.group, served.descriptor.plural, name);
  metaOf(admitted.object).resourceVersion = oldMeta.resourceVersion;
  const stored = ctx.store.put(served.storageKey, served.toStorage(admitted.object), 'MODIFIED');
  afterStore(ctx, served, stored);
  ctx.logger.debug({ op: 'update', resource: served.storageKey, namespace, name, generation: metaOf(stored).generation }, 'updated');
  finishDeletionIfReady(ctx, served.storageKey, namespace, name);
  return { code: 200, object: served.fromStorage(stored), warnings };
}

/** withOwnership records an ordinary write in managedFields (server-side apply records its own). */
function withOwnership(ctx: ServerContext, request: WriteRequest, old: JsonObject | undefined, object: JsonObject): JsonObject {
  if (request.applied) return object;
  const { served } = request;
  const fieldManager = request.fieldManager ?? (request.userAgent.split('/')[0] || 'unknown');
  return recordUpdate(old, object, {
    fieldManager, apiVersion: served.apiVersion, kind: served.descriptor.kind, now: ctx.now(), subresource: request.subresource,
    schema: served.descriptor.builtin ? undefined : served.descriptor.schema,
  });
}

function readCurrent(ctx: ServerContext, request: WriteRequest): JsonObject | undefined {
  const { served } = request;
  const namespace = served.descriptor.namespaced ? request.namespace ?? '' : '';
  return ctx.store.get(served.storageKey, namespace, request.name ?? '');
}

/** updateObject handles PUT of the main resource or its status; 404 when missing, 409 when stale. */
export async function updateObject(ctx: ServerContext, request: WriteRequest, body: unknown): Promise<WriteResult> {
  const { served } = request;
  const object = checkTypeMeta(served, body);
  const bodyName = metaOf(object).name;
  if (bodyName !== undefined && bodyName !== request.name) {
    throw badRequest(`the name of the object (${String(bodyName)}) does not match the name on the URL (${request.name ?? ''})`);
  }
  const current = readCurrent(ctx, request);
  if (!current) throw notFound(served.descriptor.group, served.descriptor.plural, request.name ?? '');
  return storeUpdate(ctx, request, object, current);
}

/** patchObject handles PATCH of every type; server-side apply creates a missing object (201). */
export async function patchObject(ctx: ServerContext, request: WriteRequest, type: PatchType, patch: unknown): Promise<WriteResult> {
  const { served } = request;
  const current = readCurrent(ctx, request);
  const input = {
    type, patch, apiVersion: served.apiVersion, kind: served.descriptor.kind,
    fieldManager: request.fieldManager, force: request.force, now: ctx.now(),
    schema: served.descriptor.builtin ? undefined : served.descriptor.schema,
  };
  if (!current) {
    if (type !== 'apply' || request.subresource) throw notFound(served.descriptor.group, served.descriptor.plural, request.name ?? '');
    const created = checkTypeMeta(served, applyPatch(undefined, input));
    const createdMeta = metaOf(created);
    if (createdMeta.name !== undefined && createdMeta.name !== request.name) {
      throw badRequest(`the name of the object (${String(createdMeta.name)}) does not match the name on the URL (${request.name ?? ''})`);
    }
    createdMeta.name = request.name;
    return createObject(ctx, { ...request, applied: true }, created, true);
  }
  const patched = applyPatch(served.fromStorage(current), input);
  return storeUpdate(ctx, { ...request, applied: type === 'apply' }, patched, current);
}
