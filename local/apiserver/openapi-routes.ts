/**
 * The OpenAPI documents kubectl reads (`/openapi/v3` for explain and for field validation
 * support, `/openapi/v2`), built from the served resources (pure).
 */
import type { ServerContext } from './context.ts';
import type { Route } from './router.ts';
import type { JsonObject } from './types.ts';

/** openApiDocument returns the OpenAPI document a route names, or undefined. */
export function openApiDocument(_ctx: ServerContext, _route: Route, _accept: string | undefined): JsonObject | undefined {
  return undefined;
}
