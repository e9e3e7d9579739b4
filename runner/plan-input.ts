import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { Plan } from '../api/plan.ts';

/** PlanInputResult is a validated plan, or the issue lines saying why there is none. */
export type PlanInputResult = { ok: true; plan: Plan; source: string } | { ok: false; op: string; issues: string[] };

/** MAX_VALUE_CHARS is how much of a bad value an issue line quotes. */
export const MAX_VALUE_CHARS = 80;

/** quoteValue renders a bad value for an issue line: JSON, cut to 80 characters (pure). */
export function quoteValue(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/** formatPath renders a zod issue path as `table.columns[2].type` (pure). */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'plan';
  return path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

// Zod's default messages read "Invalid input: expected string, received number"; an issue
// line states the rule instead, and custom messages (already rules) pass through.
function ruleOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_union':
      return 'options' in issue && Array.isArray(issue.options) ? `must be one of ${issue.options.join(', ')}` : issue.message;
    case 'invalid_type':
      return `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'string' ? `must have at least ${issue.minimum} characters` : issue.origin === 'array' ? `must have at least ${issue.minimum} items` : `must be >= ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `must have at most ${issue.maximum} characters` : issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be <= ${issue.maximum}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.join(', ')}`;
    default:
      return issue.message;
  }
}

/** formatIssues turns zod issues into `<path>: <rule>; got <value>` lines (pure). */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  return issues.map((issue) => {
    const rule = ruleOf(issue);
    const line = `${formatPath(issue.path)}: ${rule}`;
    return rule.includes('; got ') ? line : `${line}; got ${quoteValue(valueAt(input, issue.path))}`;
  });
}

/** validatePlan parses plan JSON text and validates it with Plan (pure). */
export function validatePlan(text: string, source: string): PlanInputResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch (error) {
    return { ok: false, op: 'unknown', issues: [`${source}: must be valid JSON (${(error as Error).message}); got ${quoteValue(text)}`] };
  }
  const parsed = Plan.safeParse(input);
  if (parsed.success) return { ok: true, plan: parsed.data, source };
  const op = valueAt(input, ['op']);
  return { ok: false, op: typeof op === 'string' && /^[a-z-]{1,32}$/.test(op) ? op : 'unknown', issues: formatIssues(parsed.error.issues, input) };
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
    return { ok: false, op: 'unknown', issues: [`${source}: must name a readable plan file (${code}); got ${quoteValue(file)}`] };
  }
  return validatePlan(text, source);
}
