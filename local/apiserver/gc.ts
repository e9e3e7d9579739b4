/**
 * The controllers the real control plane runs that the local server needs: the garbage
 * collector (owner references, background and foreground deletion), the namespace
 * deleter and CRD cleanup. They react to store changes on the next tick (side effects: the store).
 */
import { metaOf } from './admit.ts';
import type { ServerContext } from './context.ts';
import { deleteObject, FOREGROUND_FINALIZER, finishDeletionIfReady } from './delete.ts';
import type { ObjectRef, StoreEvent } from './store.ts';
import { ApiError } from './status.ts';
import type { JsonObject } from './types.ts';
import { CRD_STORAGE_KEY } from './writes.ts';

function ownerUids(object: JsonObject): string[] {
  const owners = metaOf(object).ownerReferences;
  return Array.isArray(owners) ? owners.map((owner: JsonObject) => String(owner.uid ?? '')) : [];
}

function finalizers(object: JsonObject): string[] {
  const list = metaOf(object).finalizers;
  return Array.isArray(list) ? list.map(String) : [];
}

/** GarbageCollector reacts to deletions; start() subscribes it to the store. */
export class GarbageCollector {
  private readonly ctx: ServerContext;
  private pending: StoreEvent[] = [];
  private scheduled = false;
  private unsubscribe: (() => void) | undefined;

  constructor(ctx: ServerContext) {
    this.ctx = ctx;
  }

  /** start subscribes to the store and sweeps what a previous run left behind (side effects). */
  start(): void {
    this.unsubscribe = this.ctx.store.subscribe((event) => this.enqueue(event));
    this.sweep();
  }

  /** stop unsubscribes. */
  stop(): void {
    this.unsubscribe?.();
  }

  /** sweep deletes orphaned dependents and advances pending foreground and namespace deletions. */
  sweep(): void {
    for (const ref of this.ctx.store.refs()) {
      const owners = ownerUids(ref.object);
      if (owners.length > 0 && owners.every((uid) => !this.ctx.store.hasUid(uid))) this.deleteRef(ref);
      if (metaOf(ref.object).deletionTimestamp) this.advance(ref);
    }
  }

  private enqueue(event: StoreEvent): void {
    if (event.type === 'ADDED' && ownerUids(event.object).length === 0) return;
    this.pending.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    const events = this.pending;
    this.pending = [];
    for (const event of events) {
      try {
        this.handle(event);
      } catch (error) {
        this.ctx.logger.error({ err: error, resource: event.storageKey }, 'garbage collection step failed');
      }
    }
  }

  private handle(event: StoreEvent): void {
    const meta = metaOf(event.object);
    const ref: ObjectRef = { storageKey: event.storageKey, namespace: String(meta.namespace ?? ''), name: String(meta.name ?? '') };
    if (event.type === 'ADDED') {
      // Like the real collector: a dependent created with no live owner is deleted.
      const owners = ownerUids(event.object);
      if (owners.every((uid) => !this.ctx.store.hasUid(uid))) this.deleteRef(ref);
      return;
    }
    if (event.type === 'MODIFIED') {
      if (meta.deletionTimestamp) this.advance(ref);
      return;
    }
    const uid = String(meta.uid ?? '');
    for (const dependent of this.ctx.store.refs()) {
      const owners = ownerUids(dependent.object);
      if (owners.includes(uid) && owners.every((owner) => !this.ctx.store.hasUid(owner))) this.deleteRef(dependent);
    }
    for (const ownerUid of ownerUids(event.object)) this.retryForegroundOwner(ownerUid);
    if (ref.namespace) finishDeletionIfReady(this.ctx, '/namespaces', '', ref.namespace);
    if (event.storageKey === CRD_STORAGE_KEY) this.removeCrdInstances(ref.name, event.object);
  }

  /** removeCrdInstances stops serving a deleted CRD and removes its custom resources. */
  private removeCrdInstances(crdName: string, crd: JsonObject): void {
    this.ctx.registry.setCrd(crdName, []);
    const spec = (crd.spec ?? {}) as JsonObject;
    const names = (spec.names ?? {}) as JsonObject;
    const storageKey = `${String(spec.group ?? '')}/${String(names.plural ?? '')}`;
    for (const instance of this.ctx.store.list(storageKey)) {
      const meta = metaOf(instance);
      this.ctx.store.remove(storageKey, String(meta.namespace ?? ''), String(meta.name ?? ''));
    }
  }

  /** advance moves a terminating object on: delete dependents (foreground), namespace contents, CRD instances. */
  private advance(ref: ObjectRef): void {
    const object = this.ctx.store.get(ref.storageKey, ref.namespace, ref.name);
    if (!object || !metaOf(object).deletionTimestamp) return;
    if (ref.storageKey === '/namespaces') {
      for (const inside of this.ctx.store.refs()) {
        if (inside.namespace === ref.name && inside.storageKey !== '/namespaces' && !metaOf(inside.object).deletionTimestamp) this.deleteRef(inside);
      }
      finishDeletionIfReady(this.ctx, ref.storageKey, ref.namespace, ref.name);
      return;
    }
    if (ref.storageKey === CRD_STORAGE_KEY) this.ctx.registry.setCrd(ref.name, []);
    if (!finalizers(object).includes(FOREGROUND_FINALIZER)) return;
    const uid = String(metaOf(object).uid ?? '');
    const dependents = this.ctx.store.refs().filter((dependent) => ownerUids(dependent.object).includes(uid));
    for (const dependent of dependents) {
      if (!metaOf(dependent.object).deletionTimestamp) this.deleteRef(dependent, 'Foreground');
    }
    if (dependents.length === 0) this.dropForegroundFinalizer(ref, object);
  }

  private retryForegroundOwner(uid: string): void {
    const owner = this.ctx.store.refs().find((ref) => metaOf(ref.object).uid === uid);
    if (owner && metaOf(owner.object).deletionTimestamp) this.advance(owner);
  }

  private dropForegroundFinalizer(ref: ObjectRef, object: JsonObject): void {
    const updated = structuredClone(object);
    const kept = finalizers(updated).filter((finalizer) => finalizer !== FOREGROUND_FINALIZER);
    if (kept.length > 0) metaOf(updated).finalizers = kept;
    else delete metaOf(updated).finalizers;
    this.ctx.store.put(ref.storageKey, updated, 'MODIFIED');
    finishDeletionIfReady(this.ctx, ref.storageKey, ref.namespace, ref.name);
  }

  private deleteRef(ref: ObjectRef, policy: 'Background' | 'Foreground' = 'Background'): void {
    const served = this.ctx.registry.byStorageKey(ref.storageKey)[0];
    try {
      if (served) {
        deleteObject(this.ctx, { served, namespace: ref.namespace, name: ref.name, dryRun: false, propagationPolicy: policy, preconditions: {} });
      } else {
        this.ctx.store.remove(ref.storageKey, ref.namespace, ref.name);
      }
      this.ctx.logger.debug({ op: 'gc', resource: ref.storageKey, namespace: ref.namespace, name: ref.name }, 'garbage collected');
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 404)) throw error;
    }
  }
}
