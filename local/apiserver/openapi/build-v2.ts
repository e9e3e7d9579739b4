/**
 * The Swagger 2.0 document (`/openapi/v2`, JSON), derived from the v3 group/version
 * documents. kubectl asks for it as protobuf only when the v3 documents fail it, so the
 * server may answer that Accept with 406 and kubectl falls back to its compiled-in types.
 */
import type { JsonObject, ResourceDescriptor } from '../types.ts';
import { buildOpenApiV3GroupVersion } from './build.ts';

function toV2Schema(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toV2Schema);
  if (typeof value !== 'object' || value === null) return value;
  const result: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (key === 'nullable') continue;
    if (key === '$ref' && typeof member === 'string') result[key] = member.replace('#/components/schemas/', '#/definitions/');
    else result[key] = toV2Schema(member);
  }
  return result;
}

function toV2Operation(operation: JsonObject): JsonObject {
  const { requestBody, responses, parameters, ...rest } = operation;
  const params = Array.isArray(parameters) ? parameters.map(toV2Parameter) : [];
  let consumes: string[] = ['*/*'];
  if (typeof requestBody === 'object' && requestBody !== null) {
    const bodyContent = (requestBody as JsonObject).content as Record<string, JsonObject>;
    consumes = Object.keys(bodyContent);
    const first = Object.values(bodyContent)[0];
    params.push({ name: 'body', in: 'body', required: true, schema: toV2Schema(first?.schema) });
  }
  const v2Responses: JsonObject = {};
  for (const [code, response] of Object.entries((responses ?? {}) as Record<string, JsonObject>)) {
    const responseContent = response.content as Record<string, JsonObject> | undefined;
    const schema = responseContent === undefined ? undefined : Object.values(responseContent)[0]?.schema;
    v2Responses[code] = schema === undefined ? { description: response.description } : { description: response.description, schema: toV2Schema(schema) };
  }
  return { ...rest, consumes, produces: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'], schemes: ['https'], parameters: params, responses: v2Responses };
}

function toV2Parameter(parameter: unknown): JsonObject {
  const { schema, ...rest } = parameter as JsonObject;
  const type = (schema as JsonObject | undefined)?.type ?? 'string';
  return { ...rest, type, uniqueItems: true };
}

/**
 * buildOpenApiV2 returns the Swagger 2.0 document of every served resource, with
 * `definitions` named like the v3 component schemas; pure.
 */
export function buildOpenApiV2(resources: ResourceDescriptor[]): JsonObject {
  const definitions: JsonObject = {};
  const paths: JsonObject = {};
  const seen = new Set<string>();
  for (const { group, version } of resources) {
    const key = `${group}/${version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const document = buildOpenApiV3GroupVersion(group, version, resources);
    const components = (document.components as JsonObject).schemas as JsonObject;
    for (const [name, schema] of Object.entries(components)) definitions[name] = toV2Schema(schema);
    for (const [path, item] of Object.entries(document.paths as Record<string, JsonObject>)) {
      const converted: JsonObject = {};
      for (const [method, operation] of Object.entries(item)) {
        converted[method] = method === 'parameters' ? (operation as unknown[]).map(toV2Parameter) : toV2Operation(operation as JsonObject);
      }
      paths[path] = converted;
    }
  }
  return { swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, definitions, securityDefinitions: { BearerToken: { type: 'apiKey', name: 'authorization', in: 'header' } } };
}
