/**
 * Issue sentences: every problem with a resource becomes one line `<path>: <rule>; got
 * <value>`, all collected, so a person can fix everything in one edit. Shared by the
 * control plane (resources) and the runner (plans). Pure.
 */
import type { z } from 'zod';

/** ValidationResult is a parsed value, or every issue found in the input. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; issues: string[] };

/** MAX_QUOTED_CHARS is how much of a bad value an issue quotes. */
export const MAX_QUOTED_CHARS = 80;

/** quote renders a bad value for an issue: JSON, cut to 80 characters; `nothing` when absent (pure). */
export function quote(value: unknown): string {
  const text = value === undefined ? 'nothing' : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS - 1)}…` : text;
}

/** issuePath renders a path such as `spec.columns[2].type` (pure). */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** valueAt reads the value at a path of plain objects and arrays (pure). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

// zod's default texts read "Invalid input: expected string, received number"; an issue
// states the rule instead. Custom messages are already rules and pass through.
function ruleOf(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      return value === undefined ? 'is required' : `must be ${issue.expected === 'array' || issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'too_small':
      if (issue.origin === 'string') return `must have at least ${issue.minimum} characters`;
      return issue.origin === 'array' ? `must have at least ${issue.minimum} items` : `must be >= ${issue.minimum}`;
    case 'too_big':
      if (issue.origin === 'string') return `must have at most ${issue.maximum} characters`;
      return issue.origin === 'array' ? `must have at most ${issue.maximum} items` : `must be <= ${issue.maximum}`;
    case 'unrecognized_keys':
      return `unknown field(s) ${issue.keys.join(', ')}`;
    case 'invalid_union':
      // A discriminated union names its allowed discriminator values; a plain one does not.
      return 'options' in issue && Array.isArray(issue.options) ? `must be one of ${issue.options.join(', ')}` : 'must match one of the allowed shapes';
    default:
      return issue.message;
  }
}

/**
 * formatIssues turns zod issues into issue sentences (pure). `prefix` is the path of the
 * parsed input inside the resource (e.g. `['spec']`), `input` the parsed value, used to
 * quote what was given.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[], input: unknown, prefix: readonly PropertyKey[] = [], root = 'resource'): string[] {
  return issues.map((issue) => {
    const value = valueAt(input, issue.path);
    const rule = ruleOf(issue, value);
    const path = issuePath([...prefix, ...issue.path]);
    const line = `${path === '' ? root : path}: ${rule}`;
    return rule.includes('; got ') || rule === 'is required' ? line : `${line}; got ${quote(value)}`;
  });
}

/** issue writes one issue sentence from a path, a rule and the bad value (pure). */
export function issue(path: readonly PropertyKey[], rule: string, value: unknown): string {
  return `${issuePath(path)}: ${rule}; got ${quote(value)}`;
}

/**
 * messageOf joins issues into the one message of an InvalidSpec condition (pure):
 * `2 problems: a: …; got 1. b: …; got 2.`, cut to fit a condition message.
 */
export function messageOf(issues: readonly string[], max = 4096): string {
  if (issues.length === 0) return 'The spec is valid.';
  const sentences = issues.map((line) => (/[.!?]$/.test(line) ? line : `${line}.`));
  const text = issues.length === 1 ? (sentences[0] ?? '') : `${issues.length} problems: ${sentences.join(' ')}`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
