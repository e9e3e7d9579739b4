/**
 * Benchmark of the functions process. (1) Cold start: functions/main.ts bundled by
 * functions/bundle.ts (what the image runs), started N times with FUNCTIONS_RUNTIME_ENV (the
 * image's settings) and N times with node's defaults: spawn → `functions ready`, and its
 * RSS once ready; the unbundled tsx start is printed for comparison. The first event's
 * latency and the RSS after it, after all events and after the duplicates are printed too. (2) Event → Job created:
 * real CloudEvents (ApiServerSource, Reference mode, binary) for new tables posted to the
 * bundled process, which reads the table fresh, decides and creates the apply Job before
 * answering, against the local API server in its own process: p50/p99. (3) 1,000
 * duplicate events in one second for one table: how many Jobs exist afterwards (must be 1).
 * (4) The first S3 notification (a removed data object), which loads the S3 SDK and HEADs
 * the object on an embedded S3 server: its latency and the RSS after it.
 * Run: npm run bench:functions [-- --starts 5 --tables 200 --duplicates 1000 --runtime image|defaults]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BatchV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { CloudEvent, HTTP } from 'cloudevents';
import { build } from 'esbuild';
import { parseAllDocuments } from 'yaml';
import { bundleFunctions } from '../functions/bundle.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/s3/embedded-s3.ts';
import { FUNCTIONS_RUNTIME_ENV } from '../functions/runtime-env.ts';

const { values } = parseArgs({ options: { starts: { type: 'string', default: '5' }, tables: { type: 'string', default: '200' }, duplicates: { type: 'string', default: '1000' }, runtime: { type: 'string', default: 'image' } } });
const STARTS = Number(values.starts);
const TABLES = Number(values.tables);
const DUPLICATES = Number(values.duplicates);
// --runtime defaults runs the event part under node's defaults instead of FUNCTIONS_RUNTIME_ENV (to compare latency).
const EVENT_ENV = values.runtime === 'defaults' ? {} : FUNCTIONS_RUNTIME_ENV;
const root = path.join(import.meta.dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-bench-functions-'));
const children: ChildProcess[] = [];
const closers: Array<() => Promise<void>> = [];

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function median(list: readonly number[]): number {
  return percentile([...list].sort((a, b) => a - b), 0.5);
}

function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) / 1024;
}

/** cpuMs reads a process's user + system CPU time (ms) from /proc: less sensitive to the machine's load than wall time. */
function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) * 10;
}

async function bundle(): Promise<string> {
  const outfile = path.join(work, 'functions.cjs');
  await bundleFunctions(outfile);
  // The externals resolve from the repository's node_modules.
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(work, 'node_modules'));
  return outfile;
}

/** referenceStarts times `node` running nothing and requiring only @kubernetes/client-node (bundled): the floor under this machine's load. */
async function referenceStarts(): Promise<{ bare: number; clientNode: number; clientNodeRss: number }> {
  const entry = path.join(work, 'client-node-only.ts');
  fs.writeFileSync(entry, "import '@kubernetes/client-node';\nconsole.log(Math.round(process.memoryUsage().rss / 1048576));\n");
  const outfile = path.join(work, 'client-node-only.cjs');
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'error', nodePaths: [path.join(root, 'node_modules')] });
  const timed = (args: string[]) => new Promise<{ ms: number; out: string }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
    child.once('error', reject);
    child.once('exit', () => resolve({ ms: performance.now() - started, out }));
  });
  const bare: number[] = [];
  const client: number[] = [];
  let rss = 0;
  for (let index = 0; index < STARTS; index++) {
    bare.push((await timed(['-e', '0'])).ms);
    const run = await timed([outfile]);
    client.push(run.ms);
    rss = Number(run.out.trim());
  }
  return { bare: median(bare), clientNode: median(client), clientNodeRss: rss };
}

