import type { LakeColumn } from './column-types.ts';
import type { LakeDataFile, PartitionValueFilter } from './files.ts';
import type { PartitionKeys } from './partition-keys.ts';
import type { LakeTable, PartitionKeyInfo } from './tables.ts';
import { bucketOf, murmur3Long, murmur3String } from '../write/murmur3.ts';
import { calendarField, compareValues, domainOf, parseConstant, parseStatValue, type Comparable, type Domain, type SqlConstant } from './values.ts';

/** CompareOp is a binary comparison a predicate may use. */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** Predicate is one conjunct of a WHERE clause that pruning understands; `column` is lower case. */
export type Predicate =
  | { kind: 'compare'; column: string; op: CompareOp; value: SqlConstant }
  | { kind: 'in'; column: string; values: SqlConstant[] }
  | { kind: 'between'; column: string; low: SqlConstant; high: SqlConstant }
  | { kind: 'null'; column: string; negated: boolean };

/** CompiledPredicate is a predicate bound to a column of one table, its constants typed. */
export type CompiledPredicate =
  | { kind: 'compare'; column: LakeColumn; domain: Domain; op: CompareOp; value: Comparable }
  | { kind: 'in'; column: LakeColumn; domain: Domain; values: Comparable[] }
  | { kind: 'between'; column: LakeColumn; domain: Domain; low: Comparable; high: Comparable }
  | { kind: 'null'; column: LakeColumn; domain: Domain | undefined; negated: boolean };

/**
 * compilePredicates binds predicates to the table's top-level columns at the snapshot
 * (pure). A predicate whose column is unknown, nested, ambiguous or whose constant does
 * not map exactly onto the column's type is dropped: dropping only means less pruning.
 */
export function compilePredicates(table: LakeTable, predicates: readonly Predicate[]): CompiledPredicate[] {
  const compiled: CompiledPredicate[] = [];
  for (const predicate of predicates) {
    const matches = table.columns.filter((c) => c.name.toLowerCase() === predicate.column);
    const column = matches.length === 1 ? matches[0] : undefined;
    if (!column || column.children.length > 0) continue;
    const domain = domainOf(column.type);
    if (predicate.kind === 'null') {
      compiled.push({ kind: 'null', column, domain, negated: predicate.negated });
      continue;
    }
    if (!domain) continue;
    const typed = (constant: SqlConstant): Comparable | undefined => parseConstant(domain, constant, column.type);
    if (predicate.kind === 'compare') {
      const value = typed(predicate.value);
      if (value !== undefined) compiled.push({ kind: 'compare', column, domain, op: predicate.op, value });
    } else if (predicate.kind === 'in') {
      const values = predicate.values.map(typed);
      if (values.length > 0 && values.every((v) => v !== undefined)) compiled.push({ kind: 'in', column, domain, values: values as Comparable[] });
    } else {
      const low = typed(predicate.low);
      const high = typed(predicate.high);
      if (low !== undefined && high !== undefined) compiled.push({ kind: 'between', column, domain, low, high });
    }
  }
  return compiled;
}

/** Range is what is known about a column's values in one file: bounds (undefined = unknown) and NULL facts. */
interface Range {
  min: Comparable | undefined;
  max: Comparable | undefined;
  allNull: boolean | undefined;
  hasNull: boolean | undefined;
}

/**
 * fileCanMatch decides whether a data file may hold rows satisfying every predicate
 * (pure): false only when its partition values or its min/max/NULL stats prove that some
 * predicate fails for all its rows. Unknown or unparsable facts keep the file.
 */
export function fileCanMatch(file: LakeDataFile, table: LakeTable, predicates: readonly CompiledPredicate[]): boolean {
  const spec = file.partitionId === null ? undefined : table.partitionSpecs.get(file.partitionId);
  for (const predicate of predicates) {
    if (spec && !partitionsAllow(file, spec, predicate)) return false;
    if (!statsAllow(file, predicate)) return false;
  }
  return true;
}

/** BOUND_SIDE is the bound each comparison reads in compareAllows. */
const BOUND_SIDE: Record<CompareOp, 'min' | 'max' | 'both'> = { '=': 'both', '!=': 'both', '<': 'min', '<=': 'min', '>': 'max', '>=': 'max' };

