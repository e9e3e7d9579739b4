/**
 * Label and field selectors as `?labelSelector=` and `?fieldSelector=` carry them: parsed
 * once per request into predicates over stored objects (pure).
 */
import { badRequest } from './status.ts';
import type { JsonObject } from './types.ts';

/** Selector is a parsed selector: a predicate over an object. */
export type Selector = (object: JsonObject) => boolean;

interface LabelRequirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!exists' | '=' | '!=';
  values: string[];
}

/** splitTopLevel splits on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function parseRequirement(term: string): LabelRequirement {
  const setMatch = /^(\S+)\s+(in|notin)\s+\((.*)\)$/.exec(term);
  let requirement: LabelRequirement;
  if (setMatch) {
    const values = (setMatch[3] ?? '').split(',').map((value) => value.trim()).filter((value) => value !== '');
    requirement = { key: setMatch[1] ?? '', op: setMatch[2] === 'in' ? 'in' : 'notin', values };
  } else if (term.startsWith('!')) {
    requirement = { key: term.slice(1).trim(), op: '!exists', values: [] };
  } else {
    const opMatch = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (opMatch) {
      requirement = { key: (opMatch[1] ?? '').trim(), op: opMatch[2] === '!=' ? '!=' : '=', values: [(opMatch[3] ?? '').trim()] };
    } else {
      requirement = { key: term, op: 'exists', values: [] };
    }
  }
  if (!LABEL_KEY.test(requirement.key)) {
    throw badRequest(`unable to parse requirement: invalid label key "${requirement.key}": must consist of alphanumeric characters, '-', '_' or '.'`);
  }
  return requirement;
}

function labelsOf(object: JsonObject): Record<string, string> {
  const metadata = object.metadata as JsonObject | undefined;
  return (metadata?.labels as Record<string, string> | undefined) ?? {};
}

function matchesRequirement(labels: Record<string, string>, requirement: LabelRequirement): boolean {
  const has = Object.hasOwn(labels, requirement.key);
  const value = labels[requirement.key];
  switch (requirement.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case '=': return has && value === requirement.values[0];
    case '!=': return !has || value !== requirement.values[0];
    case 'in': return has && requirement.values.includes(value ?? '');
    case 'notin': return !has || !requirement.values.includes(value ?? '');
  }
}

/** parseLabelSelector parses a label selector string (`a=b,c!=d,e in (x,y),f,!g`); throws a 400 ApiError. */
export function parseLabelSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (object) => {
    const labels = labelsOf(object);
    return requirements.every((requirement) => matchesRequirement(labels, requirement));
  };
}

/** readFieldPath reads a dotted field path (`involvedObject.kind`) of an object as a string. */
export function readFieldPath(object: JsonObject, path: string): string {
  let current: unknown = object;
  for (const segment of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return '';
    current = (current as JsonObject)[segment];
  }
  if (current === undefined || current === null) return '';
  return typeof current === 'string' ? current : JSON.stringify(current);
}

/**
 * parseFieldSelector parses a field selector (`metadata.name=x,status.phase!=Running`);
 * any dotted path of the stored object may be used, which covers metadata.name,
 * metadata.namespace, involvedObject.*, status.phase and type. Throws a 400 ApiError.
 */
export function parseFieldSelector(text: string | null | undefined): Selector {
  if (!text) return () => true;
  const terms = splitTopLevel(text).map((term) => {
    const match = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!match) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { path: match[1] ?? '', negate: match[2] === '!=', value: match[3] ?? '' };
  });
  return (object) => terms.every((term) => (readFieldPath(object, term.path) === term.value) !== term.negate);
}
