import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import type { TableReference } from '../../runner/lake/read/predicates.ts';
import { parseSelect } from '../../runner/lake/read/sql-guard.ts';

let instance: DuckDBInstance;
let connection: DuckDBConnection;

before(async () => {
  instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  connection = await instance.connect();
});

after(() => {
  connection.closeSync();
  instance.closeSync();
});

const refs = async (sql: string): Promise<TableReference[]> => (await parseSelect(connection, sql)).references;

describe('parseSelect with DuckDB\'s parser', () => {
  it('extracts comparisons, IN, BETWEEN and IS NULL from a WHERE of AND', async () => {
    const [ref] = await refs("SELECT * FROM s.t WHERE a >= 5 AND 10 > b AND c IN (1, 2) AND d BETWEEN DATE '2024-01-01' AND '2024-02-01' AND e IS NOT NULL AND (f = 1 OR g = 2)");
    assert.equal(ref?.schema, 's');
    assert.equal(ref?.table, 't');
    assert.deepEqual(ref?.predicates.map((p) => [p.kind, p.column, p.kind === 'compare' ? p.op : '']), [
      ['compare', 'a', '>='], ['compare', 'b', '<'], ['in', 'c', ''], ['between', 'd', ''], ['null', 'e', ''],
    ]);
  });

  it('attaches qualified predicates to the right side of an inner join only', async () => {
    const found = await refs("SELECT * FROM sales s JOIN regions r ON s.region = r.name WHERE s.id = 3 AND r.code = 'EU' AND id2 = 4");
    assert.deepEqual(found.map((r) => [r.table, r.predicates.map((p) => p.column)]), [['sales', ['id']], ['regions', ['code']]]);
  });

  it('gives no predicates through outer joins, samples or subqueries in FROM', async () => {
    for (const sql of [
      'SELECT * FROM a LEFT JOIN b ON a.x = b.x WHERE a.y = 1',
      'SELECT * FROM a TABLESAMPLE 10% WHERE y = 1',
      'SELECT * FROM (SELECT * FROM a) q WHERE y = 1',
      'SELECT * FROM a POSITIONAL JOIN b WHERE a.y = 1',
    ]) {
      const found = await refs(sql);
      assert.ok(found.length > 0, sql);
      assert.ok(found.every((r) => r.predicates.length === 0), sql);
    }
  });

  it('finds tables in CTEs, subqueries and set operations, and names the CTEs', async () => {
    const shape = await parseSelect(connection, 'WITH recent AS (SELECT * FROM sales WHERE id > 5) SELECT * FROM recent UNION ALL SELECT * FROM other WHERE id IN (SELECT id FROM third)');
    assert.deepEqual(shape.references.map((r) => r.table).sort(), ['other', 'recent', 'sales', 'third']);
    assert.ok(shape.cteNames.has('recent'));
    assert.equal(shape.references.find((r) => r.table === 'sales')?.predicates.length, 1);
  });

  it('refuses what is not one SELECT', async () => {
    await assert.rejects(parseSelect(connection, 'SELECT 1; SELECT 2'), /exactly one SELECT statement; got 2/);
    await assert.rejects(parseSelect(connection, 'PRAGMA version'), /one read-only SELECT/);
    await assert.rejects(parseSelect(connection, 'SELEC 1'), /does not parse/);
  });
});
