import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuckDBInstance } from '@duckdb/node-api';
import { bucketOf, murmur3Bytes, murmur3Double, murmur3Long, murmur3String, murmur3LongStages, MURMUR3_MACROS } from '../../runner/lake/write/murmur3.ts';

// Iceberg spec, Appendix B "32-bit Hash Requirements": published hash values.
const DAYS_2017_11_16 = 17486n;
const MICROS_2017_11_16_22_31_08 = 1510871468000000n;

test('matches the Iceberg spec hash vectors for int, long, date, timestamp, string and bytes', () => {
  assert.equal(murmur3Long(34n), 2017239379);
  assert.equal(murmur3Long(DAYS_2017_11_16), -653330422);
  assert.equal(murmur3Long(MICROS_2017_11_16_22_31_08), -2047944441);
  assert.equal(murmur3String('iceberg'), 1210000089);
  assert.equal(murmur3Bytes(Uint8Array.from([0, 1, 2, 3])), -188683207);
  assert.equal(murmur3Long(81068000000n), -662762989); // time 22:31:08 as micros of the day
});

test('hashes doubles by their bits with -0 equal to 0, and buckets non-negatively', () => {
  assert.equal(murmur3Double(-0), murmur3Double(0));
  assert.notEqual(murmur3Double(1.5), murmur3Double(2.5));
  assert.equal(bucketOf(murmur3Long(34n), 16), 2017239379 % 16);
  for (const hash of [-1, -2147483648, 2147483647, 0]) {
    const bucket = bucketOf(hash, 7);
    assert.ok(bucket >= 0 && bucket < 7, `bucket of ${hash} is ${bucket}`);
  }
});

function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('the DuckDB macros and stages give the same hashes as the JS reference on random inputs', async () => {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    for (const macro of MURMUR3_MACROS) await connection.run(macro);
    const random = seededRandom(42);
    const longs: bigint[] = [0n, -1n, 34n, 2n ** 63n - 1n, -(2n ** 63n), DAYS_2017_11_16];
    for (let i = 0; i < 300; i += 1) {
      const high = BigInt(Math.floor(random() * 2 ** 32)) - 2n ** 31n;
      const low = BigInt(Math.floor(random() * 2 ** 32));
      longs.push((high << 32n) | low);
    }
    let sql = `SELECT i, CAST(v AS BIGINT) AS v FROM (SELECT unnest(range(${longs.length})) AS i, unnest($1::VARCHAR[]) AS v)`;
    for (const stage of murmur3LongStages('v', 'h')) {
      const exclude = stage.exclude ? ` EXCLUDE (${stage.exclude.join(', ')})` : '';
      const replace = stage.replace ? ` REPLACE (${stage.replace})` : '';
      sql = `SELECT *${exclude}${replace}${stage.add ? `, ${stage.add}` : ''} FROM (${sql})`;
    }
    const longRows = (await connection.runAndReadAll(`${sql} ORDER BY i`, [`[${longs.map((v) => `'${v}'`).join(',')}]`])).getRowObjectsJS();
    assert.equal(longRows.length, longs.length);
    longRows.forEach((row, i) => assert.equal(row.h, murmur3Long(longs[i] ?? 0n), `long ${longs[i]}`));

    const alphabet = ['a', 'Z', '0', ' ', 'é', '€', '😀', '\'', '"', 'ß'];
    const strings: string[] = ['', 'iceberg', 'abcd', 'abcde'];
    for (let i = 0; i < 200; i += 1) {
      const length = Math.floor(random() * 23);
      let text = '';
      for (let j = 0; j < length; j += 1) text += alphabet[Math.floor(random() * alphabet.length)] ?? 'a';
      strings.push(text);
    }
    await connection.run('CREATE TEMP TABLE inputs (i INTEGER, s VARCHAR)');
    const insert = await connection.prepare('INSERT INTO inputs VALUES ($1, $2)');
    for (const [i, text] of strings.entries()) {
      insert.bindInteger(1, i);
      insert.bindVarchar(2, text);
      await insert.run();
    }
    const stringRows = (await connection.runAndReadAll(
      'SELECT i, fm_mm3_varchar(s) AS h, fm_mm3_bucket(fm_mm3_varchar(s), 13) AS b FROM inputs ORDER BY i',
    )).getRowObjectsJS();
    assert.equal(stringRows.length, strings.length);
    stringRows.forEach((row, i) => {
      const text = strings[i] ?? '';
      assert.equal(row.h, murmur3String(text), `string ${JSON.stringify(text)}`);
      assert.equal(row.b, bucketOf(murmur3String(text), 13));
    });
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});
