/**
 * coalesce runs at most one piece of work per key at a time, the way a controller's work
 * queue holds a key once: a call while the key's work runs shares one trailing run that
 * starts when the current one ends (it must start afterwards, since it has to see what
 * the current run wrote). A thousand duplicate events thus cost two reconciles, not a
 * thousand. Side effects: only those of the work.
 */

interface Entry {
  current: Promise<unknown>;
  next?: Promise<unknown>;
}

/** Coalescer is a per-key single flight with one trailing run. */
export class Coalescer {
  private readonly entries = new Map<string, Entry>();

  /** run runs `work` for `key`, or joins the run queued behind the one in progress. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      const current = this.track(key, work);
      this.entries.set(key, { current });
      return current;
    }
    if (entry.next !== undefined) return entry.next as Promise<T>;
    const next = entry.current.then(() => undefined, () => undefined).then(() => {
      entry.current = next;
      entry.next = undefined;
      return work();
    });
    entry.next = next;
    void next.then(() => this.release(key, entry, next), () => this.release(key, entry, next));
    return next;
  }

  private track<T>(key: string, work: () => Promise<T>): Promise<T> {
    const current = work();
    void current.then(() => this.releaseFirst(key, current), () => this.releaseFirst(key, current));
    return current;
  }

  private releaseFirst(key: string, current: Promise<unknown>): void {
    const entry = this.entries.get(key);
    if (entry !== undefined && entry.current === current && entry.next === undefined) this.entries.delete(key);
  }

  private release(key: string, entry: Entry, done: Promise<unknown>): void {
    if (this.entries.get(key) === entry && entry.current === done && entry.next === undefined) this.entries.delete(key);
  }
}
