/**
 * Typed comparison of DuckLake min/max texts (format §8) in JS, so that merging a batch's
 * bounds into table_column_stats needs no query for the common types. A pair it cannot
 * order with certainty (years beyond 0000–9999, infinities of dates, unknown types) yields
 * undefined, and the caller falls back to DuckDB's typed comparison.
 */

const INTEGER = /^-?[0-9]+$/;
const DECIMAL = /^-?[0-9]+(\.[0-9]+)?$/;
const FLOAT = /^-?(inf|[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?)$/i;
const DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?(\+00)?$/;
const TIME = /^[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,9})?$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX = /^[0-9A-F]*$/;

const sign = (value: number): number => (value < 0 ? -1 : value > 0 ? 1 : 0);

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareDecimal(a: string, b: string): number {
  const [ai = '', af = ''] = a.replace('-', '').split('.');
  const [bi = '', bf = ''] = b.replace('-', '').split('.');
  const width = Math.max(af.length, bf.length);
  const av = BigInt(`${ai}${af.padEnd(width, '0')}`) * (a.startsWith('-') ? -1n : 1n);
  const bv = BigInt(`${bi}${bf.padEnd(width, '0')}`) * (b.startsWith('-') ? -1n : 1n);
  return av < bv ? -1 : av > bv ? 1 : 0;
}

function floatValue(text: string): number {
  const lower = text.toLowerCase();
  if (lower === 'inf') return Infinity;
  if (lower === '-inf') return -Infinity;
  return Number(text);
}

/**
 * compareBound orders two bound texts of a DuckLake type: negative, zero or positive, or
 * undefined when it cannot tell for sure (pure). Strings compare by UTF-8 bytes.
 */
export function compareBound(type: string, a: string, b: string): number | undefined {
  const base = type.toLowerCase();
  if (/^u?int(8|16|32|64)$/.test(base)) {
    if (!INTEGER.test(a) || !INTEGER.test(b)) return undefined;
    const [x, y] = [BigInt(a), BigInt(b)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (base.startsWith('decimal')) return DECIMAL.test(a) && DECIMAL.test(b) ? compareDecimal(a, b) : undefined;
  if (base === 'float32' || base === 'float64') return FLOAT.test(a) && FLOAT.test(b) ? sign(floatValue(a) - floatValue(b)) : undefined;
  if (base === 'boolean') return /^[01]$/.test(a) && /^[01]$/.test(b) ? compareText(a, b) : undefined;
  if (base === 'date') return DATE.test(a) && DATE.test(b) ? compareText(a, b) : undefined;
  if (base.startsWith('timestamp')) {
    // Same shape on both sides (a fraction compares as decimal digits; `+00` on both or neither).
    if (!TIMESTAMP.test(a) || !TIMESTAMP.test(b) || a.endsWith('+00') !== b.endsWith('+00')) return undefined;
    return compareText(a.replace('+00', ''), b.replace('+00', ''));
  }
  if (base === 'time') return TIME.test(a) && TIME.test(b) ? compareText(a, b) : undefined;
  if (base === 'uuid') return UUID.test(a) && UUID.test(b) ? compareText(a, b) : undefined;
  if (base === 'blob') return HEX.test(a) && HEX.test(b) ? compareText(a, b) : undefined;
  if (base === 'varchar' || base === 'json') return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  return undefined;
}

/** pickBound returns the least (`min`) or greatest (`max`) of the texts, or undefined when some pair cannot be ordered (pure). */
export function pickBound(type: string, kind: 'min' | 'max', values: readonly string[]): string | undefined {
  let best: string | undefined;
  for (const value of values) {
    if (best === undefined) {
      best = value;
      continue;
    }
    const order = compareBound(type, value, best);
    if (order === undefined) return undefined;
    if ((kind === 'min' && order < 0) || (kind === 'max' && order > 0)) best = value;
  }
  return best;
}
