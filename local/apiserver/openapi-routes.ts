/**
 * The OpenAPI documents kubectl reads (`/openapi/v3` for explain and for its field
 * validation support check, `/openapi/v2`), built from the served resources (pure).
 */
import type { ServerContext } from './context.ts';
import { buildOpenApiV2, buildOpenApiV3GroupVersion, buildOpenApiV3Root } from './openapi/build.ts';
import type { Route } from './router.ts';
import { ApiError } from './status.ts';
import type { JsonObject } from './types.ts';

/**
 * acceptsJson tells whether an Accept header allows plain JSON: `application/json`
 * without an `as=` (aggregated discovery, Table) parameter, or a wildcard.
 */
export function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const [type, ...params] = part.split(';').map((piece) => piece.trim());
    if (type === '*/*' || type === 'application/*') return true;
    return type === 'application/json' && !params.some((param) => param.startsWith('as='));
  });
}

/**
 * openApiDocument returns the OpenAPI document a route names, or undefined. The documents
 * are served as JSON only: a client asking for protobuf alone gets 406 and falls back.
 */
export function openApiDocument(ctx: ServerContext, route: Route, accept: string | undefined): JsonObject | undefined {
  if (route.type !== 'openapiV2' && route.type !== 'openapiV3Root' && route.type !== 'openapiV3') return undefined;
  if (!acceptsJson(accept)) throw new ApiError(406, 'NotAcceptable', `only the following media types are accepted: application/json`);
  const descriptors = ctx.registry.all().map((served) => served.descriptor);
  if (route.type === 'openapiV2') return buildOpenApiV2(descriptors);
  if (route.type === 'openapiV3Root') return buildOpenApiV3Root(descriptors);
  if (!descriptors.some((descriptor) => descriptor.group === route.group && descriptor.version === route.version)) return undefined;
  return buildOpenApiV3GroupVersion(route.group, route.version, descriptors);
}
