import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { condition, HAS_KUBECTL, jobsOf, previewRows, runQuery, startLake, waitReady, type LakeHarness } from './lake-harness.ts';

/** CSV rows of the sample file, for sums the tests compute independently of Featherman. */
function csvRows(text: string): string[][] {
  return text.trim().split('\n').slice(1).map((line) => line.split(','));
}

describe('a lake from kubectl apply to delete, in local mode', { skip: !HAS_KUBECTL && 'kubectl is not on PATH' }, () => {
  let lake: LakeHarness;
  let ordersCsv: string;
  // The sample orders plus two rows of 2019 (past the 365-day TTL) and one of today, in one
  // object: a second object in the same minute would wait for the next minute's ingest Job.
  const today = new Date().toISOString().slice(0, 19).replace('T', ' ');
  before(async () => {
    lake = await startLake();
    ordersCsv = `${lake.examples('landing/sales/orders-2026-11-01.csv').trimEnd()}\n9001,2019-03-01 10:00:00,EU,10.00\n9002,2019-03-02 10:00:00,US,20.00\n9003,${today},US,30.00\n`;
  });
  after(async () => {
    await lake.close();
  });

  it('applies the examples and the catalog and tables become Ready', async () => {
    const applied = await lake.apply(['catalog.yaml', 'orders-table.yaml', 'returns-table.yaml'].map((name) => lake.examples(name)).join('\n---\n'));
    assert.match(applied, /ducklakecatalog\.ducklake\.featherman\.dev\/shop created/);
    const catalog = await waitReady(lake, 'dlc/shop');
    assert.equal(catalog.status?.dataPath, 's3://lake/warehouse/');
    await waitReady(lake, 'dlt/orders');
    await waitReady(lake, 'dlt/returns');
    const waited = await lake.kubectl(['wait', '--for=condition=Ready', 'dlc/shop', 'dlt/orders', 'dlt/returns', '--timeout=10s']);
    assert.equal(waited.match(/condition met/g)?.length, 3);
    assert.equal((await lake.get('dlc/shop'))?.status?.tableCount, 2);
  });

  it('ingests each landing file exactly once, however often it is announced', async () => {
    await lake.put('landing/orders/orders-2026-11-01.csv', ordersCsv);
    await lake.put('landing/returns/returns.json', lake.examples('landing/sales/orders-2026-11-05.json'));
    const rows = csvRows(ordersCsv).length;
    await lake.waitFor('orders to hold the CSV rows', async () => ((await lake.get('dlt/orders'))?.status?.rowCount === rows ? true : undefined), async () => (await lake.get('dlt/orders'))?.status);
    await lake.waitFor('returns to hold 100 rows', async () => ((await lake.get('dlt/returns'))?.status?.rowCount === 100 ? true : undefined), async () => (await lake.get('dlt/returns'))?.status);
    // The same object written again (same ETag) and a resync: nothing is ingested twice.
    await lake.put('landing/orders/orders-2026-11-01.csv', ordersCsv);
    const swept = await lake.sweep('resync-only');
    assert.equal(swept.status, 200, JSON.stringify(swept.body));
    await lake.waitFor('every ingest Job of orders to finish', async () => {
      const jobs = await jobsOf(lake, 'fm-ingest-orders');
      return jobs.every((job) => (job.status as { succeeded?: number; failed?: number } | undefined)?.succeeded || (job.status as { failed?: number } | undefined)?.failed) ? jobs : undefined;
    }, () => jobsOf(lake, 'fm-ingest-orders'));
    const query = await runQuery(lake, 'count-orders', 'SELECT count(*) AS n, count(DISTINCT id) AS ids, sum(amount) AS total FROM orders');
    assert.equal(query.status?.phase, 'Succeeded', JSON.stringify(query.status));
    const expectedTotal = csvRows(ordersCsv).reduce((sum, row) => sum + Math.round(Number(row[3]) * 100), 0) / 100;
    const [result] = previewRows(query);
    assert.equal(Number(result?.n), rows);
    assert.equal(Number(result?.ids), rows);
    assert.equal(Number(result?.total), expectedTotal);
    assert.equal((await lake.get('dlt/orders'))?.status?.rowCount, rows);
  });

  it('evolves the schema: adds a column and renames one via renamedFrom, keeping the data', async () => {
    const before = await lake.get('dlt/orders');
    const ingestJobs = (await jobsOf(lake, 'fm-ingest-orders')).length;
    const evolved = lake.examples('orders-table.yaml')
      .replace('    - name: amount\n      type: DECIMAL(10,2)\n', '    - name: total\n      type: DECIMAL(10,2)\n      renamedFrom: amount\n    - name: channel\n      type: VARCHAR\n');
    assert.notEqual(evolved, lake.examples('orders-table.yaml'));
    await lake.apply(evolved);
    const table = await waitReady(lake, 'dlt/orders');
    assert.equal(table.metadata.generation, (before?.metadata.generation ?? 0) + 1);
    assert.ok((table.status?.schemaVersion as number) > (before?.status?.schemaVersion as number), `schemaVersion ${String(table.status?.schemaVersion)} after ${String(before?.status?.schemaVersion)}`);
    const query = await runQuery(lake, 'evolved-orders', 'SELECT count(*) AS n, sum(total) AS total, count(channel) AS channels FROM orders');
    assert.equal(query.status?.phase, 'Succeeded', JSON.stringify(query.status));
    const [result] = previewRows(query);
    const expectedTotal = csvRows(ordersCsv).reduce((sum, row) => sum + Math.round(Number(row[3]) * 100), 0) / 100;
    assert.equal(Number(result?.total), expectedTotal, 'the renamed column keeps its values');
    assert.equal(Number(result?.channels), 0, 'the added column is NULL in old rows');
    // The new generation ran a catch-up ingest over the same landing object: nothing twice.
    assert.ok((await jobsOf(lake, 'fm-ingest-orders')).length > ingestJobs, 'a catch-up ingest Job ran for generation 2');
    assert.equal(Number(result?.n), csvRows(ordersCsv).length);
    assert.equal(table.status?.rowCount, csvRows(ordersCsv).length);
    const old = await runQuery(lake, 'old-name', 'SELECT sum(amount) FROM orders');
    assert.equal(old.status?.phase, 'Failed');
    assert.match(condition(old, 'Ready')?.message ?? JSON.stringify(old.status), /amount/);
  });

  it('expires rows older than ttlDays through the sweep', async () => {
    const rows = csvRows(ordersCsv).length;
    const swept = await lake.sweep();
    assert.equal(swept.status, 200, JSON.stringify(swept.body));
    const started = swept.body.maintenanceJobs as string[];
    assert.ok(started.some((name) => name.startsWith('fm-expire-rows-orders')), JSON.stringify(swept.body));
    assert.ok(!started.some((name) => name.startsWith('fm-expire-rows-returns')), 'returns has no TTL');
    const job = await lake.waitFor('the expire-rows Job to succeed', async () => {
      const [found] = await jobsOf(lake, 'fm-expire-rows-orders');
      const state = found?.status as { succeeded?: number; failed?: number } | undefined;
      return state?.succeeded || state?.failed ? found : undefined;
    }, () => jobsOf(lake, 'fm-expire-rows-orders'));
    assert.equal((job.status as { succeeded?: number }).succeeded, 1, JSON.stringify(job.status));
    // status.rowCount is not refreshed by maintenance Jobs (only ingest and apply-table
    // results carry figures), so the query is the witness.
    const again = await lake.sweep();
    assert.ok(!(again.body.maintenanceJobs as string[]).some((name) => name.startsWith('fm-expire-rows')), 'a second sweep in the same hour starts no second TTL Job');
    const query = await runQuery(lake, 'after-ttl', "SELECT count(*) AS n, count(*) FILTER (WHERE ts < TIMESTAMP '2020-01-01') AS expired, count(*) FILTER (WHERE id = 9003) AS today FROM orders");
    const [result] = previewRows(query);
    assert.deepEqual([Number(result?.n), Number(result?.expired), Number(result?.today)], [rows - 2, 0, 1]);
  });

  it('deletes a Retain table keeping its files, and a Delete table removing them', async () => {
    const returnsFiles = await lake.keys('warehouse/main/returns/');
    const ordersFiles = await lake.keys('warehouse/main/orders/');
    assert.ok(returnsFiles.length > 0 && ordersFiles.length > 0);
    await lake.kubectl(['delete', 'dlt/returns', '--timeout=60s']);
    assert.equal(await lake.get('dlt/returns'), undefined);
    assert.deepEqual(await lake.keys('warehouse/main/returns/'), returnsFiles, 'Retain keeps every data file');
    await lake.kubectl(['delete', 'dlt/orders', '--timeout=60s']);
    assert.equal(await lake.get('dlt/orders'), undefined);
    assert.deepEqual(await lake.keys('warehouse/main/orders/'), [], 'Delete removes the data files');
    assert.ok((await lake.keys('landing/orders/')).length > 0, 'landing files are not table data');
  });
});
