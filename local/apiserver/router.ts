/**
 * Request paths: which document or resource a URL path names (pure).
 */
import type { Registry, ServedResource } from './registry.ts';

/** Route is what a request path names. */
export type Route =
  | { type: 'version' }
  | { type: 'api' }
  | { type: 'apis' }
  | { type: 'group'; group: string }
  | { type: 'resourceList'; group: string; version: string }
  | { type: 'openapiV2' }
  | { type: 'openapiV3Root' }
  | { type: 'openapiV3'; group: string; version: string }
  | { type: 'health' }
  | { type: 'resource'; served: ServedResource; namespace: string | undefined; name: string | undefined; subresource: string | undefined }
  | { type: 'unknown' };

function resourceRoute(registry: Registry, group: string, version: string, segments: string[]): Route {
  let namespace: string | undefined;
  let rest = segments;
  if (rest[0] === 'namespaces' && rest.length >= 3 && registry.find(group, version, rest[2] ?? '')?.descriptor.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  if (!plural || extra.length > 0) return { type: 'unknown' };
  const served = registry.find(group, version, plural);
  if (!served) return { type: 'unknown' };
  if (namespace !== undefined && !served.descriptor.namespaced) return { type: 'unknown' };
  if (subresource !== undefined && !(subresource === 'status' && served.descriptor.subresources.status)) return { type: 'unknown' };
  return { type: 'resource', served, namespace, name, subresource };
}

/** routeOf maps a URL path to a route. */
export function routeOf(registry: Registry, pathname: string): Route {
  const segments = pathname.split('/').filter((segment) => segment !== '').map(decodeURIComponent);
  const [first, second, third, ...rest] = segments;
  if (first === 'version' && segments.length === 1) return { type: 'version' };
  if ((first === 'healthz' || first === 'livez' || first === 'readyz') && segments.length === 1) return { type: 'health' };
  if (first === 'openapi') {
    if (second === 'v2' && segments.length === 2) return { type: 'openapiV2' };
    if (second === 'v3' && segments.length === 2) return { type: 'openapiV3Root' };
    if (second === 'v3' && third === 'api' && rest.length === 1) return { type: 'openapiV3', group: '', version: rest[0] ?? '' };
    if (second === 'v3' && third === 'apis' && rest.length === 2) return { type: 'openapiV3', group: rest[0] ?? '', version: rest[1] ?? '' };
    return { type: 'unknown' };
  }
  if (first === 'api') {
    if (second === undefined) return { type: 'api' };
    if (second !== 'v1') return { type: 'unknown' };
    if (third === undefined) return { type: 'resourceList', group: '', version: 'v1' };
    return resourceRoute(registry, '', 'v1', segments.slice(2));
  }
  if (first === 'apis') {
    if (second === undefined) return { type: 'apis' };
    if (third === undefined) return { type: 'group', group: second };
    if (rest.length === 0) return { type: 'resourceList', group: second, version: third };
    return resourceRoute(registry, second, third, rest);
  }
  return { type: 'unknown' };
}
