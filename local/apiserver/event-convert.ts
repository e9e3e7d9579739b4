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

/** microTime renders a metav1.MicroTime as the server does (six fractional digits); Go clients reject other widths. */
function microTime(value: unknown): unknown {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return value;
  const fraction = /\.(\d+)Z$/.exec(value)?.[1] ?? '';
  return value.replace(/(\.\d+)?Z$/, `.${fraction.padEnd(6, '0').slice(0, 6)}Z`);
}

/** secondsTime renders a metav1.Time as the server does (whole seconds). */
function secondsTime(value: unknown): unknown {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) return value;
  return value.replace(/\.\d+Z$/, 'Z');
}

/** normalizeEventTimes rewrites an Event's timestamps in the widths the real server stores (pure). */
export function normalizeEventTimes(object: JsonObject): JsonObject {
  const result: JsonObject = { ...object };
  if (result.eventTime !== undefined && result.eventTime !== null) result.eventTime = microTime(result.eventTime);
  for (const key of ['firstTimestamp', 'lastTimestamp']) {
    if (result[key] !== undefined && result[key] !== null) result[key] = secondsTime(result[key]);
  }
  const series = result.series;
  if (typeof series === 'object' && series !== null && !Array.isArray(series)) {
    result.series = { ...series, lastObservedTime: microTime((series as JsonObject).lastObservedTime) };
  }
  return result;
}

/** coreEventToStorage stores a core/v1 Event with normalized timestamps (pure). */
export function coreEventToStorage(object: JsonObject): JsonObject {
  return normalizeEventTimes({ ...object, apiVersion: 'v1' });
}

/** eventToCore converts an events.k8s.io/v1 Event into the core/v1 storage form (pure). */
export function eventToCore(object: JsonObject): JsonObject {
  return normalizeEventTimes(renamed(object, RENAMES, 'v1'));
}

/** eventFromCore converts a stored core/v1 Event into events.k8s.io/v1 (pure). */
export function eventFromCore(object: JsonObject): JsonObject {
  return renamed(object, RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1');
}
