// build-runner bundles the runner (runner/main.ts, every operation under runner/ops and
// what they import) with esbuild: `npm run build:runner` writes dist/runner.cjs (the whole
// runner in one CommonJS file) and dist/runner.mjs (runner/bundle-start.ts, which runs it
// through V8's code cache), and the runner image runs `node dist/runner.mjs`. Operations
// and DuckDB stay lazy inside the bundle: their module code runs only when a plan asks for
// them. The native packages (@duckdb/node-bindings, fs-ext) stay external and load from
// node_modules, so the bundle must sit under a folder whose node_modules holds them.
// The build ends with one training run (init-catalog in a temp folder, no object store)
// that writes the code cache runner.cjs.cache.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile } from 'esbuild';

/** REPO_ROOT is the repository folder the runner's sources live in. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** RUNNER_SOURCE is the entry point the bundle is built from. */
export const RUNNER_SOURCE = join(REPO_ROOT, 'runner', 'main.ts');

/** RUNNER_START_SOURCE is the bundle's entry file: it runs runner.cjs with the code cache. */
export const RUNNER_START_SOURCE = join(REPO_ROOT, 'runner', 'bundle-start.ts');

/** DEFAULT_BUNDLE_DIR is where `npm run build:runner` writes the bundle. */
export const DEFAULT_BUNDLE_DIR = join(REPO_ROOT, 'dist');

/** RUNNER_BUNDLE_ENTRY is the entry file's name inside a bundle folder. */
export const RUNNER_BUNDLE_ENTRY = 'runner.mjs';

/**
 * RUNNER_EXTERNALS are the packages with native code, loaded from node_modules at run
 * time. @duckdb/node-api itself is plain JavaScript and is bundled: loading its ~60 files
 * one by one costs ~50 ms.
 */
export const RUNNER_EXTERNALS = ['@duckdb/node-bindings', 'fs-ext'];

const COMMON: BuildOptions = {
  absWorkingDir: REPO_ROOT,
  bundle: true,
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'silent',
};

/** runnerBuildOptions are the esbuild options of runner.cjs and runner.mjs written into `outdir` (pure). */
export function runnerBuildOptions(outdir: string): Array<BuildOptions & { metafile: true; write: true }> {
  return [
    {
      ...COMMON,
      entryPoints: [RUNNER_SOURCE],
      outfile: join(outdir, 'runner.cjs'),
      format: 'cjs',
      external: RUNNER_EXTERNALS,
      // The ES builds (`module`) of the AWS SDK tree-shake; their CommonJS builds (`main`) do not.
      mainFields: ['module', 'main'],
      // Dynamic imports (the operations, the SDK's lazy built-ins) become require(): a
      // vm.Script compiled from a code cache cannot run import() in Node 20.
      supported: { 'dynamic-import': false },
      // import.meta.url names the bundle file (runner/main.ts compares it with argv[1]).
      define: { 'import.meta.url': '__featherman_import_meta_url' },
      banner: { js: '"use strict";\nvar __featherman_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
      // Minified, the bundle is half the size and a process starts 10–15 ms sooner (145–150
      // against 156–162 ms for init-catalog, 10 runs each); runner.cjs.map maps its lines and
      // names back to the sources (stack traces name runner.cjs lines).
      minify: true,
      sourcemap: 'linked',
      sourcesContent: false,
      metafile: true,
      write: true,
    },
    { ...COMMON, entryPoints: [RUNNER_START_SOURCE], outfile: join(outdir, RUNNER_BUNDLE_ENTRY), format: 'esm', metafile: true, write: true },
  ];
}

/**
 * trainRunnerBundle runs the bundle in `outdir` once with an init-catalog plan in a temp
 * folder, so that it writes its code cache (side effects: runner.cjs.cache, a temp folder
 * removed afterwards). It throws when the run fails or leaves no cache.
 */
export async function trainRunnerBundle(outdir: string): Promise<void> {
  const scratch = await mkdtemp(join(tmpdir(), 'featherman-train-'));
  try {
    const plan = { op: 'init-catalog', catalog: { name: 'train', path: join(scratch, 'catalog.ducklake') }, objectStore: { bucket: 'train' } };
    let stderr = '';
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn(process.execPath, [join(outdir, RUNNER_BUNDLE_ENTRY)], {
        env: { ...process.env, FEATHERMAN_PLAN: JSON.stringify(plan), FEATHERMAN_TERMINATION_LOG: join(scratch, 'result'), LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => { stderr += chunk; });
      child.on('error', fail);
      child.on('close', done);
    });
    if (code !== 0 || !existsSync(join(outdir, 'runner.cjs.cache'))) throw new Error(`the training run of ${outdir} exited ${code} without a code cache:\n${stderr}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * buildRunnerBundle writes the runner bundle into `outdir` and trains its code cache
 * (side effect: runner.cjs, runner.cjs.map, runner.mjs, runner.cjs.cache) and returns the
 * files that went into it, relative to the repository folder.
 */
export async function buildRunnerBundle(outdir: string = DEFAULT_BUNDLE_DIR): Promise<string[]> {
  await rm(join(outdir, 'runner.cjs.cache'), { force: true });
  const results = await Promise.all(runnerBuildOptions(outdir).map((options) => build(options)));
  await trainRunnerBundle(outdir);
  return [...new Set(results.flatMap((result) => inputsOf(result.metafile)))].sort();
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outdir = resolve(process.argv[2] ?? DEFAULT_BUNDLE_DIR);
  const started = Date.now();
  const inputs = await buildRunnerBundle(outdir);
  process.stdout.write(`wrote ${join(outdir, RUNNER_BUNDLE_ENTRY)} from ${inputs.length} files in ${Date.now() - started} ms\n`);
}
