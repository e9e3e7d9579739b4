/**
 * renderTemplate: a tiny renderer for exactly the Go-template subset the generated chart
 * uses: `{{ .Values.x }}`, `{{ "literal" }}`, `{{ .Values.x | quote }}`, `{{ toYaml .Values.x | nindent N }}`,
 * `{{ if .Values.x }}` … `{{ end }}`, with `{{-`/`-}}` trimming. Anything else throws,
 * so the chart cannot grow a construct the test does not understand.
 */
import { stringify } from 'yaml';
import { settingAt } from './settings.ts';

const ACTION = /\{\{(-?)\s*(.*?)\s*(-?)\}\}/gs;

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function lookup(values: unknown, reference: string): unknown {
  if (!reference.startsWith('.Values.')) throw new Error(`template: only .Values references are supported; got ${JSON.stringify(reference)}`);
  const value = settingAt(values, reference.slice('.Values.'.length));
  if (value === undefined) throw new Error(`template: ${reference} is not set`);
  return value;
}

function toYaml(value: unknown): string {
  return stringify(value, { lineWidth: 0 }).replace(/\n$/, '');
}

function evaluate(expression: string, values: unknown): string {
  const literal = /^"([^"\\]*)"$/.exec(expression);
  if (literal?.[1] !== undefined) return literal[1];
  let match = /^(\.Values\.[\w.]+)$/.exec(expression);
  if (match?.[1] !== undefined) return String(lookup(values, match[1]));
  match = /^(\.Values\.[\w.]+)\s*\|\s*quote$/.exec(expression);
  if (match?.[1] !== undefined) return JSON.stringify(String(lookup(values, match[1])));
  match = /^toYaml\s+(\.Values\.[\w.]+)\s*\|\s*nindent\s+(\d+)$/.exec(expression);
  if (match?.[1] !== undefined && match[2] !== undefined) {
    const pad = ' '.repeat(Number(match[2]));
    return `\n${toYaml(lookup(values, match[1])).split('\n').map((line) => pad + line).join('\n')}`;
  }
  throw new Error(`template: unsupported action {{ ${expression} }}`);
}

/** renderTemplate fills one template with values (pure); throws on constructs outside the subset. */
export function renderTemplate(template: string, values: unknown): string {
  let out = '';
  let last = 0;
  const skipping: boolean[] = [];
  let trimNext = false;
  const emit = (text: string) => {
    if (!skipping.includes(true)) out += text;
  };
  for (const match of template.matchAll(ACTION)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1] === '-') text = text.replace(/\s+$/, '');
    emit(text);
    const expression = match[2] ?? '';
    const ifMatch = /^if\s+(\.Values\.[\w.]+)$/.exec(expression);
    if (ifMatch?.[1] !== undefined) skipping.push(!truthy(settingAt(values, ifMatch[1].slice('.Values.'.length))));
    else if (expression === 'end') {
      if (skipping.pop() === undefined) throw new Error('template: {{ end }} without {{ if }}');
    } else emit(evaluate(expression, values));
    trimNext = match[3] === '-';
    last = match.index + match[0].length;
  }
  if (skipping.length > 0) throw new Error('template: {{ if }} without {{ end }}');
  let tail = template.slice(last);
  if (trimNext) tail = tail.replace(/^\s+/, '');
  emit(tail);
  return out;
}
