/**
 * The registry of runner operations.
 *
 * Convention: the operation named `op` in a plan lives in `runner/ops/<op>.ts`, which
 * exports `export const operation: Operation<XxxPlan>` (see ./context.ts). Adding an
 * operation means adding its plan to the `Plan` union in api/plan.ts and its file here;
 * nothing else has to change. The module is imported only when a plan asks for it, so an
 * operation's dependencies (DuckDB, …) load only in runs that use them.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Plan } from '../../api/plan.ts';
import type { Operation } from './context.ts';

const OPS_DIR = dirname(fileURLToPath(import.meta.url));
const OP_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const RESERVED = new Set(['index', 'context']);

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
 * loadOperation imports `runner/ops/<op>.ts` and returns its `operation` (reads code). A
 * missing file or a module without a valid `operation` export is an
 * OperationUnavailableError; errors inside the module's own imports pass through. `opsDir`
 * is for tests.
 */
export async function loadOperation(op: string, opsDir: string = OPS_DIR): Promise<Operation<Plan>> {
  if (!OP_NAME.test(op) || RESERVED.has(op)) throw new OperationUnavailableError(`operation ${JSON.stringify(op)} is not a valid operation name`);
  const path = operationModulePath(op, opsDir);
  const shown = opsDir === OPS_DIR ? `runner/ops/${op}.ts` : path;
  if (!existsSync(path)) throw new OperationUnavailableError(`operation ${op} is not available in this runner: ${shown} does not exist`);
  const module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  if (!isOperation(module.operation)) {
    throw new OperationUnavailableError(`operation ${op} is not available in this runner: ${shown} exports no \`operation\` with lockMode and run`);
  }
  return module.operation;
}
