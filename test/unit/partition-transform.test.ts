import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePartitionKey, type PartitionKey } from '../../api/partition-spec.ts';
import { isFeathermanError } from '../../runner/errors.ts';
import { MURMUR3_MACROS, bucketOf, murmur3Bytes, murmur3Double, murmur3Long, murmur3String } from '../../runner/lake/write/murmur3.ts';
import { buildPartitionedSelect, hiveEscape, partitionDirectory, planPartitionFields, HIVE_NULL, type PartitionSourceColumn } from '../../runner/lake/write/partition.ts';

const columns: PartitionSourceColumn[] = [
  { name: 'id', columnId: 1, type: 'int32' },
  { name: 'ts', columnId: 2, type: 'timestamp' },
  { name: 'region', columnId: 3, type: 'varchar' },
  { name: 'amount', columnId: 4, type: 'float64' },
  { name: 'd', columnId: 5, type: 'date' },
  { name: 'day', columnId: 6, type: 'int32' },
];

function keys(...texts: string[]): PartitionKey[] {
  return texts.map((text) => {
    const key = parsePartitionKey(text);
    if ('error' in key) throw new Error(key.error);
    return key;
  });
}

test('names hive directories by column for identity and by transform otherwise, prefixing the column on a clash', () => {
  const fields = planPartitionFields(keys('region', 'day(ts)', 'bucket(4, id)', 'month(d)', 'year(ts)', 'year(d)'), columns);
  assert.deepEqual(fields.map((field) => field.dirName), ['region', 'day_ts', 'bucket', 'month', 'year_ts', 'year_d']);
  assert.deepEqual(fields.map((field) => field.columnId), [3, 2, 1, 5, 2, 5]);
  assert.deepEqual(fields.map((field) => field.kind), ['expression', 'expression', 'bucket-long', 'expression', 'expression', 'expression']);
  assert.equal(planPartitionFields(keys('bucket(8, region)'), columns)[0]?.kind, 'bucket-text');
});

test('refuses transforms that do not fit the column type, naming key, rule and type', () => {
  const cases: Array<[string, RegExp]> = [
    ['hour(d)', /format\.partitioning\[0\]: hour\(\) needs a timestamp column; got "d" of type date/],
    ['day(region)', /day\(\) needs a date or timestamp column; got "region" of type varchar/],
    ['nope', /must name a column of the table; got "nope"/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => planPartitionFields(keys(text), columns), (error: unknown) => isFeathermanError(error) && error.code === 'FM_ERR_INVALID_SPEC' && message.test(error.message));
  }
});

test('hive-escapes values and writes NULL as the default partition', () => {
  assert.equal(hiveEscape('EU'), 'EU');
  assert.equal(hiveEscape('a/b=c%'), 'a%2Fb%3Dc%25');
  assert.equal(hiveEscape('é x'), '%C3%A9%20x');
  assert.equal(hiveEscape('2024-01-01 10:00:00'), '2024-01-01%2010%3A00%3A00');
  const fields = planPartitionFields(keys('region', 'day(ts)'), columns);
  assert.equal(partitionDirectory(fields, ['../x', null]), `region=..%2Fx/day_ts=${HIVE_NULL}/`, 'a table column named day forces day_ts');
});

