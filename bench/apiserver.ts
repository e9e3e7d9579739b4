/**
 * Benchmark of the local API server: creates, updates and watches 5,000 custom resources
 * (schema defaults, CEL rules and persistence on) against a server in a child process,
 * and prints p50/p99 latency, objects/s, watch throughput and the server's RSS.
 * Run: npm run bench:apiserver [-- --objects N --concurrency C]
 * The server runs with `--max-semi-space-size=2` (V8's young generation otherwise grows
 * to ~48 MiB of mostly garbage: peak RSS ~140 MiB instead of ~123 MiB, same throughput).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '5000' }, concurrency: { type: 'string', default: '16' } } });
const OBJECTS = Number(values.objects);
const CONCURRENCY = Number(values.concurrency);
const root = path.join(import.meta.dirname, '..');
const widgets = '/apis/test.featherman.dev/v1/namespaces/default/widgets';

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

function rssMiB(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const read = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) / 1024;
  return { rss: read('VmRSS'), peak: read('VmHWM') };
}

async function startServer(dataDir: string): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_PROF] : []), '--max-semi-space-size=2', '--import', 'tsx', path.join(root, 'local/apiserver/main.ts'), '--data-dir', dataDir, '--port', '0'], {
    cwd: root, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LOG_LEVEL: 'warn' },
  });
  const kubeconfigPath = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`server exited with ${String(code)}`)));
  });
  const config = parseYaml(fs.readFileSync(kubeconfigPath, 'utf8')) as { clusters: Array<{ cluster: { server: string } }> };
  const url = config.clusters[0]?.cluster.server ?? '';
  return { url, pid: child.pid ?? 0, stop: () => child.kill('SIGTERM') };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** send makes one request on a keep-alive connection and returns its latency in ms (node:http is lighter than fetch on the client side). */
function send(url: string, method: string, body: unknown, contentType = 'application/json'): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent, headers: { 'Content-Type': contentType } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if ((response.statusCode ?? 500) >= 300) reject(new Error(`${method} ${url} answered ${String(response.statusCode)}: ${Buffer.concat(chunks).toString().slice(0, 300)}`));
        else resolve(performance.now() - started);
      });
    });
    request.on('error', reject);
    request.end(JSON.stringify(body));
  });
}

async function phase(name: string, count: number, run: (index: number) => Promise<number>): Promise<{ name: string; latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < count) {
      const index = next;
      next += 1;
      latencies.push(await run(index));
    }
  }));
  return { name, latencies: latencies.sort((a, b) => a - b), seconds: (performance.now() - started) / 1000 };
}

/** watchCount opens a watch from a resourceVersion and resolves when `expected` events arrived. */
function watchCount(url: string, resourceVersion: string, expected: number): { done: Promise<number>; abort(): void } {
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(`${url}${widgets}?watch=true&resourceVersion=${resourceVersion}`, { signal: controller.signal });
    const reader = response.body?.getReader();
    if (!reader) throw new Error('watch has no body');
    let seen = 0;
    let buffered = '';
    const decoder = new TextDecoder();
    while (seen < expected) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      seen += lines.filter((line) => line.trim() !== '').length;
    }
    controller.abort();
    return performance.now();
  })();
  return { done, abort: () => controller.abort() };
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-bench-apiserver-'));
  const server = await startServer(path.join(dataDir, 'state'));
  try {
    const crd = parseYaml(fs.readFileSync(path.join(root, 'test/fixtures/apiserver/crd-widgets.yaml'), 'utf8')) as unknown;
    await send(`${server.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, 'POST', crd);
    const list = await (await fetch(`${server.url}${widgets}`)).json() as { metadata: { resourceVersion: string } };
    const idle = rssMiB(server.pid);
    const watch = watchCount(server.url, list.metadata.resourceVersion, OBJECTS * 2);
    const watchStarted = performance.now();
    const create = await phase('create', OBJECTS, (index) => send(`${server.url}${widgets}`, 'POST', {
      apiVersion: 'test.featherman.dev/v1', kind: 'Widget',
      metadata: { name: `w-${index}`, labels: { bench: 'apiserver', shard: String(index % 10) } },
      spec: { color: ['red', 'green', 'blue'][index % 3], size: 1 + (index % 50), owner: `team-${index % 7}` },
    }));
    const update = await phase('update', OBJECTS, (index) => send(`${server.url}${widgets}/w-${index}`, 'PATCH', { spec: { size: 2 + (index % 50) } }, 'application/merge-patch+json'));
    let timer: NodeJS.Timeout | undefined;
    const watchEnded = await Promise.race([watch.done, new Promise<number>((_, reject) => {
      timer = setTimeout(() => reject(new Error('watch did not see every event in 60 s')), 60_000);
    })]);
    clearTimeout(timer);
    const busy = rssMiB(server.pid);
    const listStarted = performance.now();
    const all = await (await fetch(`${server.url}${widgets}`)).json() as { items: unknown[] };
    const listMs = performance.now() - listStarted;
    process.stdout.write(`local API server benchmark: ${OBJECTS} Widgets (CRD schema + CEL, persisted), concurrency ${CONCURRENCY}, server node --max-semi-space-size=2\n`);
    for (const result of [create, update]) {
      process.stdout.write(`${result.name.padEnd(7)} p50 ${percentile(result.latencies, 0.5).toFixed(2)} ms  p99 ${percentile(result.latencies, 0.99).toFixed(2)} ms  ${(OBJECTS / result.seconds).toFixed(0)} objects/s\n`);
    }
    const watchSeconds = (watchEnded - watchStarted) / 1000;
    process.stdout.write(`watch   ${OBJECTS * 2} events in ${watchSeconds.toFixed(2)} s (${((OBJECTS * 2) / watchSeconds).toFixed(0)} events/s, ends with the last write)\n`);
    process.stdout.write(`list    ${all.items.length} objects in ${listMs.toFixed(0)} ms\n`);
    process.stdout.write(`server RSS: ${idle.rss.toFixed(0)} MiB idle, ${busy.rss.toFixed(0)} MiB after, peak ${busy.peak.toFixed(0)} MiB (target < 150 MiB)\n`);
    watch.abort();
  } finally {
    server.stop();
    agent.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
