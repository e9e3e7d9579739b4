/**
 * Partition keys → SQL: the transformed value of each key as a hidden VARCHAR column
 * (`__fm_p<i>`) that `COPY … PARTITION_BY` splits on and does not store, the hive
 * directory names, hive escaping, and the `partition_value` text of format §9.
 */
import type { PartitionKey } from '../../../api/partition-spec.ts';
import { FeathermanError } from '../../errors.ts';
import { quoteIdentifier } from '../sql.ts';
import { murmur3LongStages, type HashStage } from './murmur3.ts';

/** PartitionSourceColumn is what the partition builder needs to know about a table column. */
export interface PartitionSourceColumn {
  name: string;
  columnId: number;
  /** DuckLake type name as stored in ducklake_column.column_type (int32, timestamp, varchar, …). */
  type: string;
}

/** PartitionField is one resolved partition key of the table's current spec. */
export interface PartitionField {
  index: number;
  key: PartitionKey;
  columnId: number;
  /** Directory key name: the column for identity, else the transform (or `<transform>_<column>` on a clash). */
  dirName: string;
  /** Hidden column holding the transformed value as text (NULL for a NULL key). */
  hidden: string;
  /** How the value is computed: plain expression, int64 hash stages or string hash. */
  kind: 'expression' | 'bucket-long' | 'bucket-text';
}

/** HIVE_NULL is the directory value of a NULL partition key. */
export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

// The extension's murmur3_32 switches on DuckDB's *physical* type: signed integers, dates,
// times, timestamps (in their own unit) and decimals up to 18 digits (the unscaled value)
// hash as an int64; unsigned and 128-bit integers and other types hash the value's text;
// varchar hashes its bytes, blob its raw bytes.
const LONG_HASH_TYPES = new Set(['boolean', 'int8', 'int16', 'int32', 'int64', 'date', 'time']);
const TIMESTAMP_TYPES = new Set(['timestamp', 'timestamptz', 'timestamp_s', 'timestamp_ms', 'timestamp_ns', 'timestamp_us']);
const DECIMAL = /^decimal\(\s*([0-9]+)\s*,\s*([0-9]+)\s*\)$/;
const FLOAT_TYPES = new Set(['float32', 'float64', 'float', 'double']);
const NESTED_TYPES = new Set(['struct', 'list', 'map']);

/** hiddenPartitionColumn names the hidden column of key i (pure). */
export function hiddenPartitionColumn(index: number): string {
  return `__fm_p${index}`;
}

/**
 * planPartitionFields resolves partition keys against the table's columns (pure). It
 * throws FM_ERR_INVALID_SPEC naming the key, the rule and the column type when a
 * transform does not apply to the column's type.
 */
