/**
 * The object store: every stored object by storage key (`group/plural`), namespace and
 * name, one monotonically increasing resourceVersion counter, change listeners, and, when
 * given a folder, persistence as a snapshot plus an append-only log replayed on open.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JsonObject } from './types.ts';

/** StoreEventType is the watch event type a store change produces. */
export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** StoreEvent is one change of the store, in storage form. */
export interface StoreEvent {
  type: StoreEventType;
  storageKey: string;
  object: JsonObject;
  resourceVersion: number;
}

/** ObjectRef locates a stored object. */
export interface ObjectRef {
  storageKey: string;
  namespace: string;
  name: string;
}

interface LogLine { rv: number; k: string; o?: JsonObject; d?: string }

const SNAPSHOT = 'snapshot.json';
const LOG = 'changes.jsonl';
const COMPACT_AFTER = 20_000;

function metaOf(object: JsonObject): JsonObject {
  return (object.metadata as JsonObject | undefined) ?? {};
}

function slot(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** ResourceStore holds the objects; writes have side effects on disk when it has a folder. */
export class ResourceStore {
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly byUid = new Map<string, ObjectRef>();
  private readonly listeners = new Set<(event: StoreEvent) => void>();
  private readonly dataDir: string | undefined;
  private logFd: number | undefined;
  private logLines = 0;
  private revisionCounter = 0;
  /** startRevision is the revision the store had when it was opened (watch history starts here). */
  readonly startRevision: number;

  private constructor(dataDir: string | undefined) {
    this.dataDir = dataDir;
    if (dataDir) this.load(dataDir);
    this.startRevision = this.revisionCounter;
  }

  /** ResourceStore.open loads (or creates) the store in `dataDir`, or in memory without one. */
  static open(dataDir?: string): ResourceStore {
    return new ResourceStore(dataDir);
  }

  /** revision is the newest resourceVersion handed out. */
  get revision(): number {
    return this.revisionCounter;
  }

  /** get returns a copy of one object, or undefined. */
  get(storageKey: string, namespace: string, name: string): JsonObject | undefined {
    const found = this.objects.get(storageKey)?.get(slot(namespace, name));
    return found ? structuredClone(found) : undefined;
  }

  /** list returns copies of the objects of one storage key, in one namespace or all. */
  list(storageKey: string, namespace?: string): JsonObject[] {
    const bucket = this.objects.get(storageKey);
    if (!bucket) return [];
    const result: JsonObject[] = [];
    for (const [key, object] of bucket) {
      if (namespace !== undefined && !key.startsWith(`${namespace}/`)) continue;
      result.push(structuredClone(object));
    }
    return result.sort((a, b) => slotOf(a).localeCompare(slotOf(b)));
  }

  /** refs returns where every stored object is (for garbage collection and namespace deletion). */
  refs(): Array<ObjectRef & { object: JsonObject }> {
    const result: Array<ObjectRef & { object: JsonObject }> = [];
    for (const [storageKey, bucket] of this.objects) {
      for (const object of bucket.values()) {
        const meta = metaOf(object);
        result.push({ storageKey, namespace: String(meta.namespace ?? ''), name: String(meta.name ?? ''), object });
      }
    }
    return result;
  }

  /** hasUid tells whether an object with this uid is stored. */
  hasUid(uid: string): boolean {
    return this.byUid.has(uid);
  }

  /** put stores an object (side effect), assigning the next resourceVersion; returns a copy. */
  put(storageKey: string, object: JsonObject, type: 'ADDED' | 'MODIFIED'): JsonObject {
    const stored = structuredClone(object);
    const meta = metaOf(stored);
    this.revisionCounter += 1;
    meta.resourceVersion = String(this.revisionCounter);
    stored.metadata = meta;
    const namespace = String(meta.namespace ?? '');
    const name = String(meta.name ?? '');
    let bucket = this.objects.get(storageKey);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(storageKey, bucket);
    }
    bucket.set(slot(namespace, name), stored);
    if (typeof meta.uid === 'string') this.byUid.set(meta.uid, { storageKey, namespace, name });
    this.append({ rv: this.revisionCounter, k: storageKey, o: stored });
    this.emit({ type, storageKey, object: stored, resourceVersion: this.revisionCounter });
    return structuredClone(stored);
  }

  /** remove deletes an object (side effect); the DELETED event carries a new resourceVersion. */
  remove(storageKey: string, namespace: string, name: string): JsonObject | undefined {
    const bucket = this.objects.get(storageKey);
    const found = bucket?.get(slot(namespace, name));
    if (!bucket || !found) return undefined;
    bucket.delete(slot(namespace, name));
    const meta = metaOf(found);
    if (typeof meta.uid === 'string') this.byUid.delete(meta.uid);
    this.revisionCounter += 1;
    const deleted = structuredClone(found);
    metaOf(deleted).resourceVersion = String(this.revisionCounter);
    this.append({ rv: this.revisionCounter, k: storageKey, d: slot(namespace, name) });
    this.emit({ type: 'DELETED', storageKey, object: deleted, resourceVersion: this.revisionCounter });
    return structuredClone(deleted);
  }

  /** subscribe registers a change listener; returns the function that removes it. */
  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** close flushes and closes the log (side effect). */
  close(): void {
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    this.logFd = undefined;
  }

  private emit(event: StoreEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private append(line: LogLine): void {
    if (!this.dataDir || this.logFd === undefined) return;
    fs.writeSync(this.logFd, `${JSON.stringify(line)}\n`);
    this.logLines += 1;
    if (this.logLines >= COMPACT_AFTER) this.compact(this.dataDir);
  }

  private load(dataDir: string): void {
    fs.mkdirSync(dataDir, { recursive: true });
    const snapshotPath = path.join(dataDir, SNAPSHOT);
    if (fs.existsSync(snapshotPath)) {
      const snapshot = JSON.parse(fs.readFileSync(snapshotPath, 'utf8')) as { revision: number; objects: Array<{ k: string; o: JsonObject }> };
      this.revisionCounter = snapshot.revision;
      for (const entry of snapshot.objects) this.restore(entry.k, entry.o);
    }
    const logPath = path.join(dataDir, LOG);
    if (fs.existsSync(logPath)) {
      for (const text of fs.readFileSync(logPath, 'utf8').split('\n')) {
        if (!text.trim()) continue;
        let line: LogLine;
        try {
          line = JSON.parse(text) as LogLine;
        } catch {
          break; // a torn last line from a crash: everything before it is intact
        }
        this.revisionCounter = Math.max(this.revisionCounter, line.rv);
        if (line.o) this.restore(line.k, line.o);
        else if (line.d) this.forget(line.k, line.d);
      }
    }
    this.compact(dataDir);
  }

  private restore(storageKey: string, object: JsonObject): void {
    const meta = metaOf(object);
    let bucket = this.objects.get(storageKey);
    if (!bucket) {
      bucket = new Map();
      this.objects.set(storageKey, bucket);
    }
    const namespace = String(meta.namespace ?? '');
    const name = String(meta.name ?? '');
    bucket.set(slot(namespace, name), object);
    if (typeof meta.uid === 'string') this.byUid.set(meta.uid, { storageKey, namespace, name });
  }

  private forget(storageKey: string, key: string): void {
    const found = this.objects.get(storageKey)?.get(key);
    if (!found) return;
    const uid = metaOf(found).uid;
    if (typeof uid === 'string') this.byUid.delete(uid);
    this.objects.get(storageKey)?.delete(key);
  }

  /** compact writes a fresh snapshot atomically and starts an empty log. */
  private compact(dataDir: string): void {
    if (this.logFd !== undefined) fs.closeSync(this.logFd);
    const objects = this.refs().map((ref) => ({ k: ref.storageKey, o: ref.object }));
    const temporary = path.join(dataDir, `${SNAPSHOT}.tmp`);
    fs.writeFileSync(temporary, JSON.stringify({ revision: this.revisionCounter, objects }));
    fs.renameSync(temporary, path.join(dataDir, SNAPSHOT));
    this.logFd = fs.openSync(path.join(dataDir, LOG), 'w');
    this.logLines = 0;
  }
}

function slotOf(object: JsonObject): string {
  const meta = metaOf(object);
  return slot(String(meta.namespace ?? ''), String(meta.name ?? ''));
}
