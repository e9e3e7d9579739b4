/**
 * parseCloudEvent reads a CloudEvent from an HTTP request in binary (`ce-*` headers) or
 * structured (`application/cloudevents+json`) mode with the cloudevents SDK, and decodes
 * JSON data that binary mode leaves as text. Pure: headers and body in, a value out.
 */
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { malformed, type Malformed } from './outcome.ts';

/** IncomingEvent is a parsed CloudEvent whose data is decoded JSON (or undefined when there is no body). */
export interface IncomingEvent {
  id: string;
  type: string;
  source: string;
  subject?: string;
  /** extensions are the attributes beyond the core ones (kind, name, namespace, apiversion, feathermantask …). */
  extensions: Record<string, string>;
  data: unknown;
}

/** HeaderMap is request headers as node's http module gives them. */
export type HeaderMap = Record<string, string | string[] | undefined>;

const CORE = new Set(['id', 'type', 'source', 'specversion', 'subject', 'time', 'datacontenttype', 'dataschema', 'data', 'data_base64']);

function flatHeaders(headers: HeaderMap): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

/** isCloudEventRequest reports whether headers announce a CloudEvent (binary or structured) (pure). */
export function isCloudEventRequest(headers: HeaderMap): boolean {
  const flat = flatHeaders(headers);
  return flat['ce-specversion'] !== undefined || (flat['content-type'] ?? '').toLowerCase().startsWith('application/cloudevents+json');
}

function decodeData(data: unknown, contentType: string | undefined): { ok: true; data: unknown } | { ok: false; message: string } {
  if (typeof data !== 'string') return { ok: true, data };
  const type = (contentType ?? 'application/json').toLowerCase();
  if (!type.includes('json')) return { ok: true, data };
  if (data.trim() === '') return { ok: true, data: undefined };
  try {
    return { ok: true, data: JSON.parse(data) as unknown };
  } catch (error) {
    return { ok: false, message: `CloudEvent data is not valid JSON (${(error as Error).message})` };
  }
}

/**
 * parseCloudEvent parses a request into an IncomingEvent, or Malformed with one sentence
 * saying why (missing attributes, invalid JSON) (pure; never throws).
 */
export function parseCloudEvent(headers: HeaderMap, body: string): IncomingEvent | Malformed {
  const flat = flatHeaders(headers);
  let event: CloudEventV1<unknown>;
  try {
    const parsed = HTTP.toEvent({ headers: flat, body });
    if (Array.isArray(parsed)) return malformed('a batch of CloudEvents is not accepted; send one event per request');
    event = parsed as CloudEventV1<unknown>;
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return malformed(`the request is not a valid CloudEvent: ${detail}`);
  }
  const decoded = decodeData(event.data, event.datacontenttype);
  if (!decoded.ok) return malformed(decoded.message);
  const extensions: Record<string, string> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!CORE.has(key) && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) extensions[key] = String(value);
  }
  return {
    id: event.id,
    type: event.type,
    source: event.source,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    extensions,
    data: decoded.data,
  };
}
