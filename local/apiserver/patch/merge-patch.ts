/**
 * JSON Merge Patch (RFC 7386), as `kubectl patch --type merge` and CRD patches use it.
 */

/** isPlainObject tells whether a decoded JSON value is an object (not an array, not null). */
export function isPlainObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** deepCopy returns a deep copy of a decoded JSON value; pure. */
export function deepCopy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * applyMergePatch applies an RFC 7386 merge patch to `target` and returns the result; pure
 * (neither argument is mutated). A null member deletes the key; a non-object patch replaces
 * the whole target; arrays are replaced, never merged.
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return deepCopy(patch);
  const result: { [key: string]: unknown } = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = applyMergePatch(result[key], value);
    }
  }
  return result;
}
