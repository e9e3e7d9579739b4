/**
 * Watches: a bounded history of store changes (so a watch can resume from a
 * resourceVersion, and gets 410 Expired when that version is too old) and the streaming
 * HTTP answer (one JSON event per line, bookmarks, timeoutSeconds).
 */
import type { ServerResponse } from 'node:http';
import { gone } from './status.ts';
import type { ResourceStore, StoreEvent } from './store.ts';
import type { JsonObject } from './types.ts';

/** KeptEvent is a store event kept as JSON text: old object versions cost a fraction of their parsed size. */
interface KeptEvent {
  type: StoreEvent['type'];
  storageKey: string;
  resourceVersion: number;
  json: string;
}

/** WatchHub keeps the newest `capacity` store events in memory (side effect: subscribes to the store). */
export class WatchHub {
  private readonly events: KeptEvent[] = [];
  private readonly capacity: number;
  /** compactedRevision: a watch may resume from any resourceVersion ≥ this one. */
  private compactedRevision: number;
  private readonly unsubscribe: () => void;

  constructor(store: ResourceStore, capacity: number) {
    this.capacity = capacity;
    this.compactedRevision = store.startRevision;
    this.unsubscribe = store.subscribe((event) => this.record(event));
  }

  /** eventsAfter returns the kept events after a resourceVersion; throws a 410 ApiError when they were dropped. */
  eventsAfter(resourceVersion: number): StoreEvent[] {
    if (resourceVersion < this.compactedRevision) throw gone(resourceVersion, this.compactedRevision);
    const start = this.events.findIndex((event) => event.resourceVersion > resourceVersion);
    if (start < 0) return [];
    return this.events.slice(start).map((event) => ({
      type: event.type, storageKey: event.storageKey, resourceVersion: event.resourceVersion, object: JSON.parse(event.json) as JsonObject,
    }));
  }

  /** close stops recording. */
  close(): void {
    this.unsubscribe();
  }

  private record(event: StoreEvent): void {
    this.events.push({ type: event.type, storageKey: event.storageKey, resourceVersion: event.resourceVersion, json: JSON.stringify(event.object) });
    if (this.events.length > this.capacity * 1.25) {
      const dropped = this.events.splice(0, this.events.length - this.capacity);
      const last = dropped[dropped.length - 1];
      if (last) this.compactedRevision = last.resourceVersion;
    }
  }
}

/** WatchRequest is what one watch stream sends. */
export interface WatchRequest {
  storageKey: string;
  /** matches tells whether a stored object belongs to this watch (namespace, selectors). */
  matches(object: JsonObject): boolean;
  /** render turns a stored object into what the client receives (version conversion). */
  render(object: JsonObject): JsonObject;
  /** initial are the objects sent as ADDED first (no resourceVersion, or "0"). */
  initial: JsonObject[] | undefined;
  resourceVersion: number | undefined;
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutSeconds: number;
  apiVersion: string;
  kind: string;
}

/** serveWatch streams watch events on an HTTP response until timeout or disconnect (side effects: network). */
export function serveWatch(store: ResourceStore, hub: WatchHub, request: WatchRequest, response: ServerResponse): void {
  response.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  response.flushHeaders();
  const send = (type: string, object: JsonObject): void => {
    response.write(`${JSON.stringify({ type, object })}\n`);
  };
  let lastSent = request.resourceVersion ?? store.revision;
  // Objects this watch has shown: one that stops matching its selectors leaves as DELETED,
  // one that starts matching arrives as ADDED, like the real server's filtered watches.
  const shown = new Set<string>();
  const keyOf = (object: JsonObject): string => {
    const meta = (object.metadata ?? {}) as JsonObject;
    return `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
  };
  const deliver = (event: StoreEvent): void => {
    if (event.storageKey !== request.storageKey || event.resourceVersion <= lastSent) return;
    lastSent = event.resourceVersion;
    const key = keyOf(event.object);
    const matches = request.matches(event.object);
    if (event.type === 'DELETED') {
      if (matches || shown.has(key)) send('DELETED', request.render(event.object));
      shown.delete(key);
    } else if (matches) {
      send(event.type === 'MODIFIED' && !shown.has(key) && request.initial ? 'ADDED' : event.type, request.render(event.object));
      shown.add(key);
    } else if (shown.has(key)) {
      send('DELETED', request.render(event.object));
      shown.delete(key);
    }
  };
  if (request.initial) {
    for (const object of request.initial) {
      shown.add(keyOf(object));
      send('ADDED', request.render(object));
    }
  } else if (request.resourceVersion !== undefined) {
    try {
      for (const event of hub.eventsAfter(request.resourceVersion)) deliver(event);
    } catch (error) {
      const status = error instanceof Error && 'toStatus' in error ? (error as { toStatus(): JsonObject }).toStatus() : {};
      send('ERROR', status);
      response.end();
      return;
    }
  }
  const unsubscribe = store.subscribe(deliver);
  const bookmark = request.bookmarks
    ? setInterval(() => send('BOOKMARK', { kind: request.kind, apiVersion: request.apiVersion, metadata: { resourceVersion: String(store.revision) } }), request.bookmarkIntervalMs)
    : undefined;
  const timeout = setTimeout(() => response.end(), request.timeoutSeconds * 1000);
  const stop = (): void => {
    unsubscribe();
    if (bookmark) clearInterval(bookmark);
    clearTimeout(timeout);
  };
  response.on('close', stop);
  response.on('finish', stop);
}
