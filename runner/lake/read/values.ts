/**
 * Typed bounds for pruning (pure). Catalog stats and partition values are text
 * (DuckLake §8); query constants come from DuckDB's parser as JSON. Both are mapped to a
 * comparable JS value in the column's domain, or to undefined when the mapping is not
 * exact — and undefined always means "cannot prune".
 */

/** Domain is how values of one column compare. */
export type Domain = 'integer' | 'float' | 'decimal' | 'string' | 'instant' | 'time' | 'boolean';

/** Comparable is a value in a domain: bigint (integer, decimal, instant, time, boolean), number (float) or string. */
export type Comparable = bigint | number | string;

/** SqlConstant is a literal from the parsed SQL: its DuckDB type id and JSON value, and a cast wrapped around it if any. */
export interface SqlConstant {
  type: string;
  value: unknown;
  scale?: number;
  castTo?: string;
}

/** DECIMAL_SCALE is the common scale decimals are compared at, beyond any DuckDB DECIMAL(38, s). */
const DECIMAL_SCALE = 40;

const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);
const INSTANT_TYPES = new Set(['date', 'timestamp', 'timestamp_us', 'timestamptz', 'timestamp_s', 'timestamp_ms', 'timestamp_ns']);
const SQL_INTEGERS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT']);
const SQL_INSTANTS = new Set(['DATE', 'TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS', 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMPTZ']);

/** domainOf maps a DuckLake column type to its comparison domain, or undefined when it is not prunable (pure). */
export function domainOf(type: string): Domain | undefined {
  const t = type.trim().toLowerCase();
  if (INTEGER_TYPES.has(t)) return 'integer';
  // float32 bounds are printed from 4-byte floats while constants are doubles: not exact.
  if (t === 'float64') return 'float';
  if (/^decimal\s*\(/.test(t)) return 'decimal';
  // uuid is left out: DuckDB orders it as a number, and a literal's case would matter.
  if (t === 'varchar') return 'string';
  if (INSTANT_TYPES.has(t)) return 'instant';
  if (t === 'time') return 'time';
  if (t === 'boolean') return 'boolean';
  return undefined;
}

/** compareValues orders two comparables of one domain (pure); strings compare by UTF-8 bytes as DuckDB does. */
export function compareValues(a: Comparable, b: Comparable): number {
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/**
 * compareUtf8 orders two strings by their UTF-8 bytes (pure). UTF-8 byte order is code
 * point order, and so is UTF-16 code unit order except where a surrogate (a code point
 * above U+FFFF) meets U+E000–U+FFFF: only there are the bytes compared.
 */
function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 || y >= 0xd800) return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** parseStatValue maps a stats or partition-value text to the column's domain (pure); undefined = unknown. */
export function parseStatValue(domain: Domain, text: string | null, columnType: string): Comparable | undefined {
  if (text === null) return undefined;
  switch (domain) {
    case 'integer':
      return /^[+-]?\d+$/.test(text.trim()) ? BigInt(text.trim()) : undefined;
    case 'float':
      return parseFloatText(text);
    case 'decimal':
      return parseDecimalText(text);
    case 'string':
      return text;
    case 'instant':
      return parseInstant(text, columnType.trim().toLowerCase() === 'date');
    case 'time':
      return parseTimeOfDay(text);
    case 'boolean':
      return text === '1' || text === 'true' ? 1n : text === '0' || text === 'false' ? 0n : undefined;
  }
}

/** parseConstant maps a SQL constant to the column's domain when DuckDB would compare it exactly so (pure). */
export function parseConstant(domain: Domain, constant: SqlConstant, columnType: string): Comparable | undefined {
  const { type, value, castTo } = constant;
  if (castTo !== undefined) {
    if (type !== 'VARCHAR' || typeof value !== 'string') return undefined;
    return parseCastText(domain, castTo, value, columnType);
  }
  if (SQL_INTEGERS.has(type)) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) return undefined;
    if (domain === 'integer') return BigInt(value);
    if (domain === 'float') return value;
    if (domain === 'decimal') return BigInt(value) * 10n ** BigInt(DECIMAL_SCALE);
    return undefined;
  }
  if (type === 'DECIMAL') {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || constant.scale === undefined) return undefined;
    const scaled = BigInt(value) * 10n ** BigInt(DECIMAL_SCALE - constant.scale);
    if (domain === 'decimal') return scaled;
    if (domain === 'float') return value / 10 ** constant.scale;
    if (domain === 'integer') {
      const unit = 10n ** BigInt(DECIMAL_SCALE);
      return scaled % unit === 0n ? scaled / unit : undefined;
    }
    return undefined;
  }
  if (type === 'DOUBLE' || type === 'FLOAT') {
    if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
    if (domain === 'float') return value;
    if (domain === 'integer' && Number.isSafeInteger(value)) return BigInt(value);
    return undefined;
  }
  if (type === 'BOOLEAN' && typeof value === 'boolean') return domain === 'boolean' ? (value ? 1n : 0n) : undefined;
  if (type === 'VARCHAR' && typeof value === 'string') {
    // A string literal is cast to the column's type by DuckDB's binder.
    return parseCastText(domain, undefined, value, columnType);
  }
  return undefined;
}