export function planPartitionFields(keys: readonly PartitionKey[], columns: readonly PartitionSourceColumn[]): PartitionField[] {
  const byName = new Map(columns.map((column) => [column.name.toLowerCase(), column]));
  const baseNames = keys.map((key) => (key.transform === 'identity' ? key.column : key.transform));
  return keys.map((key, index) => {
    const column = byName.get(key.column.toLowerCase());
    if (!column) throw new FeathermanError('FM_ERR_INVALID_SPEC', `format.partitioning[${index}]: must name a column of the table; got ${JSON.stringify(key.column)}`);
    const type = column.type.toLowerCase();
    const where = `format.partitioning[${index}]`;
    if (NESTED_TYPES.has(type)) throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: cannot partition by a nested column; got ${JSON.stringify(key.column)} of type ${type}`);
    let kind: PartitionField['kind'] = 'expression';
    if (key.transform === 'year' || key.transform === 'month' || key.transform === 'day' || key.transform === 'hour') {
      const allowed = key.transform === 'hour' ? TIMESTAMP_TYPES.has(type) : TIMESTAMP_TYPES.has(type) || type === 'date';
      if (!allowed) throw new FeathermanError('FM_ERR_INVALID_SPEC', `${where}: ${key.transform}() needs a ${key.transform === 'hour' ? 'timestamp' : 'date or timestamp'} column; got ${JSON.stringify(key.column)} of type ${type}`);
    } else if (key.transform === 'bucket') {
      kind = hashesAsLong(type) ? 'bucket-long' : 'bucket-text';
    }
    const base = baseNames[index] ?? key.column;
    const clash = baseNames.some((other, j) => j !== index && other.toLowerCase() === base.toLowerCase())
      || (key.transform !== 'identity' && byName.has(base.toLowerCase()));
    const dirName = clash && key.transform !== 'identity' ? `${key.transform}_${column.name}` : base;
    return { index, key, columnId: column.columnId, dirName, hidden: hiddenPartitionColumn(index), kind };
  });
}

/**
 * doubleBitsSql renders the IEEE-754 bits of a DOUBLE expression as a BIGINT (pure SQL text,
 * no input in it): DuckDB has no reinterpret cast, so the exponent and mantissa are
 * rebuilt arithmetically, which is exact for every finite double (subnormals included).
 * -0 gives 0, NaN the canonical 0x7ff8000000000000, as format §9 hashes doubles.
 */
export function doubleBitsSql(x: string): string {
  const a = `abs(${x})`;
  const e0 = `CAST(floor(log2(${a})) AS INTEGER)`;
  const e = `(${e0} - CASE WHEN ${a} < pow(2.0, ${e0}) THEN 1 WHEN ${a} >= pow(2.0, ${e0} + 1) THEN -1 ELSE 0 END)`;
  const normal = `(CAST(${e} + 1023 AS BIGINT) * 4503599627370496 + CAST((${a} / pow(2.0, ${e}) - 1.0) * 4503599627370496.0 AS BIGINT))`;
  const subnormal = `CAST(${a} * pow(2.0, 1022) * 4503599627370496.0 AS BIGINT)`;
  const magnitude = `CASE WHEN ${a} < 2.2250738585072014e-308 THEN ${subnormal} ELSE ${normal} END`;
  return `CASE WHEN ${x} IS NULL THEN NULL WHEN isnan(${x}) THEN 9221120237041090560 WHEN ${x} = 0 THEN 0
    WHEN isinf(${x}) THEN CASE WHEN ${x} > 0 THEN 9218868437227405312 ELSE -4503599627370496 END
    WHEN ${x} < 0 THEN ${magnitude} + (-9223372036854775807 - 1) ELSE ${magnitude} END`;
}

/** hashesAsLong says whether bucket() hashes a value of this DuckLake type as an int64 (pure). */
function hashesAsLong(type: string): boolean {
  const decimal = DECIMAL.exec(type);
  if (decimal) return Number(decimal[1]) <= 18;
  return LONG_HASH_TYPES.has(type) || TIMESTAMP_TYPES.has(type) || FLOAT_TYPES.has(type);
}

/** longInput renders the int64 the extension hashes: the stored integer in the type's own unit (pure SQL text). */
function longInput(column: string, type: string): string {
  const ref = quoteIdentifier(column);
  if (FLOAT_TYPES.has(type)) return doubleBitsSql(`CAST(${ref} AS DOUBLE)`);
  if (type === 'date') return `CAST(${ref} - DATE '1970-01-01' AS BIGINT)`;
  if (type === 'time') return `epoch_us(DATE '1970-01-01' + ${ref})`;
  if (type === 'timestamp_s') return `(epoch_ms(CAST(${ref} AS TIMESTAMP)) // 1000)`;
  if (type === 'timestamp_ms') return `epoch_ms(${ref})`;
  if (type === 'timestamp_ns') return `epoch_ns(${ref})`;
  if (TIMESTAMP_TYPES.has(type)) return `epoch_us(${ref})`;
  const decimal = DECIMAL.exec(type);
  if (decimal) return `CAST(${ref} * CAST(1${'0'.repeat(Number(decimal[2]))} AS BIGINT) AS BIGINT)`;
  return `CAST(${ref} AS BIGINT)`;
}

function expressionOf(field: PartitionField): string {
  const ref = quoteIdentifier(field.key.column);
  switch (field.key.transform) {
    case 'identity':
      return `CAST(${ref} AS VARCHAR)`;
    case 'year':
    case 'month':
    case 'day':
    case 'hour':
      return `CAST(CAST(${field.key.transform}(${ref}) AS BIGINT) AS VARCHAR)`;
    default:
      throw new Error(`partition key ${field.index} is a bucket and has no plain expression`);
  }
}

function layer(inner: string, stage: HashStage): string {
  const exclude = stage.exclude ? ` EXCLUDE (${stage.exclude.join(', ')})` : '';
  const replace = stage.replace ? ` REPLACE (${stage.replace})` : '';
  const add = stage.add ? `, ${stage.add}` : '';
  return `SELECT *${exclude}${replace}${add} FROM (${inner})`;
}

/**
 * buildPartitionedSelect wraps `source` (SQL of a relation with the table's columns) so that
 * it also yields one hidden VARCHAR column per partition field (pure). Text-hashed buckets
 * hash each distinct value once and join back; int64 buckets run the staged hash. The
 * murmur3 macros (MURMUR3_MACROS) must exist on the connection that runs the result.
 */
export function buildPartitionedSelect(source: string, fields: readonly PartitionField[], columns: readonly PartitionSourceColumn[]): string {
  const typeOf = (name: string) => columns.find((column) => column.name.toLowerCase() === name.toLowerCase())?.type.toLowerCase() ?? '';
  let sql = source;
  for (const field of fields.filter((each) => each.kind === 'bucket-text')) {
    if (field.key.transform !== 'bucket') continue;
    const text = `CAST(${quoteIdentifier(field.key.column)} AS VARCHAR)`;
    // A blob hashes its bytes, not its escaped text ('\\xAA'); the text casts back exactly.
    const hash = typeOf(field.key.column) === 'blob' ? 'fm_mm3_hex(hex(CAST(fm_v AS BLOB)), octet_length(CAST(fm_v AS BLOB)))' : 'fm_mm3_varchar(fm_v)';
    sql = `SELECT fm_s.*, fm_m.fm_b AS ${field.hidden} FROM (${sql}) fm_s LEFT JOIN (`
      + `SELECT fm_v, CAST(fm_mm3_bucket(${hash}, ${field.key.buckets}) AS VARCHAR) AS fm_b `
      + `FROM (SELECT DISTINCT ${text} AS fm_v FROM (${sql}) WHERE ${text} IS NOT NULL)) fm_m ON CAST(fm_s.${quoteIdentifier(field.key.column)} AS VARCHAR) = fm_m.fm_v`;
  }
  for (const field of fields.filter((each) => each.kind === 'bucket-long')) {
    if (field.key.transform !== 'bucket') continue;
    const input = `${field.hidden}_in`;
    const hash = `${field.hidden}_h`;
    sql = layer(sql, { add: `${longInput(field.key.column, typeOf(field.key.column))} AS ${input}` });
    for (const stage of murmur3LongStages(input, hash)) sql = layer(sql, stage);
    sql = layer(sql, { exclude: [input, hash], add: `CAST(fm_mm3_bucket(${hash}, ${field.key.buckets}) AS VARCHAR) AS ${field.hidden}` });
  }
  const plain = fields.filter((each) => each.kind === 'expression');
  if (plain.length > 0) sql = layer(sql, { add: plain.map((field) => `${expressionOf(field)} AS ${field.hidden}`).join(', ') });
  return sql;
}

/** hiveEscape percent-encodes every byte of a partition value outside [A-Za-z0-9._-] (pure). */
export function hiveEscape(value: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(value)) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9._-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** partitionDirectory renders `region=EU/day=20/` for a file's partition values (pure). */
export function partitionDirectory(fields: readonly PartitionField[], values: readonly (string | null)[]): string {
  return fields.map((field, i) => {
    const value = values[i] ?? null;
    return `${field.dirName}=${value === null ? HIVE_NULL : hiveEscape(value)}/`;
  }).join('');
}
