/**
 * The registry of runner operations.
 *
 * Convention: the operation named `op` in a plan lives in `runner/ops/<op>.ts`, which
 * exports `export const operation: Operation<XxxPlan>` (see ./context.ts). Adding an
 * operation means adding its plan to the `Plan` union in api/plan.ts and its file here;
 * nothing else has to change. The module is imported only when a plan asks for it, so an
 * operation's dependencies (DuckDB, …) load only in runs that use them. The import is a
 * template literal (`./${op}.ts`) so that esbuild puts every operation into the runner
 * bundle (scripts/build-runner.ts), each evaluated only when it is asked for.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plan } from '../../api/plan.ts';
import type { Operation } from './context.ts';

const OPS_DIR = dirname(fileURLToPath(import.meta.url));
const OP_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RESERVED = new Set(['index', 'context']);
// This module runs from runner/ops/index.ts (tsx) or from inside the runner bundle.
const FROM_SOURCES = import.meta.url.endsWith('/runner/ops/index.ts');
// esbuild's glob-import helper throws this for a name no bundled file matches.
const NOT_IN_BUNDLE = 'Module not found in bundle: ';

/** OperationUnavailableError says no usable module exists for an operation name. */
export class OperationUnavailableError extends Error {
  readonly code = 'FM_ERR_OP_UNAVAILABLE';

  constructor(message: string) {
    super(message);
    this.name = 'OperationUnavailableError';
  }
}

/** operationModulePath is the file that must hold operation `op` (pure). */
export function operationModulePath(op: string, opsDir: string = OPS_DIR): string {
  return join(opsDir, `${op}.ts`);
}

function isOperation(value: unknown): value is Operation<Plan> {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (candidate.lockMode === 'exclusive' || candidate.lockMode === 'shared') && typeof candidate.run === 'function';
}

/**
 * loadOperation imports `runner/ops/<op>.ts` (from the sources or the bundle) and returns
 * its `operation` (reads code). A missing file or a module without a valid `operation`
 * export is an OperationUnavailableError; errors inside the module's own imports pass
 * through. `opsDir` (tests) imports `<opsDir>/<op>.ts` instead.
 */
export async function loadOperation(op: string, opsDir?: string): Promise<Operation<Plan>> {
  if (!OP_NAME.test(op) || RESERVED.has(op)) throw new OperationUnavailableError(`operation ${JSON.stringify(op)} is not a valid operation name`);
  const shown = opsDir === undefined ? `runner/ops/${op}.ts` : operationModulePath(op, opsDir);
  const missing = () => new OperationUnavailableError(`operation ${op} is not available in this runner: ${shown} does not exist`);
  let module: Record<string, unknown>;
  if (opsDir !== undefined) {
    if (!existsSync(shown)) throw missing();
    module = (await import(pathToFileURL(shown).href)) as Record<string, unknown>;
  } else {
    // From the sources the file must exist; in the bundle, esbuild's loader throws for an unbundled name.
    if (FROM_SOURCES && !existsSync(operationModulePath(op))) throw missing();
    try {
      module = (await import(`./${op}.ts`)) as Record<string, unknown>;
    } catch (error) {
      if (!FROM_SOURCES && error instanceof Error && error.message.startsWith(NOT_IN_BUNDLE)) throw missing();
      throw error;
    }
  }
  if (!isOperation(module.operation)) {
    throw new OperationUnavailableError(`operation ${op} is not available in this runner: ${shown} exports no \`operation\` with lockMode and run`);
  }
  return module.operation;
}