function parseCastText(domain: Domain, castTo: string | undefined, text: string, columnType: string): Comparable | undefined {
  const isDateColumn = columnType.trim().toLowerCase() === 'date';
  if (castTo === undefined) {
    if (domain === 'string') return text;
    if (domain === 'integer') return /^\s*[+-]?\d+\s*$/.test(text) ? BigInt(text.trim()) : undefined;
    if (domain === 'float') return parseFloatText(text.trim());
    if (domain === 'decimal') return parseDecimalText(text.trim());
    if (domain === 'instant') return parseInstant(text.trim(), isDateColumn, fractionDigitsOf(columnType));
    if (domain === 'time') return parseTimeOfDay(text.trim());
    if (domain === 'boolean') return /^(true|t|1)$/i.test(text.trim()) ? 1n : /^(false|f|0)$/i.test(text.trim()) ? 0n : undefined;
    return undefined;
  }
  if (domain === 'instant' && SQL_INSTANTS.has(castTo)) {
    const withZone = castTo === 'TIMESTAMPTZ' || castTo === 'TIMESTAMP WITH TIME ZONE';
    if (withZone !== (columnType.trim().toLowerCase() === 'timestamptz')) return undefined;
    return parseInstant(text.trim(), castTo === 'DATE', fractionDigitsOf(castTo));
  }
  if (domain === 'time' && castTo === 'TIME') return parseTimeOfDay(text.trim());
  if (domain === 'string' && castTo === 'VARCHAR') return text;
  return undefined;
}

function parseFloatText(text: string): number | undefined {
  if (text === 'inf' || text === 'infinity' || text === 'Infinity') return Number.POSITIVE_INFINITY;
  if (text === '-inf' || text === '-infinity' || text === '-Infinity') return Number.NEGATIVE_INFINITY;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function parseDecimalText(text: string): bigint | undefined {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > DECIMAL_SCALE) return undefined;
  const digits = BigInt(`${match[2] || '0'}${fraction.padEnd(DECIMAL_SCALE, '0')}`);
  return match[1] === '-' ? -digits : digits;
}

const INSTANT = /^(-?\d{4,})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * parseInstant reads a date or timestamp text as nanoseconds since the epoch (UTC; a
 * text without offset is taken as UTC, the sandbox's session zone). A date-only column
 * refuses a text with a time part, since DuckDB would not cast it to a date exactly.
 */
export function parseInstant(text: string, dateOnly: boolean, fractionDigits = 9): bigint | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  // More fraction digits than the target type keeps means DuckDB rounds: not exact.
  if ((frac ?? '').replace(/0+$/, '').length > fractionDigits) return undefined;
  if (dateOnly && (h !== undefined || zone !== undefined)) return undefined;
  const days = Date.UTC(Number(y), Number(mo) - 1, Number(d)) / 86_400_000;
  if (!Number.isFinite(days) || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31) return undefined;
  // Whole seconds stay exact as a double (|days| <= 1e8), so BigInt is needed only once.
  let seconds = days * 86_400 + Number(h ?? 0) * 3600 + Number(mi ?? 0) * 60 + Number(s ?? 0);
  if (zone !== undefined && zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    seconds -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0')) * 60;
  }
  return BigInt(seconds) * 1_000_000_000n + (frac === undefined ? 0n : BigInt(frac.padEnd(9, '0')));
}

function parseTimeOfDay(text: string): bigint | undefined {
  const match = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/.exec(text);
  if (!match) return undefined;
  const [, h, m, s, frac] = match;
  return (BigInt(Number(h)) * 3600n + BigInt(Number(m)) * 60n + BigInt(Number(s))) * 1_000_000_000n + BigInt((frac ?? '').padEnd(9, '0') || '0');
}

/** fractionDigitsOf is the sub-second precision of a DuckLake or DuckDB time type (pure). */
export function fractionDigitsOf(type: string): number {
  const t = type.trim().toLowerCase();
  if (t === 'timestamp_s' || t === 'date') return 0;
  if (t === 'timestamp_ms') return 3;
  if (t === 'timestamp_ns') return 9;
  return 6;
}

/** NANOS_PER_DAY is one day in nanoseconds. */
export const NANOS_PER_DAY = 86_400_000_000_000n;

/** calendarField returns the UTC year, month (1–12), day (1–31) or hour (0–23) of an instant (pure). */
export function calendarField(nanos: bigint, field: 'year' | 'month' | 'day' | 'hour'): bigint {
  const millis = Number(nanos / 1_000_000n - (nanos % 1_000_000n < 0n ? 1n : 0n));
  const date = new Date(millis);
  switch (field) {
    case 'year':
      return BigInt(date.getUTCFullYear());
    case 'month':
      return BigInt(date.getUTCMonth() + 1);
    case 'day':
      return BigInt(date.getUTCDate());
    case 'hour':
      return BigInt(date.getUTCHours());
  }
}
