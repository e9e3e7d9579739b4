#!/usr/bin/env -S node --openssl-legacy-provider --import tsx
/**
 * The `featherman` command: `up` runs local mode in the foreground until Ctrl-C,
 * `status` tells whether it runs for a data folder, `down` stops it.
 * Run it as `node --openssl-legacy-provider --import tsx cli/featherman.ts up`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalMode, statePath, type LocalState } from '../local/up.ts';

const USAGE = `Usage: featherman <command> [options]

Commands:
  up       start local mode in the foreground (Ctrl-C stops it)
  status   tell whether local mode runs for the data folder
  down     stop the local mode that runs for the data folder

Options:
  --data-dir <dir>       state, bucket, volumes and kubeconfig (default .featherman/local)
  --port <n>             API server port (default 0: any free port)
  --s3-port <n>          embedded S3 port (default 9000, so catalogs keep their endpoint; 0: any free port)
  --functions-url <url>  send events to a functions app that runs elsewhere
  --ping <cron>          resync schedule (default "* * * * *")
  --concurrency <n>      Jobs run at once (default 2)
`;

function fail(message: string): never {
  process.stderr.write(`featherman: ${message}\n`);
  process.exit(2);
}

function portOption(name: string, value: string | undefined): number {
  const port = Number(value ?? '0');
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--${name}: must be a port number from 0 to 65535; got ${JSON.stringify(value)}`);
  return port;
}

function readState(dataDir: string): LocalState | undefined {
  try {
    return JSON.parse(fs.readFileSync(statePath(dataDir), 'utf8')) as LocalState;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function up(values: Record<string, string | undefined>, dataDir: string): Promise<void> {
  const concurrency = Number(values.concurrency ?? '2');
  if (!Number.isInteger(concurrency) || concurrency < 1) fail(`--concurrency: must be a whole number of at least 1; got ${JSON.stringify(values.concurrency)}`);
  const running = readState(dataDir);
  if (running && running.pid !== process.pid && alive(running.pid)) fail(`local mode already runs for ${dataDir} (pid ${running.pid}); stop it with "featherman down"`);
  if (!process.execArgv.includes('--openssl-legacy-provider') && !(process.env.NODE_OPTIONS ?? '').includes('--openssl-legacy-provider')) {
    process.stderr.write('featherman: warning: without node --openssl-legacy-provider the embedded S3 server fails paginated listings\n');
  }
  // The AWS SDK warns in this process and each runner child that its 2027 releases need
  // Node 22; the lock file pins a release that supports Node 20.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const local = await startLocalMode({
    dataDir, port: portOption('port', values.port), s3Port: portOption('s3-port', values['s3-port'] ?? '9000'),
    functionsUrl: values['functions-url'], pingSchedule: values.ping, concurrency,
  });
  const kubectl = `kubectl --kubeconfig ${local.kubeconfigPath}`;
  const lines = [
    'Featherman local mode is up.',
    `  API server:  ${local.apiUrl}`,
    `  kubeconfig:  ${local.kubeconfigPath}`,
    `  S3:          ${local.s3Endpoint} (bucket lake; keys in Secret default/lake-credentials)`,
    `  functions:   ${local.functionsUrl ?? 'not running'}`,
    ...local.notes.map((note) => `  note:        ${note}`),
    '',
    'Try:',
    `  ${kubectl} get crds`,
    `  ${kubectl} get ducklake`,
    `  ${kubectl} get jobs,pods`,
    `  export KUBECONFIG=${local.kubeconfigPath}`,
    '',
    'Ctrl-C stops it.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping local mode…\n`);
    const forced = setTimeout(() => process.exit(1), 15_000);
    forced.unref();
    void local.close().then(() => {
      process.stdout.write('stopped.\n');
      process.exit(0);
    }, (error: unknown) => {
      process.stderr.write(`featherman: stopping failed: ${(error as Error).message}\n`);
      process.exit(1);
    });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function status(dataDir: string): Promise<number> {
  const state = readState(dataDir);
  if (!state || !alive(state.pid)) {
    process.stdout.write(`local mode is not running for ${dataDir}\n`);
    return 1;
  }
  const healthy = await fetch(`${state.apiUrl}/healthz`, { signal: AbortSignal.timeout(2000) }).then((response) => response.ok, () => false);
  process.stdout.write([
    `local mode runs for ${dataDir} (pid ${state.pid}, since ${state.startedAt})`,
    `  API server:  ${state.apiUrl} (${healthy ? 'healthy' : 'not answering'})`,
    `  kubeconfig:  ${state.kubeconfigPath}`,
    `  S3:          ${state.s3Endpoint}`,
    `  functions:   ${state.functionsUrl ?? 'not running'}`,
  ].join('\n') + '\n');
  return healthy ? 0 : 1;
}

async function down(dataDir: string): Promise<number> {
  const state = readState(dataDir);
  if (!state || !alive(state.pid)) {
    process.stdout.write(`local mode is not running for ${dataDir}\n`);
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const started = Date.now();
  while (alive(state.pid)) {
    if (Date.now() - started > 20_000) {
      process.stderr.write(`featherman: pid ${state.pid} did not stop within 20 s\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  process.stdout.write(`stopped local mode (pid ${state.pid})\n`);
  return 0;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'data-dir': { type: 'string', default: '.featherman/local' },
    port: { type: 'string' },
    's3-port': { type: 'string' },
    'functions-url': { type: 'string' },
    ping: { type: 'string' },
    concurrency: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
const dataDir = path.resolve(values['data-dir']);
const command = positionals[0];
if (values.help || !command) {
  process.stdout.write(USAGE);
  process.exit(values.help ? 0 : 2);
}
if (command === 'up') await up({ port: values.port, 's3-port': values['s3-port'], 'functions-url': values['functions-url'], ping: values.ping, concurrency: values.concurrency }, dataDir);
else if (command === 'status') process.exit(await status(dataDir));
else if (command === 'down') process.exit(await down(dataDir));
else fail(`unknown command ${JSON.stringify(command)}; expected up, status or down`);
