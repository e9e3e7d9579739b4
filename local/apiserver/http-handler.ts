/**
 * The HTTP front: routes each request to discovery, OpenAPI, reads, writes or deletes and
 * answers JSON, with every failure as a metav1.Status (side effects: the response).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseFieldValidation } from './admit.ts';
import { decodeJson, decodeObjectBody, decodeYaml, patchTypeOf, readBody } from './body.ts';
import type { ServerContext } from './context.ts';
import { deleteCollection, deleteObject, parseDeleteOptions } from './delete.ts';
import { buildApiGroup, buildApiGroupList, buildApiResourceList, buildApiVersions, SERVER_VERSION } from './discovery.ts';
import { acceptsJson, openApiDocument } from './openapi-routes.ts';
import { getObject, listObjects, matcherOf, watchObjects, type ReadRequest } from './reads.ts';
import { routeOf, type Route } from './router.ts';
import { ApiError, internalError, methodNotAllowed } from './status.ts';
import type { JsonObject } from './types.ts';
import { createObject, patchObject, updateObject, type WriteRequest } from './writes.ts';

const NOT_FOUND = new ApiError(404, 'NotFound', 'the server could not find the requested resource', {
  causes: [{ reason: 'UnexpectedServerResponse', message: '404 page not found', field: '' }],
});

/** sendJson writes a JSON answer with optional Warning headers (side effect). */
export function sendJson(response: ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: Record<string, string | string[]> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) };
  if (warnings.length > 0) headers.Warning = warnings.map((warning) => `299 - ${JSON.stringify(warning)}`);
  response.writeHead(code, headers);
  response.end(text);
}

function discovery(ctx: ServerContext, route: Route): JsonObject | undefined {
  switch (route.type) {
    case 'version': return SERVER_VERSION;
    case 'api': return buildApiVersions(ctx.serverAddress);
    case 'apis': return buildApiGroupList(ctx.registry);
    case 'group': return buildApiGroup(ctx.registry, route.group);
    case 'resourceList': return buildApiResourceList(ctx.registry, route.group, route.version);
    default: return undefined;
  }
}

function writeRequest(route: Extract<Route, { type: 'resource' }>, query: URLSearchParams, userAgent: string | undefined): WriteRequest {
  return {
    served: route.served,
    namespace: route.namespace,
    name: route.name,
    subresource: route.subresource,
    dryRun: query.getAll('dryRun').includes('All'),
    fieldValidation: parseFieldValidation(query.get('fieldValidation')),
    fieldManager: query.get('fieldManager') ?? undefined,
    force: query.get('force') === 'true',
    userAgent: userAgent ?? '',
  };
}

async function handleResource(ctx: ServerContext, route: Extract<Route, { type: 'resource' }>, request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
  const method = request.method ?? 'GET';
  const read: ReadRequest = { served: route.served, namespace: route.namespace, name: route.name, query, accept: request.headers.accept };
  const isWatch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (method === 'GET' && isWatch) {
    watchObjects(ctx, read, request, response);
    return;
  }
  if (method === 'GET') {
    sendJson(response, 200, route.name === undefined ? listObjects(ctx, read) : getObject(ctx, read));
    return;
  }
  if (method === 'POST' && route.name === undefined) {
    const body = decodeObjectBody(request.headers['content-type'], await readBody(request));
    const result = await createObject(ctx, writeRequest(route, query, request.headers['user-agent']), body);
    sendJson(response, result.code, result.object, result.warnings);
    return;
  }
  if (method === 'PUT' && route.name !== undefined) {
    const body = decodeObjectBody(request.headers['content-type'], await readBody(request));
    const result = await updateObject(ctx, writeRequest(route, query, request.headers['user-agent']), body);
    sendJson(response, result.code, result.object, result.warnings);
    return;
  }
  if (method === 'PATCH' && route.name !== undefined) {
    const type = patchTypeOf(request.headers['content-type'], route.served.descriptor.builtin);
    const raw = await readBody(request);
    const patch = type === 'apply' ? decodeYaml(raw) : decodeJson(raw);
    const result = await patchObject(ctx, writeRequest(route, query, request.headers['user-agent']), type, patch);
    sendJson(response, result.code, result.object, result.warnings);
    return;
  }
  if (method === 'DELETE' && route.subresource === undefined) {
    const raw = await readBody(request);
    const options = parseDeleteOptions(raw.length > 0 ? decodeJson(raw) : undefined, query);
    const namespace = route.served.descriptor.namespaced ? route.namespace ?? '' : '';
    if (route.name === undefined) {
      const items = deleteCollection(ctx, { served: route.served, namespace, ...options }, matcherOf(read));
      sendJson(response, 200, { kind: route.served.descriptor.listKind, apiVersion: route.served.apiVersion, metadata: { resourceVersion: String(ctx.store.revision) }, items });
      return;
    }
    const result = deleteObject(ctx, { served: route.served, namespace, name: route.name, ...options });
    sendJson(response, result.code, result.body);
    return;
  }
  throw methodNotAllowed();
}

/** handleRequest answers one HTTP request (side effects: store writes, the response). */
export async function handleRequest(ctx: ServerContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (ctx.logger.isLevelEnabled('debug')) {
    const started = performance.now();
    response.once('finish', () => {
      ctx.logger.debug({ method: request.method, path: url.pathname, query: url.search, status: response.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
  }
  try {
    const route = routeOf(ctx.registry, url.pathname);
    if (route.type === 'health') {
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return;
    }
    if (route.type === 'resource') {
      await handleResource(ctx, route, request, response, url.searchParams);
      return;
    }
    if (route.type === 'unknown') throw NOT_FOUND;
    if (request.method !== 'GET') throw methodNotAllowed();
    const found = discovery(ctx, route);
    // Aggregated discovery is not served: clients that also accept plain JSON fall back to it.
    if (found && !acceptsJson(request.headers.accept)) throw new ApiError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
    const document = found ?? openApiDocument(ctx, route, request.headers.accept);
    if (!document) throw NOT_FOUND;
    sendJson(response, 200, document);
  } catch (error) {
    const apiError = error instanceof ApiError ? error : internalError((error as Error).message);
    if (!(error instanceof ApiError)) ctx.logger.error({ err: error, method: request.method, path: url.pathname }, 'request failed');
    if (response.headersSent) {
      response.end();
      return;
    }
    if (!request.readableEnded) request.resume();
    sendJson(response, apiError.code, apiError.toStatus());
  }
}
