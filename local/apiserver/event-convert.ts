/**
 * Conversion between events.k8s.io/v1 Event and core/v1 Event, which share one storage
 * (core/v1 form) so that `kubectl describe` finds the Events a controller wrote with either
 * API (pure).
 */
import type { JsonObject } from './types.ts';

/** RENAMES maps events.k8s.io/v1 field names to their core/v1 names. */
const RENAMES: Array<[string, string]> = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
  ['reportingController', 'reportingComponent'],
];

function renamed(object: JsonObject, pairs: Array<[string, string]>, apiVersion: string): JsonObject {
  const result: JsonObject = { ...object, apiVersion };
  for (const [from, to] of pairs) {
    if (from in result) {
      result[to] = result[from];
      delete result[from];
    }
  }
  return result;
}

/** eventToCore converts an events.k8s.io/v1 Event into the core/v1 storage form (pure). */
export function eventToCore(object: JsonObject): JsonObject {
  return renamed(object, RENAMES, 'v1');
}

/** eventFromCore converts a stored core/v1 Event into events.k8s.io/v1 (pure). */
export function eventFromCore(object: JsonObject): JsonObject {
  return renamed(object, RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1');
}
