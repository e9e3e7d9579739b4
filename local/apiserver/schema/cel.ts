/**
 * Evaluation of CRD `x-kubernetes-validations` rules (CEL), as kube-apiserver does it:
 * at every schema level, `self` bound to the node's value, `oldSelf` to the correlated old
 * value for transition rules, causes shaped like the real server's.
 */
import type { JSONSchemaProps, StatusCause, ValidationRule } from '../types.ts';
import { jsonEqual } from '../patch/json-patch.ts';
import { buildCelEnvironment, optionalOf } from './cel-environment.ts';
import { childSegment, formatPath, isObject, type PathSegment } from './structural.ts';

type Program = (context: Record<string, unknown>) => unknown;

const environments = { plain: buildCelEnvironment(false), optional: buildCelEnvironment(true) };
const programs = new Map<string, Program | Error>();

/**
 * compileRule parses a CEL expression once and caches the program (or the compile error);
 * `optionalOldSelf` selects the environment where oldSelf is optional<dyn>.
 */
export function compileRule(expression: string, optionalOldSelf = false): Program | Error {
  const cacheKey = `${optionalOldSelf ? 'o' : 'p'}:${expression}`;
  const cached = programs.get(cacheKey);
  if (cached !== undefined) return cached;
  let compiled: Program | Error;
  try {
    const parsed = (optionalOldSelf ? environments.optional : environments.plain).parse(expression);
    compiled = (context) => parsed(context);
  } catch (error) {
    compiled = error instanceof Error ? error : new Error(String(error));
  }
  programs.set(cacheKey, compiled);
  return compiled;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split('\n')[0] ?? text;
  return line.charAt(0).toLowerCase() + line.slice(1);
}

/**
 * toCelValue converts a decoded JSON value into what CEL sees under `schema`: integers
 * become int (bigint), date-time strings timestamps, unknown-typed integral numbers int.
 */
export function toCelValue(value: unknown, schema: JSONSchemaProps | undefined): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === 'number') {
    if (schema?.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'string' && (schema?.format === 'date-time' || schema?.format === 'datetime')) {
    const parsed = new Date(value);
    return Number.isNaN(parsed.getTime()) ? value : parsed;
  }
  if (Array.isArray(value)) return value.map((item) => toCelValue(item, schema?.items));
  if (isObject(value)) {
    const result: Record<string, unknown> = {};
    const extra = schema?.additionalProperties;
    for (const [name, member] of Object.entries(value)) {
      result[name] = toCelValue(member, schema?.properties?.[name] ?? (typeof extra === 'object' ? extra : undefined));
    }
    return result;
  }
  return value;
}

function isTransitionRule(rule: ValidationRule): boolean {
  return /\boldSelf\b/.test(rule.rule);
}

function typeLabel(schema: JSONSchemaProps): string {
  return JSON.stringify(schema.type ?? '');
}

function causeFor(rule: ValidationRule, schema: JSONSchemaProps, path: PathSegment[], detail: string): StatusCause {
  const base = formatPath(path, 'bracket');
  const relative = (rule.fieldPath ?? '').trim();
  const field = relative === '' ? base : base === '' ? relative.replace(/^\./, '') : `${base}${relative}`;
  switch (rule.reason) {
    case 'FieldValueForbidden': return { reason: rule.reason, field, message: `Forbidden: ${detail}` };
    case 'FieldValueRequired': return { reason: rule.reason, field, message: `Required value: ${detail}` };
    case 'FieldValueDuplicate': return { reason: rule.reason, field, message: `Duplicate value: ${JSON.stringify(detail)}` };
    default: return { reason: 'FieldValueInvalid', field, message: `Invalid value: ${typeLabel(schema)}: ${detail}` };
  }
}

function failureMessage(rule: ValidationRule, context: Record<string, unknown>): string {
  if (rule.messageExpression !== undefined) {
    const program = compileRule(rule.messageExpression, rule.optionalOldSelf === true && isTransitionRule(rule));
    if (!(program instanceof Error)) {
      try {
        const text = program(context);
        if (typeof text === 'string' && text.trim() !== '' && !text.includes('\n')) return text;
      } catch {
        // Kubernetes falls back to message (or the rule text) when messageExpression fails.
      }
    }
  }
  return rule.message?.trim() || `failed rule: ${rule.rule.trim()}`;
}

