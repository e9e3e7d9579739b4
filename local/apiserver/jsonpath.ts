/**
 * The JSONPath subset that CRD printer columns use: `.a.b`, `[0]`, `['key']`, `[*]` and
 * filters such as `[?(@.type=="Ready")]`, optionally wrapped in `{}` (pure).
 */

type Step =
  | { kind: 'key'; key: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: '==' | '!='; value: string };

function parseSteps(expression: string): Step[] {
  let text = expression.trim();
  if (text.startsWith('{') && text.endsWith('}')) text = text.slice(1, -1);
  if (text.startsWith('$')) text = text.slice(1);
  const steps: Step[] = [];
  let rest = text;
  while (rest.length > 0) {
    let match: RegExpExecArray | null;
    if ((match = /^\.([A-Za-z0-9_\-/]+)/.exec(rest))) {
      steps.push({ kind: 'key', key: match[1] ?? '' });
    } else if ((match = /^\[(\d+)\]/.exec(rest))) {
      steps.push({ kind: 'index', index: Number(match[1]) });
    } else if ((match = /^\[\*\]/.exec(rest))) {
      steps.push({ kind: 'all' });
    } else if ((match = /^\[['"]([^'"]+)['"]\]/.exec(rest))) {
      steps.push({ kind: 'key', key: match[1] ?? '' });
    } else if ((match = /^\[\?\(@((?:\.[A-Za-z0-9_-]+)+)\s*(==|!=)\s*["']?([^"')]*)["']?\)\]/.exec(rest))) {
      steps.push({ kind: 'filter', path: (match[1] ?? '').slice(1).split('.'), op: match[2] === '!=' ? '!=' : '==', value: match[3] ?? '' });
    } else {
      throw new Error(`unsupported JSONPath ${JSON.stringify(expression)} at ${JSON.stringify(rest)}`);
    }
    rest = rest.slice(match[0].length);
  }
  return steps;
}

function readPath(value: unknown, path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** evaluateJsonPath returns every value an expression selects in `value`; throws on unsupported syntax. */
export function evaluateJsonPath(value: unknown, expression: string): unknown[] {
  let current: unknown[] = [value];
  for (const step of parseSteps(expression)) {
    const next: unknown[] = [];
    for (const item of current) {
      if (step.kind === 'key') {
        if (typeof item === 'object' && item !== null && !Array.isArray(item) && step.key in item) {
          next.push((item as Record<string, unknown>)[step.key]);
        }
      } else if (step.kind === 'index') {
        if (Array.isArray(item) && step.index < item.length) next.push(item[step.index]);
      } else if (step.kind === 'all') {
        if (Array.isArray(item)) next.push(...item);
        else if (typeof item === 'object' && item !== null) next.push(...Object.values(item));
      } else if (Array.isArray(item)) {
        for (const element of item) {
          const found = readPath(element, step.path);
          const text = found === undefined ? undefined : String(found);
          if ((text === step.value) === (step.op === '==')) next.push(element);
        }
      }
    }
    current = next;
  }
  return current;
}
