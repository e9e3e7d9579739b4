/**
 * The runner's entry point (a Job runs its bundle, `node dist/runner.mjs`; see
 * scripts/build-runner.ts; `npm run runner` runs it through tsx): read and validate the plan,
 * take the catalog lock in the operation's mode, run the operation, log one INFO summary
 * line, write the result (≤ 4 KiB) to the termination log and exit: 0 when ok, 1 when the
 * operation failed, 2 when the plan is invalid, 143 when terminated by SIGTERM.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { Plan } from '../api/plan.ts';
import { RunnerResult } from '../api/result.ts';
import { isFeathermanError } from './errors.ts';
import { acquireCatalogLock } from './lock.ts';
import { createLogger } from './log.ts';
import type { OpContext } from './ops/context.ts';
import { loadOperation, OperationUnavailableError } from './ops/index.ts';
import { readPlanInput } from './plan-input.ts';
import { writeResult, writeResultSync } from './result-writer.ts';
import { createStoreFactory } from './storage/from-plan.ts';

/** EXIT_OK, EXIT_FAILED and EXIT_INVALID_PLAN are the runner's exit codes. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_INVALID_PLAN = 2;
/** EXIT_TERMINATED is the shell's code for a process ended by SIGTERM. */
export const EXIT_TERMINATED = 143;

/** ISSUE_BYTES_IN_RESULT is how many bytes of issue lines the result keeps (stderr has them all). */
export const ISSUE_BYTES_IN_RESULT = 2048;

/** leadingIssues returns the first issue lines whose total size stays within `budget` bytes (pure). */
export function leadingIssues(issues: readonly string[], budget: number = ISSUE_BYTES_IN_RESULT): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const issue of issues) {
    used += Buffer.byteLength(issue) + 3;
    if (used > budget) break;
    kept.push(issue);
  }
  return kept;
}

type Env = Readonly<Record<string, string | undefined>>;

/** clockFrom returns the injected clock: FEATHERMAN_NOW (an ISO time) when set, else the wall clock (pure). */
export function clockFrom(env: Env): () => Date {
  const fixed = env.FEATHERMAN_NOW ? new Date(env.FEATHERMAN_NOW) : undefined;
  return fixed && !Number.isNaN(fixed.getTime()) ? () => new Date(fixed.getTime()) : () => new Date();
}

/** errorOf maps a thrown value to the result's error: a stable code and one message (pure). */
export function errorOf(error: unknown): { code: string; message: string } {
  if (isFeathermanError(error)) return { code: error.code, message: error.message };
  if (error instanceof OperationUnavailableError) return { code: error.code, message: error.message };
  const message = error instanceof Error ? error.message : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return { code: 'FM_ERR_INTERNAL', message: `${message}${cause}` };
}

async function runPlan(plan: Plan, env: Env, log: Logger, started: number, opsDir?: string): Promise<RunnerResult> {
  const operation = await loadOperation(plan.op, opsDir);
  const stores = createStoreFactory(plan.objectStore, env, log.child({ component: 'object-store' }));
  const cacheDir = plan.cacheDir ?? (await mkdtemp(join(tmpdir(), 'featherman-cache-')));
  await mkdir(cacheDir, { recursive: true });
  try {
    // A writer may be the first to touch the catalog volume (init-catalog); readers never create it.
    if (operation.lockMode === 'exclusive') await mkdir(dirname(plan.catalog.path), { recursive: true });
    log.debug({ phase: 'lock', mode: operation.lockMode }, 'taking the catalog lock');
    const lock = await acquireCatalogLock(plan.catalog.path, operation.lockMode, plan.lockTimeoutSeconds * 1000);
    try {
      const ctx: OpContext = {
        log, store: stores.storeFor(plan.objectStore.bucket), storeFor: stores.storeFor, cacheDir, now: clockFrom(env),
      };
      log.debug({ phase: 'run' }, 'running the operation');
      const { summary, ...outcome } = await operation.run(plan, ctx);
      const result = RunnerResult.parse({ ...outcome, op: plan.op, ok: true, durationMs: Date.now() - started });
      log.info(
        {
          snapshotId: result.snapshotId, filesAdded: result.filesAdded, filesRemoved: result.filesRemoved,
          bytesAdded: result.bytesAdded, bytesRemoved: result.bytesRemoved, rows: result.rows, durationMs: result.durationMs,
        },
        summary,
      );
      return result;
    } finally {
      lock.release();
    }
  } finally {
    stores.closeAll();
    if (!plan.cacheDir) await rm(cacheDir, { recursive: true, force: true });
  }
}

/**
 * runMain runs one plan end to end and returns the exit code (side effects: the
 * operation's, the lock, the termination log, log lines on stderr). `options.opsDir`
 * replaces runner/ops (tests); `options.handleSigterm` (the entry point) makes SIGTERM write
 * an FM_ERR_TERMINATED result and exit 143, so a Job past its deadline still reports.
 */
export async function runMain(env: Env, argv: readonly string[], options: { opsDir?: string; handleSigterm?: boolean } = {}): Promise<number> {
  const started = Date.now();
  const input = await readPlanInput(env, argv);
  if (!input.ok) {
    const log = createLogger({ component: 'runner', op: input.op });
    for (const line of input.issues) process.stderr.write(`${line}\n`);
    const more = input.issues.length > 1 ? ` (and ${input.issues.length - 1} more)` : '';
    await writeResult(
      RunnerResult.parse({
        op: input.op, ok: false, durationMs: Date.now() - started,
        error: { code: 'FM_ERR_INVALID_PLAN', message: `invalid plan: ${input.issues[0] ?? 'no plan'}${more}` },
        details: { issueCount: input.issues.length, issues: leadingIssues(input.issues) },
      }),
      env, log,
    );
    return EXIT_INVALID_PLAN;
  }
  const { plan } = input;
  const log = createLogger({ component: 'runner', op: plan.op, catalog: plan.catalog.name });
  if (options.handleSigterm) {
    process.once('SIGTERM', () => {
      // Nothing is committed half-way: a commit is one catalog transaction, and the kernel drops the lock.
      const message = `operation ${plan.op} was terminated (SIGTERM) after ${Date.now() - started} ms`;
      log.error({ code: 'FM_ERR_TERMINATED' }, message);
      writeResultSync(RunnerResult.parse({ op: plan.op, ok: false, durationMs: Date.now() - started, error: { code: 'FM_ERR_TERMINATED', message } }), env, log);
      process.exit(EXIT_TERMINATED);
    });
  }
  try {
    const result = await runPlan(plan, env, log, started, options.opsDir);
    await writeResult(result, env, log);
    return EXIT_OK;
  } catch (error) {
    const failure = errorOf(error);
    if (failure.code === 'FM_ERR_INTERNAL') log.error({ err: error }, `operation ${plan.op} failed unexpectedly: ${failure.message}`);
    else log.error({ code: failure.code }, failure.message);
    await writeResult(RunnerResult.parse({ op: plan.op, ok: false, durationMs: Date.now() - started, error: failure }), env, log);
    return EXIT_FAILED;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  // stderr carries JSON log lines only; the AWS SDK would print a multi-line Node-version notice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  void runMain(process.env, process.argv.slice(2), { handleSigterm: true }).then((code) => process.exit(code));
}
