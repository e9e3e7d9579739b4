/**
 * Reading and decoding request bodies: the 3 MiB limit, the accepted media types for
 * writes and for each patch type, and JSON/YAML decoding with kube-apiserver's messages.
 */
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { decodeProtobufObject, PROTOBUF_MEDIA_TYPE } from './protobuf.ts';
import { ApiError, badRequest } from './status.ts';

/** MAX_BODY_BYTES is kube-apiserver's request body limit (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** PatchType is a supported PATCH media type. */
export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

/** readBody reads the whole request body (side effect: consumes the stream); 413 over the limit. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    request.resume();
    throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      request.resume();
      throw new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${MAX_BODY_BYTES}`);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** mediaType returns the lower-cased media type of a Content-Type header, without parameters. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** patchTypeOf maps a PATCH Content-Type to its patch type; 415 for others (strategic only for built-ins). */
export function patchTypeOf(header: string | undefined, allowStrategic: boolean): PatchType {
  const type = PATCH_TYPES[mediaType(header)];
  if (type && (type !== 'strategic' || allowStrategic)) return type;
  const accepted = Object.keys(PATCH_TYPES).filter((key) => allowStrategic || PATCH_TYPES[key] !== 'strategic');
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/** decodeObjectBody decodes a POST/PUT body (JSON, YAML, or protobuf for a few simple kinds); 415 for other media types, 400 when malformed. */
export function decodeObjectBody(header: string | undefined, body: Buffer): unknown {
  const type = mediaType(header);
  if (type === 'application/json' || type === '') return decodeJson(body);
  if (type === 'application/yaml') return decodeYaml(body);
  if (type === PROTOBUF_MEDIA_TYPE) return decodeProtobufObject(body);
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`);
}

/** decodeJson parses JSON; 400 BadRequest with the parser's message when malformed. */
export function decodeJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
}

/** decodeYaml parses YAML (a superset of JSON); 400 BadRequest when malformed. */
export function decodeYaml(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'), { uniqueKeys: true }) as unknown;
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message.split('\n')[0] ?? ''}`);
  }
}