function statsAllow(file: LakeDataFile, predicate: CompiledPredicate): boolean {
  const stats = file.stats.get(predicate.column.id);
  if (!stats) return true;
  const known = stats.nullCount !== null;
  const range: Range = {
    min: undefined,
    max: undefined,
    allNull: known ? stats.nullCount === file.recordCount && file.recordCount > 0 : undefined,
    hasNull: known ? (stats.nullCount ?? 0) > 0 : undefined,
  };
  // NaN sorts above every number in DuckDB, so float bounds are trusted only without NaN.
  const nanFree = predicate.domain !== 'float' || stats.containsNan === false;
  if (predicate.domain && nanFree) {
    // A one-sided comparison reads one bound only: parsing is most of the pruning's cost.
    const side = predicate.kind === 'compare' ? BOUND_SIDE[predicate.op] : 'both';
    if (side !== 'max') range.min = parseStatValue(predicate.domain, stats.min, predicate.column.type);
    if (side !== 'min') range.max = parseStatValue(predicate.domain, stats.max, predicate.column.type);
  }
  return rangeAllows(range, predicate);
}

// Hot for every file: plain functions, not closures (tsx names each closure it creates).
function below(c: Comparable, min: Comparable | undefined): boolean {
  return min !== undefined && compareValues(c, min) < 0;
}

function above(c: Comparable, max: Comparable | undefined): boolean {
  return max !== undefined && compareValues(c, max) > 0;
}

function rangeAllows(range: Range, predicate: CompiledPredicate): boolean {
  if (predicate.kind === 'null') return predicate.negated ? range.allNull !== true : range.hasNull !== false;
  if (range.allNull === true) return false;
  const { min, max } = range;
  switch (predicate.kind) {
    case 'in':
      for (const c of predicate.values) if (!below(c, min) && !above(c, max)) return true;
      return false;
    case 'between':
      return !below(predicate.high, min) && !above(predicate.low, max) && compareValues(predicate.low, predicate.high) <= 0;
    case 'compare':
      return compareAllows(predicate.op, predicate.value, min, max);
  }
}

function compareAllows(op: CompareOp, c: Comparable, min: Comparable | undefined, max: Comparable | undefined): boolean {
  switch (op) {
    case '=':
      return !(min !== undefined && compareValues(c, min) < 0) && !(max !== undefined && compareValues(c, max) > 0);
    case '!=':
      return !(min !== undefined && max !== undefined && compareValues(min, c) === 0 && compareValues(max, c) === 0);
    case '<':
      return min === undefined || compareValues(min, c) < 0;
    case '<=':
      return min === undefined || compareValues(min, c) <= 0;
    case '>':
      return max === undefined || compareValues(max, c) > 0;
    case '>=':
      return max === undefined || compareValues(max, c) >= 0;
  }
}

function partitionsAllow(file: LakeDataFile, spec: readonly PartitionKeyInfo[], predicate: CompiledPredicate): boolean {
  for (const key of spec) {
    if (key.columnId !== predicate.column.id) continue;
    if (key.index >= file.partitionValues.length) continue;
    const text = file.partitionValues[key.index];
    if (text === undefined) continue;
    const transform = key.transform.trim().toLowerCase();
    if (text === null) {
      // Every row of the file has a NULL key, hence a NULL source value.
      if (!rangeAllows({ min: undefined, max: undefined, allNull: true, hasNull: true }, predicate)) return false;
      continue;
    }
    if (predicate.kind === 'null') {
      if (predicate.negated) continue;
      if (!rangeAllows({ min: undefined, max: undefined, allNull: false, hasNull: false }, predicate)) return false;
      continue;
    }
    if (transform === 'identity') {
      const value = parseStatValue(predicate.domain, text, predicate.column.type);
      if (value === undefined || (predicate.domain === 'float' && Number.isNaN(value))) continue;
      if (!rangeAllows({ min: value, max: value, allNull: false, hasNull: false }, predicate)) return false;
      continue;
    }
    const bucket = /^bucket\s*\(\s*(\d+)\s*\)$/.exec(transform);
    if (bucket) {
      if (!bucketAllows(Number(bucket[1]), text, predicate)) return false;
      continue;
    }
    if (!temporalAllows(transform, text, predicate)) return false;
  }
  return true;
}

/** SIGNED_INTEGER_TYPES are the integer types whose bucket hash is Murmur3 of the int64. */
const SIGNED_INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64']);

/**
 * bucketAllows checks a bucket(N) key for equality and IN (DuckLake §9, as the extension
 * hashes: a signed integer as int64, an unsigned one as its text, a string as its UTF-8
 * bytes). Ranges say nothing about buckets; other types are left alone.
 */
