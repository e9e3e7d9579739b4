/**
 * The local demo (`npm start`): local mode in this process, the example manifests applied
 * with kubectl, the landing files uploaded to the embedded S3, then what Featherman made
 * of them: Ready resources, rows per table, and a DuckLakeQuery's preview.
 * `--keep` leaves local mode running afterwards (Ctrl-C stops it).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { LOCAL_BUCKET, startLocalMode, type LocalMode } from '../local/up.ts';
import { EMBEDDED_S3_CREDENTIALS } from '../local/s3/embedded-s3.ts';
import { createLogger } from '../runner/log.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const MANIFEST_ENDPOINT = 'http://127.0.0.1:9000';
/** LANDING maps each sample file to the key it is uploaded under (the tables' ingest prefixes). */
const LANDING = [
  { file: 'landing/sales/orders-2026-11-01.csv', key: 'landing/orders/orders-2026-11-01.csv', table: 'orders' },
  { file: 'landing/sales/orders-2026-11-05.json', key: 'landing/returns/orders-2026-11-05.json', table: 'returns' },
];

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

function findKubectl(): string | undefined {
  for (const folder of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(folder, 'kubectl');
    if (folder && fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Manifests with the S3 endpoint of this run (the files name 127.0.0.1:9000). */
function manifestsText(folder: string, endpoint: string): string {
  return fs.readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort()
    .map((name) => fs.readFileSync(path.join(folder, name), 'utf8').replaceAll(MANIFEST_ENDPOINT, endpoint))
    .join('\n---\n');
}

class Cluster {
  constructor(private readonly local: LocalMode, private readonly kubectlPath: string | undefined) {}

  /** kubectl runs the real kubectl against local mode and returns its output. */
  kubectl(args: string[], input?: string): Promise<string> {
    const binary = this.kubectlPath;
    if (!binary) return Promise.reject(new Error(`kubectl is not on PATH (wanted: kubectl ${args.join(' ')})`));
    return new Promise((resolve, reject) => {
      const child = execFile(binary, ['--kubeconfig', this.local.kubeconfigPath, ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
        if (error) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || error.message}`));
        else resolve(stdout);
      });
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  /** apply applies a folder's manifests with kubectl, or with client-node when kubectl is missing. */
  async apply(folder: string): Promise<string> {
    const endpoint = this.local.s3Endpoint.replace('localhost', '127.0.0.1');
    if (this.kubectlPath) {
      if (endpoint === MANIFEST_ENDPOINT) return this.kubectl(['apply', '-f', folder]);
      return this.kubectl(['apply', '-f', '-'], manifestsText(folder, endpoint));
    }
    const config = new KubeConfig();
    config.loadFromFile(this.local.kubeconfigPath);
    const api = KubernetesObjectApi.makeApiClient(config);
    const lines: string[] = [];
    for (const document of parseAllDocuments(manifestsText(folder, endpoint))) {
      const object = document.toJSON() as KubernetesObject | null;
      if (!object?.kind) continue;
      await api.patch(object, undefined, undefined, 'featherman-demo', true, 'application/apply-patch+yaml');
      lines.push(`${object.kind.toLowerCase()}/${object.metadata?.name ?? ''} applied`);
    }
    return `${lines.join('\n')}\n`;
  }

  /** get reads one resource as JSON through the API. */
  async get(resource: string): Promise<Record<string, unknown>> {
    const config = new KubeConfig();
    config.loadFromFile(this.local.kubeconfigPath);
    const [kind, name] = resource.split('/') as [string, string];
    const api = KubernetesObjectApi.makeApiClient(config);
    const object = await api.read({ apiVersion: 'ducklake.featherman.dev/v1alpha1', kind, metadata: { name, namespace: 'default' } });
    return object as unknown as Record<string, unknown>;
  }
}

type Status = { phase?: string; rowCount?: number; rows?: number; preview?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };

function describeStatus(object: Record<string, unknown>): string {
  const status = (object.status ?? {}) as Status;
  const conditions = (status.conditions ?? []).map((condition) => `${condition.type}=${condition.status}${condition.reason ? ` (${condition.reason}: ${condition.message ?? ''})` : ''}`);
  return `phase=${status.phase ?? '-'} ${conditions.join(', ') || 'no conditions'}`;
}

/** waitUntil polls until check returns a value, or fails with what was last observed. */
async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, observe: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutSeconds * 1000;
  for (;;) {
    const found = await check().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutSeconds} s waiting for ${what}; observed: ${await observe().catch((error: unknown) => (error as Error).message)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function demo(local: LocalMode, cluster: Cluster): Promise<void> {
  step('kubectl apply -f examples/');
  say((await cluster.apply(EXAMPLES)).trimEnd());

  step('waiting for the catalog and the tables to be Ready');
  const resources = ['DuckLakeCatalog/shop', 'DuckLakeTable/orders', 'DuckLakeTable/returns'];
  for (const resource of resources) {
    await waitUntil(`${resource} Ready`, async () => {
      const status = ((await cluster.get(resource)).status ?? {}) as Status;
      return status.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ? true : undefined;
    }, async () => `${resource}: ${describeStatus(await cluster.get(resource))}`);
  }
  say((await cluster.kubectl(['wait', '--for=condition=Ready', 'ducklakecatalog/shop', 'ducklaketable/orders', 'ducklaketable/returns', '--timeout=30s']).catch((error: Error) => error.message)).trimEnd());

  step(`uploading the landing files to ${local.s3Endpoint}/${LOCAL_BUCKET}`);
  const s3 = new S3Client({ endpoint: local.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: EMBEDDED_S3_CREDENTIALS });
  const expected = new Map<string, number>();
  try {
    for (const landing of LANDING) {
      const body = fs.readFileSync(path.join(EXAMPLES, landing.file));
      await s3.send(new PutObjectCommand({ Bucket: LOCAL_BUCKET, Key: landing.key, Body: body }));
      const rows = body.toString('utf8').trim().split('\n').length - (landing.file.endsWith('.csv') ? 1 : 0);
      expected.set(landing.table, (expected.get(landing.table) ?? 0) + rows);
      say(`  s3://${LOCAL_BUCKET}/${landing.key} (${rows} rows)`);
    }
  } finally {
    s3.destroy();
  }

  step('waiting for the ingest Jobs');
  for (const [table, rows] of expected) {
    await waitUntil(`table ${table} to hold ${rows} rows`, async () => {
      const status = ((await cluster.get(`DuckLakeTable/${table}`)).status ?? {}) as Status;
      return status.rowCount === rows ? rows : undefined;
    }, async () => `${table}: rowCount=${String(((await cluster.get(`DuckLakeTable/${table}`)).status as Status | undefined)?.rowCount)}; ${await cluster.kubectl(['get', 'jobs'])}`);
    say(`  ${table}: ${rows} rows`);
  }
  say(await cluster.kubectl(['get', 'ducklake']).catch((error: Error) => error.message));

  step('kubectl apply -f examples/queries/');
  say((await cluster.apply(path.join(EXAMPLES, 'queries'))).trimEnd());
  const query = await waitUntil('DuckLakeQuery/revenue-by-region to finish', async () => {
    const status = ((await cluster.get('DuckLakeQuery/revenue-by-region')).status ?? {}) as Status;
    return status.phase === 'Succeeded' || status.phase === 'Failed' ? status : undefined;
  }, async () => describeStatus(await cluster.get('DuckLakeQuery/revenue-by-region')));
  if (query.phase !== 'Succeeded') throw new Error(`DuckLakeQuery/revenue-by-region failed: ${describeStatus({ status: query })}`);
  say(`  ${query.rows ?? 0} rows; status.preview:\n${(query.preview ?? '').replace(/^/gm, '    ')}`);
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
  ].join('\n'));
}

async function main(): Promise<number> {
  process.env.LOG_LEVEL ??= 'warn';
  // The AWS SDK warns about Node 20 on every start; the demo output stays readable without it.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name !== 'NodeVersionSupportWarning') process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
  const dataDir = path.resolve(values['data-dir']);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error(`--timeout: must be a positive number of seconds; got ${JSON.stringify(values.timeout)}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  step(`featherman up (data dir ${path.relative(process.cwd(), dataDir) || dataDir})`);
  const local = await startLocalMode({ dataDir, s3Port: Number(values['s3-port']), logger: createLogger({ service: 'featherman-demo' }) });
  for (const note of local.notes) say(`  note: ${note}`);
  const kubectlPath = findKubectl();
  if (!kubectlPath) say('  kubectl is not on PATH: applying with @kubernetes/client-node instead');
  else say(`  ${execFileSync(kubectlPath, ['version', '--client'], { encoding: 'utf8' }).split('\n')[0] ?? ''}`);
  const cluster = new Cluster(local, kubectlPath);
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