async function startApiServer(): Promise<{ kubeconfigPath: string; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'local/apiserver/main.ts'), '--data-dir', path.join(work, 'api'), '--port', '0'], {
    cwd: root, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  children.push(child);
  const kubeconfigPath = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`API server exited with ${String(code)}`)));
  });
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  return { kubeconfigPath, url: config.getCurrentCluster()?.server ?? '' };
}

interface Started { child: ChildProcess; url: string; readyMs: number; rss: number }

/** startFunctions spawns the functions process and resolves at its `functions ready` line. */
function startFunctions(args: string[], kubeconfigPath: string, runtimeEnv: Readonly<Record<string, string>> = {}): Promise<Started> {
  const started = performance.now();
  const env = { ...process.env, ...runtimeEnv, PORT: '0', HOST: '127.0.0.1', KUBECONFIG: kubeconfigPath, LOG_LEVEL: 'info', FEATHERMAN_RUNNER_IMAGE: 'featherman:bench' };
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], env });
  children.push(child);
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split('\n').find((text) => text.includes('"functions ready"'));
      if (line === undefined) return;
      const readyMs = performance.now() - started;
      const port = (JSON.parse(line) as { port: number }).port;
      child.stderr?.removeAllListeners('data');
      child.stderr?.resume();
      resolve({ child, url: `http://127.0.0.1:${port}`, readyMs, rss: rssMiB(child.pid ?? 0) });
    });
    child.once('exit', (code) => reject(new Error(`functions exited with ${String(code)}: ${buffered.slice(0, 500)}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function postEvent(url: string, event: CloudEvent<unknown>): Promise<{ status: number; ms: number }> {
  const message = HTTP.binary(event);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: message.headers as Record<string, string> }, (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started }));
    });
    request.on('error', reject);
    request.end(String(message.body));
  });
}

function removedObjectEvent(key: string): CloudEvent<unknown> {
  const record = { eventVersion: '2.1', eventSource: 'aws:s3', eventName: 'ObjectRemoved:Delete', eventTime: new Date().toISOString(), s3: { bucket: { name: 'lake' }, object: { key, sequencer: '01' } } };
  return new CloudEvent<unknown>({ type: 'dev.knative.connector.event.aws-sqs', source: 'dev.knative.eventing.aws-sqs-source', datacontenttype: 'application/json', data: { Records: [record] } });
}

function tableEvent(name: string): CloudEvent<unknown> {
  const apiVersion = 'ducklake.featherman.dev/v1alpha1';
  return new CloudEvent<unknown>({
    type: 'dev.knative.apiserver.ref.add', source: 'https://10.96.0.1:443', subject: `/apis/${apiVersion}/namespaces/default/ducklaketables/${name}`,
    datacontenttype: 'application/json', kind: 'DuckLakeTable', apiversion: apiVersion, name, namespace: 'default',
    data: { apiVersion, kind: 'DuckLakeTable', name, namespace: 'default' },
  });
}

async function seed(kubeconfigPath: string, url: string, s3: EmbeddedS3): Promise<{ custom: CustomObjectsApi; batch: BatchV1Api }> {
  for (const file of ['ducklakecatalogs.yaml', 'ducklaketables.yaml', 'ducklakequeries.yaml']) {
    for (const document of parseAllDocuments(fs.readFileSync(path.join(root, 'crds', file), 'utf8'))) {
      const response = await fetch(`${url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(document.toJSON()) });
      if (!response.ok) throw new Error(`creating a CRD answered ${response.status}`);
    }
  }
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'lake-credentials' }, data: { 'access-key': b64(s3.accessKeyId), 'secret-key': b64(s3.secretAccessKey) } };
  const created = await fetch(`${url}/api/v1/namespaces/default/secrets`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(secret) });
  if (!created.ok) throw new Error(`creating the S3 Secret answered ${created.status}`);
  const config = new KubeConfig();
  config.loadFromFile(kubeconfigPath);
  const custom = config.makeApiClient(CustomObjectsApi);
  const resource = { group: 'ducklake.featherman.dev', version: 'v1alpha1', namespace: 'default' };
  const catalog = (await custom.createNamespacedCustomObject({
    ...resource, plural: 'ducklakecatalogs',
    body: { apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeCatalog', metadata: { name: 'lake', finalizers: ['ducklake.featherman.dev/finalizer'] }, spec: { objectStore: { bucket: 'lake', endpoint: s3.endpoint, forcePathStyle: true, credentialsSecret: { name: 'lake-credentials' } } } },
  })) as { metadata: Record<string, unknown> };
  const ready = { type: 'Ready', status: 'True', reason: 'Succeeded', message: 'Catalog lake is ready.', observedGeneration: 1, lastTransitionTime: new Date().toISOString().slice(0, 19) + 'Z' };
  await custom.replaceNamespacedCustomObjectStatus({ ...resource, plural: 'ducklakecatalogs', name: 'lake', body: { ...catalog, status: { phase: 'Succeeded', observedGeneration: 1, conditions: [ready] } } });
  for (let index = 0; index <= TABLES; index++) {
    const name = index === TABLES ? 'dup' : `t${index}`;
    await custom.createNamespacedCustomObject({
      ...resource, plural: 'ducklaketables',
      body: { apiVersion: 'ducklake.featherman.dev/v1alpha1', kind: 'DuckLakeTable', metadata: { name }, spec: { catalogRef: 'lake', name: name.replace(/-/g, '_'), columns: [{ name: 'id', type: 'INTEGER' }] } },
    });
  }
  return { custom, batch: config.makeApiClient(BatchV1Api) };
}

