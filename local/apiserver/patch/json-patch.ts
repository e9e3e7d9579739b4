/**
 * JSON Patch (RFC 6902), as `kubectl patch --type json` sends it. Messages follow the
 * library kube-apiserver uses (evanphx/json-patch), which the server wraps in a 422.
 */
import { deepCopy, isPlainObject } from './merge-patch.ts';
import { PatchError } from './patch-error.ts';

export { PatchError } from './patch-error.ts';

/** maxOperations is kube-apiserver's limit on the operations of one JSON patch. */
const maxOperations = 10000;

type Container = { [key: string]: unknown } | unknown[];

interface Operation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
  hasValue: boolean;
}

/** parsePointer splits an RFC 6901 JSON pointer into unescaped tokens. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new PatchError(`invalid JSON pointer ${JSON.stringify(pointer)}: must start with "/"`);
  return pointer.slice(1).split('/').map((token) => token.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function readOperations(operations: unknown): Operation[] {
  if (!Array.isArray(operations)) {
    throw new PatchError('json: cannot unmarshal object into Go value of type jsonpatch.Patch', 400);
  }
  if (operations.length > maxOperations) {
    throw new PatchError(`The allowed maximum operations in a JSON patch is ${maxOperations}, got ${operations.length}`, 413);
  }
  return operations.map((raw: unknown, index) => {
    if (!isPlainObject(raw)) throw new PatchError(`invalid JSON patch operation at index ${index}: must be an object`, 400);
    const { op, path, from } = raw;
    if (typeof op !== 'string') throw new PatchError(`invalid JSON patch operation at index ${index}: missing "op"`, 400);
    if (typeof path !== 'string') throw new PatchError(`${op} operation does not apply: missing "path"`, 400);
    if (from !== undefined && typeof from !== 'string') throw new PatchError(`${op} operation does not apply: "from" must be a string`, 400);
    return { op, path, from, value: raw.value, hasValue: 'value' in raw };
  });
}

function isIndexToken(token: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(token);
}

/** resolveParent walks to the container holding the last token of `path`. */
function resolveParent(doc: unknown, path: string, op: string): { parent: Container; key: string } {
  const tokens = parsePointer(path);
  const key = tokens.pop();
  if (key === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  let node: unknown = doc;
  for (const token of tokens) {
    node = childOf(node, token);
    if (node === undefined) throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  if (!isPlainObject(node) && !Array.isArray(node)) {
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  }
  return { parent: node, key };
}

function childOf(node: unknown, token: string): unknown {
  if (Array.isArray(node)) return isIndexToken(token) ? node[Number(token)] : undefined;
  if (isPlainObject(node)) return Object.hasOwn(node, token) ? node[token] : undefined;
  return undefined;
}

function getValue(doc: unknown, path: string, op: string): unknown {
  if (path === '') return doc;
  const { parent, key } = resolveParent(doc, path, op);
  const value = childOf(parent, key);
  if (value === undefined) throw new PatchError(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
  return value;
}

function arrayIndex(parent: unknown[], key: string, path: string, op: string, allowEnd: boolean): number {
  if (key === '-' && allowEnd) return parent.length;
  const limit = allowEnd ? parent.length : parent.length - 1;
  if (!isIndexToken(key) || Number(key) > limit) {
    throw new PatchError(`${op} operation does not apply: doc is missing path: "${path}": unable to access invalid index: ${key}: invalid index referenced`);
  }
  return Number(key);
}

function addValue(doc: unknown, path: string, value: unknown, op: string): unknown {
  if (path === '') return value;
  const { parent, key } = resolveParent(doc, path, op);
  if (Array.isArray(parent)) {
    parent.splice(arrayIndex(parent, key, path, op, true), 0, value);
  } else {
    parent[key] = value;
  }
  return doc;
}

function removeValue(doc: unknown, path: string, op: string): unknown {
  const { parent, key } = resolveParent(doc, path, op);
  if (Array.isArray(parent)) {
    const [removed] = parent.splice(arrayIndex(parent, key, path, op, false), 1);
    return removed;
  }
  if (!Object.hasOwn(parent, key)) throw new PatchError(`${op} operation does not apply: doc is missing key: ${path}: missing value`);
  const removed = parent[key];
  delete parent[key];
  return removed;
}

/** jsonEqual compares two decoded JSON values structurally (object key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((item, i) => jsonEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function requireValue(operation: Operation): unknown {
  if (!operation.hasValue) throw new PatchError(`${operation.op} operation does not apply: missing value`);
  return deepCopy(operation.value);
}

function requireFrom(operation: Operation): string {
  if (operation.from === undefined) throw new PatchError(`${operation.op} operation does not apply: missing from`);
  return operation.from;
}

/**
 * applyJsonPatch applies RFC 6902 operations (add, remove, replace, move, copy, test) to
 * `target` and returns the patched copy; pure (the input is never mutated). Throws
 * PatchError for an invalid operation or a failed test; nothing is partially applied.
 */
export function applyJsonPatch(target: unknown, operations: unknown): unknown {
  let doc: unknown = deepCopy(target);
  for (const operation of readOperations(operations)) {
    const { op, path } = operation;
    switch (op) {
      case 'add':
        doc = addValue(doc, path, requireValue(operation), op);
        break;
      case 'remove':
        if (path === '') throw new PatchError('remove operation does not apply: cannot remove the whole document');
        removeValue(doc, path, op);
        break;
      case 'replace': {
        const value = requireValue(operation);
        if (path === '') { doc = value; break; }
        getValue(doc, path, op);
        removeValue(doc, path, op);
        doc = addValue(doc, path, value, op);
        break;
      }
      case 'move': {
        const from = requireFrom(operation);
        if (path.startsWith(`${from}/`)) throw new PatchError(`move operation does not apply: cannot move "${from}" into its own child "${path}"`);
        const value = removeValue(doc, from, op);
        doc = addValue(doc, path, value, op);
        break;
      }
      case 'copy': {
        const value = deepCopy(getValue(doc, requireFrom(operation), op));
        doc = addValue(doc, path, value, op);
        break;
      }
      case 'test': {
        const expected = requireValue(operation);
        let actual: unknown;
        try {
          actual = path === '' ? doc : childOf(resolveParent(doc, path, op).parent, parsePointer(path).at(-1) ?? '');
        } catch {
          actual = undefined;
        }
        if (!(actual === undefined && expected === null) && !jsonEqual(actual, expected)) {
          throw new PatchError(`testing value ${path} failed: test failed`);
        }
        break;
      }
      default:
        throw new PatchError(`Unexpected kind: ${op}`);
    }
  }
  return doc;
}
