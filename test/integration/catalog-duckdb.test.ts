import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { openDuckDB, queryOne, queryRows, queryRowsBig, runSql, withTransaction } from '../../runner/lake/duckdb.ts';

describe('openDuckDB and the query helpers', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fm-duckdb-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('locks extensions down: autoinstall/autoload off, a private extension folder removed on close', async () => {
    const db = await openDuckDB(':memory:', { threads: 1, memoryLimit: '256MB' });
    const settings = await queryOne(
      db.connection,
      `SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load,
              current_setting('extension_directory') AS folder, current_setting('threads') AS threads`,
    );
    assert.equal(settings?.install, false);
    assert.equal(settings?.load, false);
    assert.equal(settings?.threads, 1);
    const folder = String(settings?.folder);
    assert.ok(folder.startsWith(tmpdir()), folder);
    await access(folder);
    await assert.rejects(runSql(db.connection, "SELECT * FROM read_csv('https://example.invalid/x.csv')"), /httpfs|extension/i);
    await db.close();
    await assert.rejects(access(folder));
  });

  it('binds values, reads BIGINT as number or bigint, and refuses unsafe numbers', async () => {
    const log: string[] = [];
    const logger = pino({ level: 'debug' }, new Writable({ write(chunk, _e, done) { log.push(String(chunk)); done(); } }));
    const db = await openDuckDB(':memory:', { log: logger });
    try {
      const name = "x'); DROP TABLE t; --";
      assert.deepEqual(await queryRows(db.connection, 'SELECT ?::BIGINT AS n, ? AS s, $1::BIGINT + 1 AS m', [41, name]), [{ n: 41, s: name, m: 42 }]);
      assert.deepEqual(await queryRowsBig(db.connection, 'SELECT 9007199254740993::BIGINT AS n'), [{ n: 9007199254740993n }]);
      await assert.rejects(queryRows(db.connection, 'SELECT 9007199254740993::BIGINT AS n'), /outside the safe JS number range/);
      assert.ok(log.some((line) => line.includes('DROP TABLE t')), 'the SQL and its parameters are logged at DEBUG');
    } finally {
      await db.close();
    }
  });

  it('commits a transaction, and rolls it back when the function throws', async () => {
    const db = await openDuckDB(join(dir, 'tx.duckdb'));
    try {
      await runSql(db.connection, 'CREATE TABLE t(v INTEGER)');
      await withTransaction(db.connection, async (c) => runSql(c, 'INSERT INTO t VALUES (1)'));
      await assert.rejects(withTransaction(db.connection, async (c) => {
        await runSql(c, 'INSERT INTO t VALUES (2)');
        throw new Error('stop');
      }), /stop/);
      assert.deepEqual(await queryRows(db.connection, 'SELECT v FROM t ORDER BY v'), [{ v: 1 }]);
      await runSql(db.connection, 'INSERT INTO t VALUES (3)');
      assert.deepEqual(await queryRows(db.connection, 'SELECT count(*)::INTEGER AS n FROM t'), [{ n: 2 }], 'the connection is usable after a rollback');
    } finally {
      await db.close();
    }
  });

  it('opens read-only: reads work, writes are refused', async () => {
    const path = join(dir, 'ro.duckdb');
    const writer = await openDuckDB(path);
    await runSql(writer.connection, 'CREATE TABLE t AS SELECT 7 AS v');
    await writer.close();
    const reader = await openDuckDB(path, { readOnly: true });
    try {
      assert.deepEqual(await queryRows(reader.connection, 'SELECT v FROM t'), [{ v: 7 }]);
      await assert.rejects(runSql(reader.connection, 'INSERT INTO t VALUES (8)'), /read-only/i);
    } finally {
      await reader.close();
    }
  });
});
