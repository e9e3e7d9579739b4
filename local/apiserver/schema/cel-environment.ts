/**
 * The CEL environment for CRD validation rules: `self` and `oldSelf`, plus the parts of
 * the Kubernetes CEL library that @marcbachmann/cel-js does not ship (list isSorted, sum,
 * min, max, indexOf, lastIndexOf; string replace, reverse; url-free subset).
 */
import { Environment, Optional } from '@marcbachmann/cel-js';

export { Optional } from '@marcbachmann/cel-js';

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  throw new Error('no such overload');
}

function extreme(list: unknown[], sign: number): unknown {
  if (list.length === 0) throw new Error('min/max called on an empty list');
  return list.reduce((best, item) => (compare(item, best) * sign > 0 ? item : best));
}

function sum(list: unknown[]): unknown {
  if (list.length === 0) return 0n;
  if (list.every((item) => typeof item === 'bigint')) return list.reduce<bigint>((total, item) => total + (item as bigint), 0n);
  return list.reduce<number>((total, item) => total + Number(item), 0);
}

function indexOf(list: unknown[], value: unknown): bigint {
  return BigInt(list.findIndex((item) => item === value || JSON.stringify(item, replacer) === JSON.stringify(value, replacer)));
}

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * buildCelEnvironment returns a fresh CEL environment for CRD rules; pure. Rules with
 * optionalOldSelf get `oldSelf` declared as optional<dyn> (declaring it dyn and binding an
 * optional trips cel-js's overload resolution on `oldSelf.value() == self`).
 */
export function buildCelEnvironment(optionalOldSelf = false): Environment {
  return new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false })
    .registerVariable('self', 'dyn')
    .registerVariable('oldSelf', optionalOldSelf ? 'optional<dyn>' : 'dyn')
    .registerFunction('list.isSorted(): bool', (list: unknown[]) => list.every((item, i) => i === 0 || compare(list[i - 1], item) <= 0))
    .registerFunction('list.sum(): dyn', sum)
    .registerFunction('list.min(): dyn', (list: unknown[]) => extreme(list, -1))
    .registerFunction('list.max(): dyn', (list: unknown[]) => extreme(list, 1))
    .registerFunction('list.indexOf(dyn): int', indexOf)
    .registerFunction('list.lastIndexOf(dyn): int', (list: unknown[], value: unknown) => {
      const found = indexOf([...list].reverse(), value);
      return found < 0n ? found : BigInt(list.length) - 1n - found;
    })
    .registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) => s.split(from).join(to))
    .registerFunction('string.replace(string, string, int): string', (s: string, from: string, to: string, n: bigint) => {
      if (n < 0n) return s.split(from).join(to);
      const parts = s.split(from);
      return parts.slice(0, Number(n) + 1).join(to) + (parts.length > Number(n) + 1 ? from + parts.slice(Number(n) + 1).join(from) : '');
    })
    .registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
}

/** optionalOf wraps an old value as CEL's optional type (for optionalOldSelf rules). */
export function optionalOf(value: unknown): unknown {
  return value === undefined ? Optional.none() : Optional.of(value);
}
