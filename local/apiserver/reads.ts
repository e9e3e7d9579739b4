/**
 * Reads: get, list (selectors, limit/continue, Table answers) and watch setup (side
 * effects: none besides the watch stream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerContext } from './context.ts';
import type { ServedResource } from './registry.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, notFound } from './status.ts';
import { buildTable, parseIncludeObject, wantsTable } from './table.ts';
import type { JsonObject } from './types.ts';
import { serveWatch } from './watch.ts';

/** ReadRequest is the target of a read. */
export interface ReadRequest {
  served: ServedResource;
  namespace: string | undefined;
  name: string | undefined;
  query: URLSearchParams;
  accept: string | undefined;
}

function tableOrObjects(ctx: ServerContext, request: ReadRequest, objects: JsonObject[], resourceVersion: string): JsonObject | undefined {
  if (!wantsTable(request.accept)) return undefined;
  const version = request.accept?.includes('v=v1;') || request.accept?.includes('v=v1,') || request.accept?.endsWith('v=v1') ? 'v1' : 'v1beta1';
  return buildTable(request.served, objects, {
    include: parseIncludeObject(request.query.get('includeObject')),
    resourceVersion,
    now: ctx.now(),
    apiVersion: `meta.k8s.io/${version === 'v1' ? 'v1' : 'v1beta1'}`,
  });
}

/** getObject answers GET of one object (or a Table of it). */
export function getObject(ctx: ServerContext, request: ReadRequest): JsonObject {
  const { served } = request;
  const namespace = served.descriptor.namespaced ? request.namespace ?? '' : '';
  const stored = ctx.store.get(served.storageKey, namespace, request.name ?? '');
  if (!stored) throw notFound(served.descriptor.group, served.descriptor.plural, request.name ?? '');
  const object = served.fromStorage(stored);
  const meta = object.metadata as JsonObject;
  return tableOrObjects(ctx, request, [object], String(meta.resourceVersion)) ?? object;
}

/** matcherOf builds the namespace + label + field predicate of a list or watch (400 on bad selectors). */
export function matcherOf(request: ReadRequest): (object: JsonObject) => boolean {
  const labels = parseLabelSelector(request.query.get('labelSelector'));
  const fields = parseFieldSelector(request.query.get('fieldSelector'));
  const namespace = request.served.descriptor.namespaced ? request.namespace : undefined;
  return (object) => {
    if (namespace !== undefined && (object.metadata as JsonObject | undefined)?.namespace !== namespace) return false;
    return labels(object) && fields(object);
  };
}

interface ContinueToken { rv: number; offset: number }

function readContinue(token: string | null): ContinueToken | undefined {
  if (!token) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof parsed.offset === 'number' && typeof parsed.rv === 'number') return parsed;
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** listObjects answers GET of a collection: a <Kind>List (or a Table), with limit and continue. */
export function listObjects(ctx: ServerContext, request: ReadRequest): JsonObject {
  const { served } = request;
  const matches = matcherOf(request);
  const namespace = served.descriptor.namespaced ? request.namespace : undefined;
  const all = ctx.store.list(served.storageKey, namespace).filter(matches).map((object) => served.fromStorage(object));
  const limit = Number(request.query.get('limit') ?? 0);
  const start = readContinue(request.query.get('continue'));
  const offset = start?.offset ?? 0;
  const resourceVersion = String(start?.rv ?? ctx.store.revision);
  const page = limit > 0 ? all.slice(offset, offset + limit) : all.slice(offset);
  const metadata: JsonObject = { resourceVersion };
  if (limit > 0 && offset + limit < all.length) {
    metadata.continue = Buffer.from(JSON.stringify({ rv: Number(resourceVersion), offset: offset + limit })).toString('base64url');
    metadata.remainingItemCount = all.length - offset - limit;
  }
  const table = tableOrObjects(ctx, request, page, resourceVersion);
  if (table) {
    (table.metadata as JsonObject).continue = metadata.continue;
    return table;
  }
  return { kind: served.descriptor.listKind, apiVersion: served.apiVersion, metadata, items: page };
}

function parseWatchVersion(value: string | null): number | undefined {
  if (value === null || value === '' || value === '0') return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw badRequest(`resourceVersion: Invalid value: "${value}": must be an integer`);
  return parsed;
}

/** watchObjects streams changes of a collection (or one named object) until timeout or disconnect. */
export function watchObjects(ctx: ServerContext, request: ReadRequest, incoming: IncomingMessage, response: ServerResponse): void {
  const { served } = request;
  const base = matcherOf(request);
  const matches = request.name === undefined ? base : (object: JsonObject) => base(object) && (object.metadata as JsonObject | undefined)?.name === request.name;
  const resourceVersion = parseWatchVersion(request.query.get('resourceVersion'));
  const namespace = served.descriptor.namespaced ? request.namespace : undefined;
  const timeout = Number(request.query.get('timeoutSeconds') ?? 1800);
  serveWatch(ctx.store, ctx.hub, {
    storageKey: served.storageKey,
    matches,
    // `kubectl get -w` asks for Tables: each event then carries a one-row Table.
    render: (object) => tableOrObjects(ctx, request, [served.fromStorage(object)], String((object.metadata as JsonObject | undefined)?.resourceVersion ?? '')) ?? served.fromStorage(object),
    initial: resourceVersion === undefined ? ctx.store.list(served.storageKey, namespace).filter(matches) : undefined,
    resourceVersion,
    bookmarks: request.query.get('allowWatchBookmarks') === 'true',
    bookmarkIntervalMs: ctx.bookmarkIntervalMs,
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : 1800,
    apiVersion: served.apiVersion,
    kind: served.descriptor.kind,
  }, response);
  incoming.on('close', () => response.end());
}
