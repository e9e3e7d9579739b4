import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { condition, HAS_KUBECTL, startLake, waitReady, type LakeHarness, type Resource } from './lake-harness.ts';

const TABLE = (name: string, spec: string): string => `apiVersion: ducklake.featherman.dev/v1alpha1
kind: DuckLakeTable
metadata:
  name: ${name}
  namespace: default
spec:
  catalogRef: shop
${spec.replace(/^/gm, '  ')}
`;

const COLUMNS = `columns:
  - name: id
    type: BIGINT
  - name: ts
    type: TIMESTAMP`;

describe('bad manifests and failing Jobs, in local mode', { skip: !HAS_KUBECTL && 'kubectl is not on PATH' }, () => {
  let lake: LakeHarness;
  before(async () => {
    lake = await startLake();
    await lake.apply(lake.examples('catalog.yaml'));
    await waitReady(lake, 'dlc/shop');
  });
  after(async () => {
    await lake.close();
  });

  it('kubectl apply refuses what the CRD schema forbids, naming the field and the value', async () => {
    const stderr = await lake.kubectlFails(['apply', '-f', '-'], TABLE('t1', `name: t1\n${COLUMNS}\ndeletionPolicy: Sometimes`));
    assert.match(stderr, /spec\.deletionPolicy/);
    assert.match(stderr, /Unsupported value: "Sometimes"/);
    assert.match(stderr, /"Retain", "Delete"/);
    const badName = await lake.kubectlFails(['apply', '-f', '-'], TABLE('t2', `name: "1 bad name"\n${COLUMNS}`));
    assert.match(badName, /spec\.name/);
    assert.equal(await lake.get('dlt/t1'), undefined, 'nothing was created');
    assert.equal(await lake.get('dlt/t2'), undefined, 'nothing was created');
  });

  it('kubectl apply refuses what the CRD CEL rules forbid, with their messages', async () => {
    const ttl = await lake.kubectlFails(['apply', '-f', '-'], TABLE('t3', `name: t3\n${COLUMNS}\nttlDays: 30`));
    assert.match(ttl, /ttlDays and ttlColumn must be set together/);
    const partition = await lake.kubectlFails(['apply', '-f', '-'], TABLE('t4', `name: t4\n${COLUMNS}\nformat:\n  partitioning: [month(created)]`));
    assert.match(partition, /every partition key must name a declared column/);
    await lake.apply(TABLE('t5', `name: t5\n${COLUMNS}`));
    await waitReady(lake, 'dlt/t5');
    const renamed = await lake.kubectlFails(['apply', '-f', '-'], TABLE('t5', `name: t5_renamed\n${COLUMNS}`));
    assert.match(renamed, /name is immutable/);
    assert.equal((await lake.get('dlt/t5'))?.spec?.name, 't5', 'the table keeps its name');
  });

  it('a rule only zod knows ends in Ready=False InvalidSpec with a message naming field, rule and value', async () => {
    // Column names differing only in case pass the CRD (its list map key is case-sensitive).
    const applied = await lake.kubectl(['apply', '-f', '-'], TABLE('t6', 'name: t6\ncolumns:\n  - name: id\n    type: BIGINT\n  - name: ID\n    type: VARCHAR'))
      .then((stdout) => ({ stdout, stderr: '' }), (error: Error & { stderr?: string }) => ({ stdout: '', stderr: error.stderr ?? error.message }));
    if (applied.stderr !== '') {
      // The admission webhook may refuse it before it is stored: then the refusal must say why.
      assert.match(applied.stderr, /columns/);
      assert.match(applied.stderr, /"ID"|"id"/);
      return;
    }
    const table = await lake.waitFor('t6 to report InvalidSpec', async () => {
      const found = await lake.get('dlt/t6');
      return condition(found, 'Ready')?.reason === 'InvalidSpec' ? found : undefined;
    }, async () => (await lake.get('dlt/t6'))?.status);
    const ready = condition(table, 'Ready');
    assert.equal(ready?.status, 'False');
    assert.match(ready?.message ?? '', /columns/);
    assert.match(ready?.message ?? '', /"ID"|"id"/);
    assert.equal(table.status?.phase, 'Failed');
    const jobs = (await lake.list('jobs')).filter((job) => job.metadata.name.includes('-t6-'));
    assert.deepEqual(jobs.map((job) => job.metadata.name), [], 'an invalid table starts no Job');
    const events = await lake.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=t6', '-o', 'jsonpath={.items[*].reason}']);
    assert.match(events, /InvalidSpec/);
  });

  it('a failing Job shows the runner\'s error in status: narrowing a column type is refused', async () => {
    await lake.apply(TABLE('t5', 'name: t5\ncolumns:\n  - name: id\n    type: INTEGER\n  - name: ts\n    type: TIMESTAMP'));
    const table: Resource = await lake.waitFor('t5 to refuse generation 2', async () => {
      const found = await lake.get('dlt/t5');
      const ready = condition(found, 'Ready');
      return ready?.status === 'False' && ready.observedGeneration === 2 && ready.reason !== 'JobRunning' ? found : undefined;
    }, async () => (await lake.get('dlt/t5'))?.status, 90_000);
    const ready = condition(table, 'Ready');
    assert.match(ready?.reason ?? '', /DataLoss|JobFailed/);
    assert.match(ready?.message ?? '', /\bid\b/);
    assert.match(ready?.message ?? '', /BIGINT|INTEGER|narrow/i);
    const jobs = (await lake.list('jobs')).filter((job) => job.metadata.name.startsWith('fm-apply-table-t5'));
    assert.equal(jobs.length, 2, 'one apply-table Job per generation');
    assert.ok(jobs.some((job) => (job.status as { failed?: number } | undefined)?.failed), 'the generation-2 Job failed');
    const described = await lake.kubectl(['describe', 'dlt', 't5']);
    assert.match(described, /Warning/);
  });

  it('a DuckLakeQuery over a missing table fails with the error in status and is never retried', async () => {
    await lake.kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeQuery', metadata: { name: 'missing', namespace: 'default' }, spec: { catalogRef: 'shop', sql: 'SELECT * FROM no_such_table' } }));
    const query = await lake.waitFor('query missing to fail', async () => {
      const found = await lake.get('dlq/missing');
      return found?.status?.phase === 'Failed' ? found : undefined;
    }, async () => (await lake.get('dlq/missing'))?.status);
    assert.match(condition(query, 'Ready')?.message ?? '', /no_such_table/);
    const swept = await lake.sweep('resync-only');
    assert.ok(swept.status < 500, JSON.stringify(swept.body));
    const jobs = (await lake.list('jobs')).filter((job) => job.metadata.name.startsWith('fm-query-missing'));
    assert.equal(jobs.length, 1, 'one Job for the query, whatever the sweeps');
    assert.equal((await lake.get('dlq/missing'))?.status?.phase, 'Failed');
  });
});