function bucketAllows(buckets: number, text: string, predicate: Exclude<CompiledPredicate, { kind: 'null' }>): boolean {
  if (!/^\d+$/.test(text) || buckets < 1) return true;
  const type = predicate.column.type.trim().toLowerCase();
  const hashes = (c: Comparable): number[] | undefined => {
    if (predicate.domain === 'string' && typeof c === 'string') return [murmur3String(c)];
    if (predicate.domain !== 'integer' || typeof c !== 'bigint') return undefined;
    if (SIGNED_INTEGER_TYPES.has(type)) return [murmur3Long(c)];
    // Unsigned: the text hash, as the extension and our writer; Featherman before 0.2 wrote
    // uint8/16/32 keys as the int64 hash, so files of older catalogs are kept by that too.
    return type === 'uint64' ? [murmur3String(c.toString())] : [murmur3String(c.toString()), murmur3Long(c)];
  };
  const values = predicate.kind === 'in' ? predicate.values : predicate.kind === 'compare' && predicate.op === '=' ? [predicate.value] : undefined;
  if (!values) return true;
  const value = Number(text);
  return values.some((c) => {
    const candidates = hashes(c);
    return candidates === undefined || candidates.some((h) => bucketOf(h, buckets) === value);
  });
}

/**
 * temporalAllows checks year/month/day/hour keys (calendar fields of UTC instants).
 * `year` is monotone, so ranges map onto it; month/day/hour repeat each year/month/day,
 * so only equality and IN map onto them. TIMESTAMPTZ keys depend on the writer's time
 * zone and are left alone.
 */
function temporalAllows(transform: string, text: string, predicate: Exclude<CompiledPredicate, { kind: 'null' }>): boolean {
  if (predicate.domain !== 'instant' || predicate.column.type.trim().toLowerCase() === 'timestamptz') return true;
  if (transform !== 'year' && transform !== 'month' && transform !== 'day' && transform !== 'hour') return true;
  if (!/^-?\d+$/.test(text)) return true;
  if (transform === 'hour' && predicate.column.type.trim().toLowerCase() === 'date') return true;
  const value = BigInt(text);
  const f = (c: Comparable): bigint => calendarField(c as bigint, transform);
  if (predicate.kind === 'in') return predicate.values.some((c) => f(c) === value);
  if (predicate.kind === 'compare' && predicate.op === '=') return f(predicate.value) === value;
  if (transform !== 'year') return true;
  if (predicate.kind === 'between') return f(predicate.low) <= value && value <= f(predicate.high);
  switch (predicate.op) {
    case '<':
    case '<=':
      return value <= f(predicate.value);
    case '>':
    case '>=':
      return value >= f(predicate.value);
    default:
      return true;
  }
}

/** PruneResult is the outcome of pruning one table's file list. */
export interface PruneResult {
  kept: LakeDataFile[];
  pruned: number;
}

/** pruneFiles keeps the files that may hold matching rows (pure). */
export function pruneFiles(files: readonly LakeDataFile[], table: LakeTable, predicates: readonly CompiledPredicate[]): PruneResult {
  if (predicates.length === 0) return { kept: [...files], pruned: 0 };
  const kept = files.filter((file) => fileCanMatch(file, table, predicates));
  return { kept, pruned: files.length - kept.length };
}

/**
 * decidePartitionFilters prunes the distinct values of each partition key and turns the
 * keys where some value fails into value filters for readFiles (pure), so a selective
 * partition predicate lists only a few files. Each key is judged alone, as fileCanMatch
 * judges a file's keys one by one. Returns undefined (list everything) when no predicate
 * uses a partition column, nothing is pruned, or the visible files span several specs.
 * The filters keep a superset of the matching files; fileCanMatch re-checks each file.
 */
export function decidePartitionFilters(
  table: LakeTable,
  keys: PartitionKeys,
  predicates: readonly CompiledPredicate[],
): PartitionValueFilter[] | undefined {
  const only = keys.specs.length === 1 ? keys.specs[0]?.partitionId : undefined;
  if (only === undefined || only === null) return undefined;
  const spec = table.partitionSpecs.get(only);
  if (!spec) return undefined;
  const filters: PartitionValueFilter[] = [];
  for (const key of spec) {
    const used = predicates.filter((p) => p.column.id === key.columnId);
    if (used.length === 0) continue;
    const candidates = keys.values.get(key.index) ?? [];
    const values: string[] = [];
    let allowNull = false;
    let pruned = false;
    for (const value of candidates) {
      const probe = { partitionValues: [] as (string | null)[] };
      probe.partitionValues[key.index] = value;
      if (!used.every((p) => partitionsAllow(probe as LakeDataFile, [key], p))) pruned = true;
      else if (value === null) allowNull = true;
      else values.push(value);
    }
    if (pruned) filters.push({ keyIndex: key.index, values, allowNull });
  }
  return filters.length > 0 ? filters : undefined;
}
