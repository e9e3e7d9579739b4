import { readFile } from 'node:fs/promises';
import { formatIssues, issuePath, quote, valueAt } from '../api/issues.ts';
import { Plan } from '../api/plan.ts';

/** PlanInputResult is a validated plan, or the issue lines saying why there is none. */
export type PlanInputResult = { ok: true; plan: Plan; source: string } | { ok: false; op: string; issues: string[] };

/** formatPath renders a zod issue path as `table.columns[2].type`, `plan` for the root (pure). */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'plan' : issuePath(path);
}

/** validatePlan parses plan JSON text and validates it with Plan (pure). */
export function validatePlan(text: string, source: string): PlanInputResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, op: 'unknown', issues: [`${source}: must be valid JSON (${(error as Error).message}); got ${quote(text)}`] };
  }
  const parsed = Plan.safeParse(input);
  if (parsed.success) return { ok: true, plan: parsed.data, source };
  const op = valueAt(input, ['op']);
  return { ok: false, op: typeof op === 'string' && /^[a-z-]{1,32}$/.test(op) ? op : 'unknown', issues: formatIssues(parsed.error.issues, input, [], 'plan') };
}

function planFileArgument(argv: readonly string[]): string | undefined {
  const index = argv.indexOf('--plan');
  if (index >= 0) return argv[index + 1] ?? '';
  return argv.find((arg) => arg.startsWith('--plan='))?.slice('--plan='.length);
}

/**
 * readPlanInput reads the plan from env FEATHERMAN_PLAN (JSON), else env
 * FEATHERMAN_PLAN_FILE, else `--plan <file>` in argv, and validates it (reads a file).
 */
export async function readPlanInput(env: Readonly<Record<string, string | undefined>>, argv: readonly string[]): Promise<PlanInputResult> {
  if (env.FEATHERMAN_PLAN !== undefined && env.FEATHERMAN_PLAN !== '') return validatePlan(env.FEATHERMAN_PLAN, 'FEATHERMAN_PLAN');
  const [file, source] = env.FEATHERMAN_PLAN_FILE ? [env.FEATHERMAN_PLAN_FILE, 'FEATHERMAN_PLAN_FILE'] : [planFileArgument(argv), '--plan'];
  if (file === undefined) {
    return { ok: false, op: 'unknown', issues: ['plan: must be given in FEATHERMAN_PLAN, FEATHERMAN_PLAN_FILE or --plan <file>; got nothing'] };
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, op: 'unknown', issues: [`${source}: must name a readable plan file (${code}); got ${quote(file)}`] };
  }
  return validatePlan(text, source);
}
