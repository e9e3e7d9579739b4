/**
 * The local demo (`npm start`): local mode in this process, the example manifests applied
 * with kubectl, CSV, JSON and Parquet landing files uploaded to the embedded S3, then what
 * Featherman made of them: Ready resources, rows and snapshot per table, a DuckLakeQuery's
 * preview at the latest snapshot and the same query at an earlier snapshot (time travel).
 * `--keep` leaves local mode running afterwards (Ctrl-C stops it).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { LOCAL_BUCKET, startLocalMode, type LocalMode } from '../local/up.ts';
import { EMBEDDED_S3_CREDENTIALS } from '../local/s3/embedded-s3.ts';
import { createLogger } from '../runner/log.ts';
import { DemoCluster, describeStatus, findKubectl, waitUntil, type DemoStatus } from './demo-cluster.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
/** Landing is one sample file, the key it is uploaded under (a table's ingest prefix) and the rows it holds. */
interface Landing { file: string; key: string; table: string; rows: number }
/** FIRST_LANDING fills each table once: CSV into the partitioned orders, JSON into returns, Parquet into the archive. */
const FIRST_LANDING: Landing[] = [
  { file: 'landing/sales/orders-2026-11-01.csv', key: 'landing/orders/orders-2026-11-01.csv', table: 'orders', rows: 200 },
  { file: 'landing/sales/orders-2026-11-05.json', key: 'landing/returns/orders-2026-11-05.json', table: 'returns', rows: 100 },
  { file: 'landing/sales/orders-2025.parquet', key: 'landing/archive/orders-2025.parquet', table: 'orders-archive', rows: 120 },
];
/** SECOND_LANDING adds a later CSV to orders: a new snapshot, so the first one is there to travel back to. */
const SECOND_LANDING: Landing[] = [
  { file: 'landing/sales/orders-2026-11-20.csv', key: 'landing/orders/orders-2026-11-20.csv', table: 'orders', rows: 50 },
];
const QUERY_SQL = 'SELECT region, count(*) AS orders, sum(amount) AS revenue FROM orders GROUP BY region ORDER BY region';

const { values } = parseArgs({
  options: {
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string', default: '.featherman/local' },
    's3-port': { type: 'string', default: '9000' },
    timeout: { type: 'string', default: '90' },
  },
});
const timeoutSeconds = Number(values.timeout);
const started = Date.now();

function say(text: string): void {
  process.stdout.write(`${text}\n`);
}

function step(text: string): void {
  say(`\n[${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
}

/** upload puts the landing files into the embedded S3 server and adds their rows to what each table should hold. */
async function upload(local: LocalMode, landing: Landing[], expected: Map<string, number>): Promise<void> {
  step(`uploading ${landing.length} landing file(s) to ${local.s3Endpoint}/${LOCAL_BUCKET}`);
  const s3 = new S3Client({ endpoint: local.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMBEDDED_S3_CREDENTIALS });
  try {
    for (const file of landing) {
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: file.key, Body: fs.readFileSync(path.join(EXAMPLES, file.file)) }));
      expected.set(file.table, (expected.get(file.table) ?? 0) + file.rows);
      say(`  s3://${LOCAL_BUCKET}/${file.key} (${file.rows} rows)`);
    }
  } finally {
    s3.destroy();
  }
}

/** waitForRows waits until each table's status.rowCount is what was uploaded and returns each table's status. */
async function waitForRows(cluster: DemoCluster, tables: string[], expected: Map<string, number>): Promise<Map<string, DemoStatus>> {
  step('waiting for the ingest Jobs');
  const statuses = new Map<string, DemoStatus>();
  for (const table of tables) {
    const rows = expected.get(table) ?? 0;
    const status = await waitUntil(`table ${table} to hold ${rows} rows`, timeoutSeconds, async () => {
      const current = await cluster.status(`DuckLakeTable/${table}`);
      return current.rowCount === rows ? current : undefined;
    }, async () => `${table}: rowCount=${String((await cluster.status(`DuckLakeTable/${table}`)).rowCount)}; ${await cluster.kubectl(['get', 'jobs'])}`);
    statuses.set(table, status);
    say(`  ${table}: ${rows} rows at snapshot ${status.lastAppliedSnapshot ?? '-'}`);
  }
  return statuses;
}

/** runQuery waits for a DuckLakeQuery to finish and prints its preview. */
async function runQuery(cluster: DemoCluster, name: string): Promise<void> {
  const query = await waitUntil(`DuckLakeQuery/${name} to finish`, timeoutSeconds, async () => {
    const status = await cluster.status(`DuckLakeQuery/${name}`);
    return status.phase === 'Succeeded' || status.phase === 'Failed' ? status : undefined;
  }, async () => describeStatus(await cluster.get(`DuckLakeQuery/${name}`)));
  if (query.phase !== 'Succeeded') throw new Error(`DuckLakeQuery/${name} failed: ${describeStatus({ status: query })}`);
  say(`  ${name}: ${query.rows ?? 0} rows at snapshot ${query.snapshotId ?? '-'}; status.preview:\n${(query.preview ?? '').replace(/^/gm, '    ')}`);
}