test('computes identity, calendar-field and bucket values in DuckDB as the format defines them', async () => {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    for (const macro of MURMUR3_MACROS) await connection.run(macro);
    const fields = planPartitionFields(keys('region', 'year(ts)', 'month(ts)', 'day(ts)', 'hour(ts)', 'bucket(16, id)', 'bucket(5, region)', 'bucket(7, d)', 'bucket(3, ts)'), columns);
    const source = `SELECT * FROM (VALUES
      (34, TIMESTAMP '2017-11-16 22:31:08', 'iceberg', 1.0, DATE '2017-11-16', 1),
      (-7, TIMESTAMP '1969-12-31 23:59:59.5', NULL, 2.0, DATE '1969-12-31', 2),
      (NULL, NULL, 'EU', 3.0, NULL, 3)) v(id, ts, region, amount, d, day)`;
    const sql = buildPartitionedSelect(source, fields, columns);
    const rows = (await connection.runAndReadAll(`${sql} ORDER BY day`)).getRowObjectsJS();
    const values = rows.map((row) => fields.map((field) => row[field.hidden] ?? null));
    assert.deepEqual(values[0], ['iceberg', '2017', '11', '16', '22', String(bucketOf(murmur3Long(34n), 16)), String(bucketOf(murmur3String('iceberg'), 5)),
      String(bucketOf(murmur3Long(17486n), 7)), String(bucketOf(murmur3Long(1510871468000000n), 3))]);
    assert.deepEqual(values[1], [null, '1969', '12', '31', '23', String(bucketOf(murmur3Long(-7n), 16)), null, String(bucketOf(murmur3Long(-1n), 7)), String(bucketOf(murmur3Long(-500000n), 3))]);
    assert.deepEqual(values[2], ['EU', null, null, null, null, null, String(bucketOf(murmur3String('EU'), 5)), null, null]);
    assert.deepEqual(Object.keys(rows[0] ?? {}).slice(0, 6), ['id', 'ts', 'region', 'amount', 'd', 'day'], 'data columns keep their names and order');
    assert.ok(!Object.keys(rows[0] ?? {}).some((name) => name.endsWith('_in') || name.endsWith('_h')), 'scratch columns are dropped');
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('buckets doubles by their IEEE-754 bits, as the JS reference does, for every kind of double', async () => {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    for (const macro of MURMUR3_MACROS) await connection.run(macro);
    const values = [1.5, -2.25, 0, -0, 1e300, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, 1.7976931348623157e308, 0.1, -0.3, 1e-310, Infinity, -Infinity, NaN];
    for (let i = 0; i < 100; i += 1) values.push((Math.sin(i * 7.3) * 10 ** ((i % 40) - 20)));
    const fields = planPartitionFields(keys('bucket(1000, amount)'), columns);
    assert.equal(fields[0]?.kind, 'bucket-long');
    const texts = values.map((value) => (Object.is(value, -0) ? '-0.0' : Number.isNaN(value) ? 'nan' : value === Infinity ? 'inf' : value === -Infinity ? '-inf' : String(value)));
    const source = `SELECT i AS id, NULL::TIMESTAMP AS ts, NULL AS region, CAST(v AS DOUBLE) AS amount, NULL::DATE AS d, i AS day
      FROM (SELECT unnest(range(${texts.length})) AS i, unnest($1::VARCHAR[]) AS v)`;
    const rows = (await connection.runAndReadAll(`${buildPartitionedSelect(source, fields, columns)} ORDER BY id`, [`[${texts.map((text) => `'${text}'`).join(',')}]`])).getRowObjectsJS();
    rows.forEach((row, i) => assert.equal(row.__fm_p0, String(bucketOf(murmur3Double(values[i] ?? 0), 1000)), `double ${values[i]}`));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

test('buckets each type by what the extension hashes: the stored integer in its own unit, the text of unsigned and 128-bit values, the raw bytes of a blob', async () => {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    for (const macro of MURMUR3_MACROS) await connection.run(macro);
    const typed: PartitionSourceColumn[] = [
      { name: 'ts_s', columnId: 1, type: 'timestamp_s' },
      { name: 'ts_ms', columnId: 2, type: 'timestamp_ms' },
      { name: 'ts_ns', columnId: 3, type: 'timestamp_ns' },
      { name: 'tz', columnId: 4, type: 'timestamptz' },
      { name: 't', columnId: 5, type: 'time' },
      { name: 'small', columnId: 6, type: 'decimal(4,1)' },
      { name: 'money', columnId: 7, type: 'decimal(18,2)' },
      { name: 'wide', columnId: 8, type: 'decimal(38,3)' },
      { name: 'u8', columnId: 9, type: 'uint8' },
      { name: 'u64', columnId: 10, type: 'uint64' },
      { name: 'h', columnId: 11, type: 'int128' },
      { name: 'b', columnId: 12, type: 'blob' },
    ];
    const fields = planPartitionFields(keys(...typed.map((column) => `bucket(1000, ${column.name})`)), typed);
    const source = `SELECT TIMESTAMP_S '2024-01-02 03:04:05' AS ts_s, TIMESTAMP_MS '2024-01-02 03:04:05.678' AS ts_ms,
      TIMESTAMP_NS '2024-01-02 03:04:05.123456789' AS ts_ns, TIMESTAMPTZ '2024-01-02 03:04:05.5+00' AS tz, TIME '12:30:00.5' AS t,
      CAST(-12.3 AS DECIMAL(4,1)) AS small, CAST(1234.56 AS DECIMAL(18,2)) AS money, CAST(7.125 AS DECIMAL(38,3)) AS wide,
      CAST(200 AS UTINYINT) AS u8, CAST(18446744073709551615 AS UBIGINT) AS u64, CAST(170141183460469231731687303715884105727 AS HUGEINT) AS h,
      '\\xAA\\x00\\x41'::BLOB AS b`;
    const row = (await connection.runAndReadAll(buildPartitionedSelect(source, fields, typed))).getRowObjectsJS()[0] ?? {};
    const expected = [
      murmur3Long(1704164645n), murmur3Long(1704164645678n), murmur3Long(1704164645123456789n), murmur3Long(1704164645500000n),
      murmur3Long(45000500000n), murmur3Long(-123n), murmur3Long(123456n), murmur3String('7.125'), murmur3String('200'),
      murmur3String('18446744073709551615'), murmur3String('170141183460469231731687303715884105727'), murmur3Bytes(new Uint8Array([0xaa, 0x00, 0x41])),
    ].map((hash) => String(bucketOf(hash, 1000)));
    assert.deepEqual(fields.map((field) => row[field.hidden]), expected);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
