/**
 * Murmur3 x86_32 (seed 0) as DuckLake's `bucket(N)` partition transform uses it
 * (format §9, the same hash Iceberg buckets with): a reference implementation in JS and
 * the same function as DuckDB macros, so that bucketing 10M rows runs inside DuckDB.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixBlock(h: number, block: number): number {
  let k = Math.imul(block, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  let next = h ^ k;
  next = (next << 13) | (next >>> 19);
  return (Math.imul(next, 5) + 0xe6546b64) | 0;
}

function finalMix(h: number, length: number): number {
  let x = h ^ length;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/** murmur3Bytes hashes bytes with Murmur3 x86_32, seed 0, returning a signed int32 (pure). */
export function murmur3Bytes(bytes: Uint8Array): number {
  let h = 0;
  const blocks = bytes.length >>> 2;
  for (let i = 0; i < blocks; i += 1) {
    const o = i * 4;
    const block = (bytes[o] ?? 0) | ((bytes[o + 1] ?? 0) << 8) | ((bytes[o + 2] ?? 0) << 16) | ((bytes[o + 3] ?? 0) << 24);
    h = mixBlock(h, block);
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    const o = blocks * 4;
    let k = 0;
    if (tail >= 3) k ^= (bytes[o + 2] ?? 0) << 16;
    if (tail >= 2) k ^= (bytes[o + 1] ?? 0) << 8;
    k ^= bytes[o] ?? 0;
    k = Math.imul(k, C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
  }
  return finalMix(h, bytes.length);
}

/** murmur3Long hashes an int64 as 8 little-endian bytes (ints, dates as days, timestamps as µs) (pure). */
export function murmur3Long(value: bigint): number {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, BigInt.asIntN(64, value), true);
  return murmur3Bytes(bytes);
}

/** murmur3String hashes the UTF-8 bytes of a string (pure). */
export function murmur3String(value: string): number {
  return murmur3Bytes(new TextEncoder().encode(value));
}

/** murmur3Double hashes the IEEE-754 bits of a double, with -0 hashed as 0 (pure). */
export function murmur3Double(value: number): number {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setFloat64(0, Object.is(value, -0) ? 0 : value, true);
  return murmur3Bytes(bytes);
}

/** bucketOf maps a hash to its bucket, `(hash & 2147483647) % n` (pure). */
export function bucketOf(hash: number, buckets: number): number {
  return (hash & 0x7fffffff) % buckets;
}

const M32 = '4294967295::UBIGINT';

/**
 * MURMUR3_MACROS are the DuckDB `CREATE OR REPLACE TEMP MACRO` statements that compute the
 * same hash in SQL with UBIGINT arithmetic masked to 32 bits (run them once per connection;
 * they only touch the connection's temp schema):
 *   fm_mm3_k(k), fm_mm3_mix(h, k), fm_mm3_fmix(h, len), fm_mm3_signed(u) are the steps;
 *   fm_mm3_varchar(VARCHAR) → INTEGER hashes the UTF-8 bytes (list functions over the
 *   hex of the bytes, one 32-bit block per element); fm_mm3_bucket(hash, n) → INTEGER.
 * Integers are hashed by the staged projections of `murmur3LongStages`, because a macro
 * that repeats its argument in every rotation expands to an expression ~100× the size.
 * Lambda parameter names are unique across macros: DuckDB substitutes macro bodies
 * textually, so a shared name would be captured by an inner lambda.
 */