/** timeTravelQuery is the example query pinned to an earlier snapshot (spec.snapshot.id), as YAML. */
function timeTravelQuery(snapshotId: number): string {
  return [
    'apiVersion: ducklake.featherman.dev/v1alpha1',
    'kind: DuckLakeQuery',
    'metadata: { name: revenue-at-first-ingest, namespace: default }',
    'spec:',
    '  catalogRef: shop',
    `  sql: ${JSON.stringify(QUERY_SQL)}`,
    `  snapshot: { id: ${snapshotId} }`,
    '  previewRows: 10',
    '',
  ].join('\n');
}

async function demo(local: LocalMode, cluster: DemoCluster): Promise<void> {
  step('kubectl apply -f examples/');
  say((await cluster.apply(EXAMPLES)).trimEnd());

  step('waiting for the catalog and the tables to be Ready');
  const resources = ['DuckLakeCatalog/shop', 'DuckLakeTable/orders', 'DuckLakeTable/returns', 'DuckLakeTable/orders-archive'];
  for (const resource of resources) {
    await waitUntil(`${resource} Ready`, timeoutSeconds, async () => {
      const status = await cluster.status(resource);
      return status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ? true : undefined;
    }, async () => `${resource}: ${describeStatus(await cluster.get(resource))}`);
  }
  const waitArgs = resources.map((resource) => resource.toLowerCase());
  say((await cluster.kubectl(['wait', '--for=condition=Ready', ...waitArgs, '--timeout=30s']).catch((error: Error) => error.message)).trimEnd());

  const expected = new Map<string, number>();
  await upload(local, FIRST_LANDING, expected);
  const first = await waitForRows(cluster, ['orders', 'returns', 'orders-archive'], expected);
  const firstSnapshot = first.get('orders')?.lastAppliedSnapshot;
  if (firstSnapshot === undefined) throw new Error('DuckLakeTable/orders reports no status.lastAppliedSnapshot after its ingest');

  await upload(local, SECOND_LANDING, expected);
  await waitForRows(cluster, ['orders'], expected);
  say(await cluster.kubectl(['get', 'ducklake']).catch((error: Error) => error.message));

  step('kubectl apply -f examples/queries/ (the latest snapshot)');
  say((await cluster.apply(path.join(EXAMPLES, 'queries'))).trimEnd());
  await runQuery(cluster, 'revenue-by-region');

  step(`time travel: the same query at snapshot ${firstSnapshot}, before the second CSV (spec.snapshot.id)`);
  say((await cluster.applyText(timeTravelQuery(firstSnapshot))).trimEnd());
  await runQuery(cluster, 'revenue-at-first-ingest');
}

function tryThis(local: LocalMode, keep: boolean): void {
  const kubectl = `kubectl --kubeconfig ${local.kubeconfigPath}`;
  say([
    '',
    `kubeconfig: ${local.kubeconfigPath}`,
    `S3:         ${local.s3Endpoint} (bucket ${LOCAL_BUCKET}, keys S3RVER/S3RVER)`,
    keep ? 'Try:' : 'Try, while it runs (npm start -- --keep):',
    `  ${kubectl} get ducklake`,
    `  ${kubectl} describe dlt orders`,
    `  ${kubectl} get jobs,pods`,
    `  ${kubectl} get dlq revenue-by-region -o jsonpath='{.status.preview}'`,
    `  ${kubectl} get dlq revenue-at-first-ingest -o yaml`,
  ].join('\n'));
}

async function main(): Promise<number> {
  process.env.LOG_LEVEL ??= 'warn';
  // The AWS SDK warns in every process (this one and each runner child) that its 2027
  // releases need Node 22; the lock file pins a release that supports Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const dataDir = path.resolve(values['data-dir']);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout: must be a positive number of seconds; got ${JSON.stringify(values.timeout)}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  step(`featherman up (data dir ${path.relative(process.cwd(), dataDir) || dataDir})`);
  const local = await startLocalMode({ dataDir, s3Port: Number(values['s3-port']), logger: createLogger({ service: 'featherman-demo' }) });
  for (const note of local.notes) say(`  note: ${note}`);
  const kubectlPath = findKubectl();
  if (!kubectlPath) say('  kubectl is not on PATH: applying with @kubernetes/client-node instead');
  else say(`  ${execFileSync(kubectlPath, ['version', '--client'], { encoding: 'utf8' }).split('\n')[0] ?? ''}`);
  const cluster = new DemoCluster(local, kubectlPath);
  let code = 0;
  try {
    await demo(local, cluster);
    step('done');
  } catch (error) {
    process.stderr.write(`\ndemo-local: ${(error as Error).message}\n`);
    code = 1;
  }
  tryThis(local, values.keep);
  if (values.keep) {
    say('\nLocal mode keeps running (--keep); Ctrl-C stops it.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  }
  step('stopping local mode');
  await local.close();
  say(`stopped after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return code;
}

main().then((code) => process.exit(code), (error: unknown) => {
  const cause = (error as Error).cause as Error | undefined;
  const text = `${(error as Error).message}${cause ? `: ${cause.message}` : ''}`;
  const hint = text.includes('EADDRINUSE') ? ` (port ${values['s3-port']} is taken: pass --s3-port 0 for any free port)` : '';
  process.stderr.write(`demo-local: ${text}${hint}\n`);
  process.exit(1);
});
