/**
 * bench:ingest — the ingest runner against its floor, on 1M and 10M rows of CSV landing
 * files (generated once, cached under the OS temp dir).
 *   floor  = bare DuckDB `COPY (read_csv …) TO` ZSTD Parquet + upload of the result to
 *            the embedded S3 server (the work nobody can skip);
 *   runner = the runner bundle (`node <bundle>/runner.mjs`, as a Job runs it) running the ingest plan (list, stream
 *            the CSV objects into the COPY through named pipes, upload, HEAD-check,
 *            commit), whole process, peak RSS from /proc.
 * Floor and runner run BENCH_ROUNDS times (default 3), taking turns going first; prints
 * each round and, last, `ingest ratio <median runner/floor at 10M>`.
 * BENCH_ROWS=1000000 limits the sizes.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ensureRunnerBundle } from '../local/runner-bundle.ts';
import { startEmbeddedS3, type EmbeddedS3 } from '../local/s3/embedded-s3.ts';
import { quoteString } from '../runner/lake/sql.ts';
import { createFileCache } from '../runner/storage/file-cache.ts';
import { createS3ObjectStore, type S3ObjectStore } from '../runner/storage/s3-object-store.ts';

const SIZES = process.env.BENCH_ROWS ? process.env.BENCH_ROWS.split(',').map(Number) : [1_000_000, 10_000_000];
const ROWS_PER_FILE = 1_000_000;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const CACHE = join(tmpdir(), 'featherman-bench-ingest-v1');
const COLUMNS = "{'id': 'BIGINT', 'ts': 'TIMESTAMP', 'region': 'VARCHAR', 'amount': 'DOUBLE', 'note': 'VARCHAR'}";
const TABLE = {
  name: 'events',
  columns: [
    { name: 'id', type: 'BIGINT' }, { name: 'ts', type: 'TIMESTAMP' }, { name: 'region', type: 'VARCHAR' },
    { name: 'amount', type: 'DOUBLE' }, { name: 'note', type: 'VARCHAR' },
  ],
  format: { compression: 'ZSTD', targetFileSizeMB: 128 },
};

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function landingFiles(rows: number): Promise<string[]> {
  const dir = join(CACHE, `rows-${rows}`);
  const files = Math.max(1, Math.ceil(rows / ROWS_PER_FILE));
  const paths = Array.from({ length: files }, (_, i) => join(dir, `part-${String(i).padStart(3, '0')}.csv`));
  if (paths.every((path) => existsSync(path))) return paths;
  await mkdir(dir, { recursive: true });
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  try {
    for (const [i, path] of paths.entries()) {
      const start = i * ROWS_PER_FILE;
      const count = Math.min(ROWS_PER_FILE, rows - start);
      await connection.run(`COPY (SELECT ${start} + r AS id, TIMESTAMP '2026-01-01' + INTERVAL (r) SECOND AS ts,
        ['EU', 'US', 'APAC', 'LATAM'][1 + (r % 4)] AS region, round(((r * 7919) % 100000) / 100.0, 2) AS amount,
        'order ' || (r % 977) || ' of customer ' || ((r * 31) % 50021) AS note
        FROM range(${count}) t(r)) TO ${quoteString(path)} (FORMAT csv, HEADER true)`);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return paths;
}

async function floor(work: string, csv: string[], store: S3ObjectStore, tag: string): Promise<{ ms: number; copyMs: number; bytes: number; cpuMs: number; copyCpuMs: number }> {
  const out = join(work, `floor-${tag}`);
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const connection = await instance.connect();
  const started = Date.now();
  const cpu = process.cpuUsage();
  try {
    const list = `[${csv.map(quoteString).join(', ')}]`;
    await connection.run(`COPY (SELECT * FROM read_csv(${list}, columns = ${COLUMNS}, header = true, auto_detect = false))
      TO ${quoteString(out)} (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ${128 * 1024 * 1024})`);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const copyMs = Date.now() - started;
  const copyCpu = process.cpuUsage(cpu);
  let bytes = 0;
  const names = await readdir(out);
  await Promise.all(names.map(async (name) => {
    bytes += (await stat(join(out, name))).size;
    await store.putFile(`floor/${tag}/${name}`, join(out, name));
  }));
  const ms = Date.now() - started;
  const used = process.cpuUsage(cpu);
  await rm(out, { recursive: true, force: true });
  return { ms, copyMs, bytes, cpuMs: (used.user + used.system) / 1000, copyCpuMs: (copyCpu.user + copyCpu.system) / 1000 };
}

async function runRunner(plan: object, s3: EmbeddedS3): Promise<{ ms: number; peakRssBytes: number; cpuMs: number; result: string }> {
  // The runner as a Job runs it: the esbuild bundle (built before the clock starts).
  const bundle = await ensureRunnerBundle();
  const started = Date.now();
  let peak = 0;
  let cpuTicks = 0;
  const child = spawn(process.execPath, [bundle], {
    env: {
      ...process.env, FEATHERMAN_PLAN: JSON.stringify(plan), AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', LOG_LEVEL: process.env.BENCH_VERBOSE ? 'debug' : 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString(); });
  const poll = setInterval(() => {
    readFile(`/proc/${child.pid}/status`, 'utf8').then((text) => {
      const kb = Number(/VmHWM:\s+(\d+) kB/.exec(text)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    }).catch(() => undefined);
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second).
    readFile(`/proc/${child.pid}/stat`, 'utf8').then((text) => {
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      cpuTicks = Math.max(cpuTicks, Number(fields[11] ?? 0) + Number(fields[12] ?? 0));
    }).catch(() => undefined);
  }, 50);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`runner exited with ${code}:\n${output.slice(-3000)}`);
  if (process.env.BENCH_VERBOSE) {
    for (const line of output.split('\n')) {
      const match = /"time":"([^"]+)".*"phase":"(\w+)"/.exec(line);
      if (match?.[1]) console.log(`    +${new Date(match[1]).getTime() - started} ms phase ${match[2]}`);
    }
  }
  const summary = output.split('\n').map((line) => { try { return JSON.parse(line) as { msg?: string; level?: number }; } catch { return {}; } })
    .filter((line) => line.level === 30 && typeof line.msg === 'string' && line.msg.startsWith('Table ')).map((line) => line.msg).pop() ?? '';
  return { ms: Date.now() - started, peakRssBytes: peak, cpuMs: cpuTicks * 10, result: summary };
}

async function main(): Promise<void> {
  if (!existsSync(join(import.meta.dirname, '..', 'runner', 'main.ts'))) throw new Error('runner/main.ts is missing: the bench runs the real runner');
  const work = await mkdtemp(join(tmpdir(), 'fm-bench-ingest-'));
  const s3 = await startEmbeddedS3({ dir: join(work, 's3'), buckets: ['bench'] });
  const store = createS3ObjectStore({ bucket: 'bench', region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
  let ratio = 0;
  try {
    for (const rows of SIZES) {
      const generated = Date.now();
      const csv = await landingFiles(rows);
      const csvBytes = (await Promise.all(csv.map((path) => stat(path)))).reduce((sum, info) => sum + info.size, 0);
      console.log(`${rows.toLocaleString('en-US')} rows: ${csv.length} CSV files, ${(csvBytes / 1e6).toFixed(0)} MB (ready in ${Date.now() - generated} ms)`);
      const prefix = `landing/r${rows}/`;
      const landing = [];
      for (const path of csv) landing.push(await store.putFile(`${prefix}${path.split('/').pop() ?? ''}`, path));
      // What a download of the same objects costs, through the runner's file cache (the lean
      // GET for objects of 4 MiB and more); the runner streams them instead.
      const cache = createFileCache(join(work, `download-${rows}`), store);
      const downloadStarted = Date.now();
      const downloadCpu = process.cpuUsage();
      await Promise.all(landing.map((put) => cache.fetch(put.key, put.etag, put.size)));
      const downloadMs = Date.now() - downloadStarted;
      const downloadUsed = process.cpuUsage(downloadCpu);
      await rm(cache.dir, { recursive: true, force: true });
      console.log(`  for context: downloading the landing files alone through the file cache takes ${downloadMs} ms and ${((downloadUsed.user + downloadUsed.system) / 1e6).toFixed(1)} s of CPU, server included (the runner streams them into its COPY; the floor reads local files)`);
      const table = { ...TABLE, ingest: { prefix, format: 'csv' } };
      const ratios: number[] = [];
      for (let round = 1; round <= ROUNDS; round += 1) {
        const tag = `${rows}-${round}`;
        const common = {
          catalog: { name: 'bench', path: join(work, `cat-${tag}`, 'lake.duckdb') },
          objectStore: { bucket: 'bench', endpoint: s3.endpoint, forcePathStyle: true, prefix: `lake-${tag}` },
          cacheDir: join(work, `cache-${tag}`),
        };
        await runRunner({ op: 'init-catalog', ...common }, s3);
        await runRunner({ op: 'apply-table', ...common, table }, s3);
        // Floor and runner take turns going first, so a slow minute does not always hit one side.
        const early = round % 2 === 1 ? await floor(work, csv, store, tag) : undefined;
        const serverCpu = process.cpuUsage();
        const run = await runRunner({ op: 'ingest', ...common, table }, s3);
        const served = process.cpuUsage(serverCpu);
        const floorRun = early ?? await floor(work, csv, store, tag);
        const roundRatio = run.ms / floorRun.ms;
        ratios.push(roundRatio);
        console.log(`  round ${round}: floor ${floorRun.ms} ms (COPY ${floorRun.copyMs} ms + upload), ${(floorRun.bytes / 1e6).toFixed(1)} MB Parquet; runner ${run.ms} ms whole process, peak RSS ${(run.peakRssBytes / 1048576).toFixed(0)} MiB — ${run.result}`);
        console.log(`    ratio ${roundRatio.toFixed(2)} wall; cpu: floor ${(floorRun.cpuMs / 1000).toFixed(1)} s (COPY ${(floorRun.copyCpuMs / 1000).toFixed(1)} s; the upload share includes the in-process S3 server), runner ${(run.cpuMs / 1000).toFixed(1)} s (its own process only): ${(run.cpuMs / floorRun.cpuMs).toFixed(2)}; the bench process (its in-process S3 server, plus the runner monitor) used ${((served.user + served.system) / 1e6).toFixed(1)} s meanwhile`);
        await rm(join(work, `cat-${tag}`), { recursive: true, force: true });
      }
      ratio = median(ratios);
      console.log(`  ratio runner/floor at ${rows.toLocaleString('en-US')} rows: ${ratio.toFixed(2)} wall (median of ${ROUNDS} rounds: ${ratios.map((each) => each.toFixed(2)).join(', ')})`);
    }
  } finally {
    store.close();
    await s3.close();
    await rm(work, { recursive: true, force: true });
  }
  console.log(`ingest ratio ${ratio.toFixed(2)}`);
}

await main();
