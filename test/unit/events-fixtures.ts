/** Loads event fixtures from test/fixtures/event-*.json for the events-* unit tests. */
import fs from 'node:fs';
import path from 'node:path';

/** readEventFixture returns a fixture's parsed JSON. */
export function readEventFixture(name: string): Record<string, unknown> {
  const file = path.join(import.meta.dirname, '..', 'fixtures', `event-${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/** asBinary renders a structured CloudEvent fixture as binary-mode headers and body (what Knative sends). */
export function asBinary(event: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  const headers: Record<string, string> = { 'content-type': String(event.datacontenttype ?? 'application/json') };
  for (const [key, value] of Object.entries(event)) {
    if (key === 'data' || key === 'datacontenttype') continue;
    headers[`ce-${key}`] = String(value);
  }
  return { headers, body: event.data === undefined ? '' : JSON.stringify(event.data) };
}

/** asStructured renders a structured CloudEvent fixture as a structured-mode request. */
export function asStructured(event: Record<string, unknown>): { headers: Record<string, string>; body: string } {
  return { headers: { 'content-type': 'application/cloudevents+json; charset=utf-8' }, body: JSON.stringify(event) };
}