export const MURMUR3_MACROS: readonly string[] = [
  `CREATE OR REPLACE TEMP MACRO fm_mm3_rotl(x, r) AS ((x << r) | (x >> (32 - r))) & ${M32}`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_k(k) AS (fm_mm3_rotl((k * 3432918353::UBIGINT) & ${M32}, 15) * 461845907::UBIGINT) & ${M32}`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_mix(h, k) AS (fm_mm3_rotl(xor(h, fm_mm3_k(k)), 13) * 5::UBIGINT + 3864292196::UBIGINT) & ${M32}`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_f1(a) AS (xor(a, a >> 16) * 2246822507::UBIGINT) & ${M32}`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_f2(a) AS (xor(a, a >> 13) * 3266489909::UBIGINT) & ${M32}`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_fmix(h, n) AS
     list_transform([fm_mm3_f2(fm_mm3_f1(xor(h, n::UBIGINT)))], fm_fx -> xor(fm_fx, fm_fx >> 16))[1]`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_signed(u) AS
     CAST(CASE WHEN u >= 2147483648::UBIGINT THEN u::BIGINT - 4294967296 ELSE u::BIGINT END AS INTEGER)`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_bswap(v) AS
     ((v & 255::UBIGINT) << 24) | (((v >> 8) & 255::UBIGINT) << 16) | (((v >> 16) & 255::UBIGINT) << 8) | ((v >> 24) & 255::UBIGINT)`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_hex(hx, len) AS
     fm_mm3_signed(fm_mm3_fmix(
       list_transform([list_reduce(
         list_transform(list_transform(range(len // 4), fm_bi -> ('0x' || substr(hx, 1 + 8 * fm_bi, 8))::UBIGINT), fm_bv -> fm_mm3_bswap(fm_bv)),
         (fm_h, fm_k) -> fm_mm3_mix(fm_h, fm_k), 0::UBIGINT)], fm_hh ->
         CASE WHEN len % 4 = 0 THEN fm_hh
              ELSE xor(fm_hh, fm_mm3_k(list_transform([('0x' || substr(hx, 1 + 8 * (len // 4), 2 * (len % 4)))::UBIGINT],
                     fm_tv -> fm_mm3_bswap(fm_tv) >> (8 * (4 - len % 4)))[1])) END)[1],
       len))`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_varchar(s) AS
     list_transform([encode(CAST(s AS VARCHAR))], fm_b -> fm_mm3_hex(hex(fm_b), octet_length(fm_b)))[1]`,
  `CREATE OR REPLACE TEMP MACRO fm_mm3_bucket(hash, n) AS CAST((hash & 2147483647) % n AS INTEGER)`,
];

const rotl = (x: string, r: number): string => `((${x} << ${r}) | (${x} >> ${32 - r})) & ${M32}`;

/** HashStage is one projection layer over the previous relation: added columns, replaced columns, dropped columns. */
export interface HashStage {
  add?: string;
  replace?: string;
  exclude?: string[];
}

/**
 * murmur3LongStages returns the select-list layers that hash the BIGINT column `input`
 * into the INTEGER column `output` (pure). Each layer is `SELECT *, <layer> FROM (prev)`
 * or `SELECT * REPLACE (...)`: DuckDB keeps the projections apart, so every value is
 * computed once. Scratch columns are named `<output>_a` and `<output>_b` and dropped by the
 * last layer.
 */
export function murmur3LongStages(input: string, output: string): HashStage[] {
  const a = `${output}_a`;
  const b = `${output}_b`;
  return [
    { add: `((${input} & 4294967295)::UBIGINT * 3432918353::UBIGINT) & ${M32} AS ${a}, (((${input} >> 32) & 4294967295)::UBIGINT * 3432918353::UBIGINT) & ${M32} AS ${b}` },
    { replace: `${rotl(a, 15)} AS ${a}, ${rotl(b, 15)} AS ${b}` },
    { replace: `(${a} * 461845907::UBIGINT) & ${M32} AS ${a}, (${b} * 461845907::UBIGINT) & ${M32} AS ${b}` },
    { replace: `${rotl(a, 13)} AS ${a}` },
    { replace: `xor((${a} * 5::UBIGINT + 3864292196::UBIGINT) & ${M32}, ${b}) AS ${a}` },
    { replace: `${rotl(a, 13)} AS ${a}` },
    { replace: `xor((${a} * 5::UBIGINT + 3864292196::UBIGINT) & ${M32}, 8::UBIGINT) AS ${a}` },
    { replace: `(xor(${a}, ${a} >> 16) * 2246822507::UBIGINT) & ${M32} AS ${a}` },
    { replace: `(xor(${a}, ${a} >> 13) * 3266489909::UBIGINT) & ${M32} AS ${a}` },
    { replace: `xor(${a}, ${a} >> 16) AS ${a}` },
    { add: `CAST(CASE WHEN ${a} >= 2147483648::UBIGINT THEN ${a}::BIGINT - 4294967296 ELSE ${a}::BIGINT END AS INTEGER) AS ${output}`, exclude: [a, b] },
  ];
}
