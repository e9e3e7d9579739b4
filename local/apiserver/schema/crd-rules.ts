/**
 * CRD-time checks of `x-kubernetes-validations`: kube-apiserver refuses a CRD whose rules
 * do not compile, whose reason is unknown or whose fieldPath names no field of the schema.
 */
import type { JSONSchemaProps, StatusCause } from '../types.ts';
import { compileRule } from './cel.ts';

const reasons = ['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'];

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? error.message;
}

/** fieldPathExists tells whether a rule's relative fieldPath (`.spec.name`, `['a.b']`, `.items[0]`) names a field of `schema`. */
function fieldPathExists(schema: JSONSchemaProps, fieldPath: string): boolean {
  const tokens = fieldPath.match(/\.[A-Za-z_$][\w$-]*|\['[^']*'\]|\[\d+\]/g) ?? [];
  if (tokens.join('') !== fieldPath) return false;
  let node: JSONSchemaProps | undefined = schema;
  for (const token of tokens) {
    if (node === undefined) return false;
    if (/^\[\d+\]$/.test(token)) {
      node = node.items;
      continue;
    }
    const name: string = token.startsWith('.') ? token.slice(1) : token.slice(2, -2);
    const extra: JSONSchemaProps | boolean | undefined = node.additionalProperties;
    node = node.properties?.[name] ?? (typeof extra === 'object' ? extra : undefined);
  }
  return node !== undefined;
}

function checkNode(schema: JSONSchemaProps, path: string, causes: StatusCause[]): void {
  (schema['x-kubernetes-validations'] ?? []).forEach((rule, index) => {
    const base = `${path}.x-kubernetes-validations[${index}]`;
    const transition = /\boldSelf\b/.test(rule.rule);
    const compiled = compileRule(rule.rule, transition && rule.optionalOldSelf === true);
    if (compiled instanceof Error) {
      causes.push({ reason: 'FieldValueInvalid', field: `${base}.rule`, message: `Invalid value: ${JSON.stringify(rule.rule)}: compilation failed: ${firstLine(compiled)}` });
    }
    if (rule.messageExpression !== undefined) {
      const message = compileRule(rule.messageExpression, transition && rule.optionalOldSelf === true);
      if (message instanceof Error) {
        causes.push({ reason: 'FieldValueInvalid', field: `${base}.messageExpression`, message: `Invalid value: ${JSON.stringify(rule.messageExpression)}: messageExpression compilation failed: ${firstLine(message)}` });
      }
    }
    if (rule.reason !== undefined && !reasons.includes(rule.reason)) {
      causes.push({ reason: 'FieldValueNotSupported', field: `${base}.reason`, message: `Unsupported value: ${JSON.stringify(rule.reason)}: supported values: ${reasons.map((r) => JSON.stringify(r)).join(', ')}` });
    }
    if (rule.fieldPath !== undefined && !fieldPathExists(schema, rule.fieldPath)) {
      causes.push({ reason: 'FieldValueInvalid', field: `${base}.fieldPath`, message: `Invalid value: ${JSON.stringify(rule.fieldPath)}: fieldPath must be a valid path` });
    }
    if (rule.optionalOldSelf === true && !transition) {
      causes.push({ reason: 'FieldValueForbidden', field: `${base}.optionalOldSelf`, message: 'Forbidden: may not be set if rule does not use oldSelf' });
    }
  });
  for (const [name, child] of Object.entries(schema.properties ?? {})) checkNode(child, `${path}.properties[${name}]`, causes);
  if (typeof schema.additionalProperties === 'object') checkNode(schema.additionalProperties, `${path}.additionalProperties`, causes);
  if (schema.items !== undefined) checkNode(schema.items, `${path}.items`, causes);
}

/**
 * validateSchemaRules checks every CEL rule of a CRD version schema and returns the causes
 * a CRD create or update answers with; `path` is where the schema sits, e.g.
 * `spec.versions[0].schema.openAPIV3Schema`; pure.
 */
export function validateSchemaRules(schema: JSONSchemaProps, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  checkNode(schema, path, causes);
  return causes;
}
