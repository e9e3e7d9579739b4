import type { Logger } from 'pino';
import type { RunnerResult } from '../../api/result.ts';
import type { ObjectStore } from '../storage/object-store.ts';

/**
 * OpContext is what runner/main hands to every operation: a logger (INFO one summary
 * line, DEBUG the SQL), the catalog's object store, a factory for other buckets (tables
 * with an absolute s3:// location), a scratch/cache folder, and the injected clock.
 * The catalog lock is already held (exclusive for writes, shared for reads) when an
 * operation runs.
 */
export interface OpContext {
  log: Logger;
  store: ObjectStore;
  storeFor(bucket: string): ObjectStore;
  cacheDir: string;
  now(): Date;
}

/** storeOf is the context's store for `bucket`: the plan's own store for its bucket, else storeFor's (pure lookup). */
export function storeOf(ctx: Pick<OpContext, 'store' | 'storeFor'>, bucket: string): ObjectStore {
  return bucket === ctx.store.bucket ? ctx.store : ctx.storeFor(bucket);
}

/**
 * OpOutcome is what an operation returns on success: the result fields it knows and the
 * one-line human summary (`Table sales: +10 files, 23 MB, snapshot 42`) that main logs
 * at INFO. Failures are thrown (FeathermanError for expected ones).
 */
export type OpOutcome = Omit<RunnerResult, 'op' | 'ok' | 'durationMs' | 'error'> & { summary: string };

/** LockMode says how an operation holds the catalog lock. */
export type LockMode = 'exclusive' | 'shared';

/** Operation is one runner operation: a module under runner/ops/ exports one of these. */
export interface Operation<P> {
  lockMode: LockMode;
  run(plan: P, ctx: OpContext): Promise<OpOutcome>;
}
