/**
 * A list-then-watch loop over one kind in all namespaces, like client-go's reflector:
 * it lists to learn a resourceVersion, watches from there, resumes from the last
 * resourceVersion it saw when the stream ends, and lists again when the server answers
 * 410 Gone (the version was compacted away).
 */
import { KubeConfig, KubernetesObjectApi, Watch, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../../runner/log.ts';

/** WatchedKind names one kind to watch: apiVersion, kind, plural and an optional label selector. */
export interface WatchedKind {
  apiVersion: string;
  kind: string;
  plural: string;
  labelSelector?: string;
}

/** WatchEventType is the type of one watch event (BOOKMARK and ERROR are handled inside). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** ResourceWatcherHandlers receive the watch events and each (re)list. */
export interface ResourceWatcherHandlers {
  onEvent(type: WatchEventType, object: KubernetesObject): void;
  /** onList gets the full list after each (re)list; ApiServerSource ignores it, the job executor does not. */
  onList?(objects: KubernetesObject[]): void;
}

/** ResourceWatcherOptions tune the loop (times in ms / s). */
export interface ResourceWatcherOptions {
  /** timeoutSeconds is asked of each watch request, after which it resumes (default 300). */
  timeoutSeconds?: number;
  /** retryDelayMs is the pause after a failed list or watch (default 500). */
  retryDelayMs?: number;
}

/** watchPath is the all-namespaces collection path of a kind (pure). */
export function watchPath(target: WatchedKind): string {
  const prefix = target.apiVersion.includes('/') ? `/apis/${target.apiVersion}` : `/api/${target.apiVersion}`;
  return `${prefix}/${target.plural}`;
}

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { statusCode?: unknown; code?: unknown };
  if (typeof record.statusCode === 'number') return record.statusCode;
  return typeof record.code === 'number' ? record.code : undefined;
}

/**
 * ResourceWatcher runs the loop for one kind until stop() (side effects: HTTP to the API
 * server, calls to the handlers).
 */
export class ResourceWatcher {
  private readonly watch: Watch;
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private readonly timeoutSeconds: number;
  private readonly retryDelayMs: number;
  private firstSync: Promise<void>;
  private resolveFirstSync: () => void = () => undefined;

  constructor(
    private readonly kubeConfig: KubeConfig,
    private readonly target: WatchedKind,
    private readonly handlers: ResourceWatcherHandlers,
    private readonly logger: Logger,
    options: ResourceWatcherOptions = {},
  ) {
    this.watch = new Watch(kubeConfig);
    this.timeoutSeconds = options.timeoutSeconds ?? 300;
    this.retryDelayMs = options.retryDelayMs ?? 500;
    this.firstSync = new Promise((resolve) => {
      this.resolveFirstSync = resolve;
    });
  }

  /** start begins the loop; the promise resolves once the first list is done and the watch is open. */
  start(): Promise<void> {
    void this.relist();
    return this.firstSync;
  }

  /** stop ends the loop and the open watch request. */
  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.abort?.abort();
    this.resolveFirstSync();
  }

  private later(step: () => Promise<void>): void {
    if (this.stopped) return;
    this.retryTimer = setTimeout(() => void step(), this.retryDelayMs);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      // A client per list: it binds the server URL when made, and the kubeconfig may have been reloaded.
      const objects = KubernetesObjectApi.makeApiClient(this.kubeConfig);
      const list = await objects.list(this.target.apiVersion, this.target.kind, undefined, undefined, undefined, undefined, undefined, this.target.labelSelector);
      this.resourceVersion = list.metadata?.resourceVersion;
      this.handlers.onList?.(list.items);
    } catch (error) {
      this.logger.warn({ kind: this.target.kind, err: error }, 'list failed; retrying');
      this.later(() => this.relist());
      return;
    }
    await this.rewatch();
  }

  private async rewatch(): Promise<void> {
    if (this.stopped) return;
    const query: Record<string, string | number | boolean | undefined> = {
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: this.timeoutSeconds,
      labelSelector: this.target.labelSelector,
    };
    let expired = false;
    const onEvent = (type: string, object: KubernetesObject & { code?: number }): void => {
      if (type === 'ERROR') {
        expired = object.code === 410;
        if (!expired) this.logger.warn({ kind: this.target.kind, status: object }, 'watch error event');
        return;
      }
      const version = object.metadata?.resourceVersion;
      if (version) this.resourceVersion = version;
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') this.handlers.onEvent(type, object);
    };
    const onDone = (error: unknown): void => {
      this.abort = undefined;
      if (this.stopped) return;
      if (expired || statusCodeOf(error) === 410) {
        this.logger.info({ kind: this.target.kind, resourceVersion: this.resourceVersion }, 'watch expired (410); relisting');
        void this.relist();
      } else if (error && (error as Error).name !== 'AbortError') {
        this.logger.warn({ kind: this.target.kind, err: error }, 'watch failed; resuming');
        this.later(() => this.rewatch());
      } else {
        void this.rewatch();
      }
    };
    try {
      this.abort = await this.watch.watch(watchPath(this.target), query, onEvent, onDone);
      if (this.stopped) this.abort.abort();
    } catch (error) {
      onDone(error);
    }
    this.resolveFirstSync();
  }
}