function evaluateRule(rule: ValidationRule, node: Node, path: PathSegment[]): StatusCause | undefined {
  const transition = isTransitionRule(rule);
  if (transition && node.old === undefined && rule.optionalOldSelf !== true) return undefined;
  // Ratcheting: a rule without oldSelf is not re-checked on a value the update left unchanged.
  if (!transition && node.old !== undefined && jsonEqual(node.old, node.value)) return undefined;
  const optional = transition && rule.optionalOldSelf === true;
  const program = compileRule(rule.rule, optional);
  if (program instanceof Error) {
    return causeFor({ ...rule, reason: 'FieldValueInvalid', fieldPath: undefined }, node.schema, path, `rule compile error: ${firstLine(program)}`);
  }
  const context: Record<string, unknown> = { self: toCelValue(node.value, node.schema) };
  if (transition) {
    const old = node.old === undefined ? undefined : toCelValue(node.old, node.schema);
    context.oldSelf = optional ? optionalOf(old) : old;
  }
  let result: unknown;
  try {
    result = program(context);
  } catch (error) {
    return causeFor({ ...rule, reason: 'FieldValueInvalid', fieldPath: undefined }, node.schema, path, `${firstLine(error)} evaluating rule: ${rule.rule.trim()}`);
  }
  if (result === true) return undefined;
  if (result !== false) {
    return causeFor({ ...rule, reason: 'FieldValueInvalid', fieldPath: undefined }, node.schema, path, `rule did not evaluate to a bool: ${rule.rule.trim()}`);
  }
  return causeFor(rule, node.schema, path, failureMessage(rule, context));
}

interface Node {
  value: unknown;
  old: unknown;
  schema: JSONSchemaProps;
}

function listMapKey(item: unknown, keys: readonly string[]): string | undefined {
  if (!isObject(item)) return undefined;
  return JSON.stringify(keys.map((key) => item[key] ?? null));
}

function walk(node: Node, path: PathSegment[], causes: StatusCause[]): void {
  const { value, old, schema } = node;
  if (value === null || value === undefined) return;
  for (const rule of schema['x-kubernetes-validations'] ?? []) {
    const cause = evaluateRule(rule, node, path);
    if (cause !== undefined) causes.push(cause);
  }
  if (Array.isArray(value) && schema.items !== undefined) {
    const items = schema.items;
    const keys = schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] ?? [] : undefined;
    const oldByKey = new Map<string, unknown>();
    if (keys !== undefined && Array.isArray(old)) {
      for (const item of old) {
        const key = listMapKey(item, keys);
        if (key !== undefined) oldByKey.set(key, item);
      }
    }
    value.forEach((item, index) => {
      const key = keys === undefined ? undefined : listMapKey(item, keys);
      walk({ value: item, old: key === undefined ? undefined : oldByKey.get(key), schema: items }, [...path, { index }], causes);
    });
    return;
  }
  if (isObject(value)) {
    const extra = schema.additionalProperties;
    for (const [name, member] of Object.entries(value)) {
      const child = schema.properties?.[name] ?? (typeof extra === 'object' ? extra : undefined);
      if (child === undefined) continue;
      walk({ value: member, old: isObject(old) ? old[name] : undefined, schema: child }, [...path, childSegment(schema, name)], causes);
    }
  }
}

/**
 * evaluateValidationRules evaluates every CEL rule of `schema` against `value` (the whole
 * object) and returns a cause per failed rule; pure. On update `oldValue` feeds `oldSelf`
 * of transition rules, correlated by property name, map key and list-map key; a
 * transition rule without an old value is skipped unless it sets optionalOldSelf.
 */
export function evaluateValidationRules(value: unknown, schema: JSONSchemaProps, oldValue?: unknown): StatusCause[] {
  const causes: StatusCause[] = [];
  walk({ value, old: oldValue, schema }, [], causes);
  return causes;
}