async function main(): Promise<void> {
  const outfile = await bundle();
  const reference = await referenceStarts();
  const api = await startApiServer();
  const s3 = await startEmbeddedS3({ dir: path.join(work, 's3'), buckets: ['lake'] });
  closers.push(() => s3.close());
  const { batch } = await seed(api.kubeconfigPath, api.url, s3);

  const baseline = await startFunctions(['--import', 'tsx', path.join(root, 'functions', 'main.ts')], api.kubeconfigPath);
  await stop(baseline.child);
  // The same bundle under node's defaults, alternating with the production settings.
  const defaults: Started[] = [];
  const starts: Started[] = [];
  for (let index = 0; index < STARTS; index++) {
    const plain = await startFunctions([outfile], api.kubeconfigPath);
    defaults.push(plain);
    await stop(plain.child);
    const started = await startFunctions([outfile], api.kubeconfigPath, FUNCTIONS_RUNTIME_ENV);
    starts.push(started);
    await stop(started.child);
  }
  const functions = await startFunctions([outfile], api.kubeconfigPath, EVENT_ENV);

  const latencies: number[] = [];
  let first = { ms: 0, rss: 0 };
  const cpuBefore = cpuMs(functions.child.pid ?? 0);
  for (let index = 0; index < TABLES; index++) {
    const answer = await postEvent(`${functions.url}/reconcile-table`, tableEvent(`t${index}`));
    if (answer.status !== 200) throw new Error(`event for table t${index} answered ${answer.status}`);
    latencies.push(answer.ms);
    if (index === 0) first = { ms: answer.ms, rss: rssMiB(functions.child.pid ?? 0) };
  }
  const rssEvents = rssMiB(functions.child.pid ?? 0);
  const cpuPerEvent = (cpuMs(functions.child.pid ?? 0) - cpuBefore) / TABLES;
  // The first S3-touching event loads the S3 SDK: a removed data object of t0, which HEAD confirms gone.
  const removal = await postEvent(`${functions.url}/s3-object`, removedObjectEvent('main/t0/ducklake-bench.parquet'));
  if (removal.status !== 200) throw new Error(`the S3 removal event answered ${removal.status}`);
  const rssS3 = rssMiB(functions.child.pid ?? 0);
  latencies.sort((a, b) => a - b);
  const jobs = (await batch.listNamespacedJob({ namespace: 'default', labelSelector: 'featherman.dev/operation=apply-table' })).items.length;

  const statuses = new Map<number, number>();
  const sends: Array<Promise<void>> = [];
  const dupStarted = performance.now();
  // Each 10 ms tick sends what the target rate owes by then, so timer drift under load does not lower the rate.
  const rate = DUPLICATES;
  await new Promise<void>((resolve) => {
    let sent = 0;
    const timer = setInterval(() => {
      const owed = Math.min(DUPLICATES, Math.ceil(((performance.now() - dupStarted) / 1000) * rate));
      for (; sent < owed; sent++) {
        sends.push(postEvent(`${functions.url}/reconcile-table`, tableEvent('dup')).then((answer) => { statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1); }));
      }
      if (sent >= DUPLICATES) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const sendSeconds = (performance.now() - dupStarted) / 1000;
  await Promise.all(sends);
  const dupSeconds = (performance.now() - dupStarted) / 1000;
  const dupJobs = (await batch.listNamespacedJob({ namespace: 'default', labelSelector: 'featherman.dev/table=dup' })).items.length;
  const rssAfter = rssMiB(functions.child.pid ?? 0);

  const ready = starts.map((item) => item.readyMs);
  const rss = starts.map((item) => item.rss);
  const settings = Object.entries(FUNCTIONS_RUNTIME_ENV).map(([name, value]) => `${name}=${value}`).join(' ');
  console.log(`functions bench (${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(1)})`);
  console.log(`cold start, bundled, ${settings} (${STARTS} starts): median ${median(ready).toFixed(0)} ms to ready (min ${Math.min(...ready).toFixed(0)}, max ${Math.max(...ready).toFixed(0)}), RSS median ${median(rss).toFixed(1)} MiB  [targets ≤ 300 ms, ≤ 90 MiB]`);
  console.log(`cold start, bundled, node defaults (${STARTS} starts): median ${median(defaults.map((item) => item.readyMs)).toFixed(0)} ms, RSS median ${median(defaults.map((item) => item.rss)).toFixed(1)} MiB`);
  console.log(`reference on this machine now: node doing nothing ${reference.bare.toFixed(0)} ms; node requiring only @kubernetes/client-node (bundled) ${reference.clientNode.toFixed(0)} ms, RSS ${reference.clientNodeRss} MiB`);
  console.log(`cold start, tsx unbundled: ${baseline.readyMs.toFixed(0)} ms, RSS ${baseline.rss.toFixed(1)} MiB`);
  console.log(`events below: ${values.runtime === 'defaults' ? 'node defaults' : 'FUNCTIONS_RUNTIME_ENV'}; ready in ${functions.readyMs.toFixed(0)} ms at ${functions.rss.toFixed(1)} MiB`);
  console.log(`first event after the cold start: ${first.ms.toFixed(1)} ms to the apply Job, RSS then ${first.rss.toFixed(1)} MiB; after ${TABLES} events ${rssEvents.toFixed(1)} MiB`);
  console.log(`first S3 notification (loads the S3 SDK, one HEAD, Degraded written): ${removal.ms.toFixed(1)} ms, RSS then ${rssS3.toFixed(1)} MiB`);
  console.log(`event → apply Job created (${TABLES} new tables, one at a time): p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms, max ${latencies[latencies.length - 1]?.toFixed(1)} ms  [target p99 ≤ 50 ms]; functions CPU ${cpuPerEvent.toFixed(1)} ms per event; apply Jobs: ${jobs}`);
  console.log(`${DUPLICATES} duplicate events sent in ${sendSeconds.toFixed(2)} s (${(DUPLICATES / sendSeconds).toFixed(0)}/s), all answered in ${dupSeconds.toFixed(2)} s; answers ${JSON.stringify(Object.fromEntries(statuses))}; Jobs for the table: ${dupJobs} (must be 1); RSS after ${rssAfter.toFixed(1)} MiB`);
  if (dupJobs !== 1 || jobs !== TABLES) process.exitCode = 1;
}

try {
  await main();
} finally {
  agent.destroy();
  await Promise.all(children.map(stop));
  for (const close of closers) await close();
  fs.rmSync(work, { recursive: true, force: true });
}
