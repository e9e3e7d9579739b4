// build-runner bundles the runner (runner/main.ts, every operation under runner/ops and
// what they import) with esbuild: `npm run build:runner` writes dist/runner.mjs and its
// chunks in dist/runner-chunks/, which the runner image runs as `node dist/runner.mjs`.
// Code splitting keeps each operation (and DuckDB, ~100 ms to load) out of the entry chunk
// until a plan asks for it. The native modules (@duckdb/node-bindings, fs-ext) stay
// external and load from node_modules, so the bundle must sit under a folder whose
// node_modules holds them.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

/** REPO_ROOT is the repository folder the runner's sources live in. */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** RUNNER_SOURCE is the entry point the bundle is built from. */
export const RUNNER_SOURCE = join(REPO_ROOT, 'runner', 'main.ts');

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

const EXTERNAL = /^(@duckdb\/node-bindings|fs-ext)$/;
const REQUIRED = 'required-external';

// The externals are CommonJS. Imported from an ES module, Node would first scan every file
// they re-export for export names (cjs-module-lexer); a require() through the banner's
// createRequire loads them without that scan.
const requireExternals: Plugin = {
  name: 'require-externals',
  setup(build) {
    build.onResolve({ filter: EXTERNAL }, (args) => (args.namespace === REQUIRED ? { path: args.path, external: true } : { path: args.path, namespace: REQUIRED }));
    build.onLoad({ filter: /.*/, namespace: REQUIRED }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

// CommonJS dependencies bundled into an ES module still call require() for Node's built-ins.
const REQUIRE_BANNER = "import { createRequire as __featherman_createRequire } from 'node:module';\n"
  + 'const require = __featherman_createRequire(import.meta.url);';

/** runnerBuildOptions are the esbuild options of the runner bundle written into `outdir` (pure). */
export function runnerBuildOptions(outdir: string): BuildOptions & { metafile: true; write: true } {
  return {
    absWorkingDir: REPO_ROOT,
    entryPoints: { runner: RUNNER_SOURCE },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'runner-chunks/[name]-[hash]',
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: RUNNER_EXTERNALS,
    plugins: [requireExternals],
    // The ES builds (`module`) of the AWS SDK tree-shake; their CommonJS builds (`main`) do not.
    mainFields: ['module', 'main'],
    banner: { js: REQUIRE_BANNER },
    // `node --enable-source-maps dist/runner.mjs` maps stack traces to the sources; the maps cost nothing otherwise.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    logLevel: 'silent',
    metafile: true,
    write: true,
  };
}

/**
 * buildRunnerBundle writes the runner bundle into `outdir` (side effect: runner.mjs and
 * runner-chunks/) and returns the files that went into it, relative to the repository folder.
 */
export async function buildRunnerBundle(outdir: string = DEFAULT_BUNDLE_DIR): Promise<string[]> {
  const result = await build(runnerBuildOptions(outdir));
  return inputsOf(result.metafile);
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs).sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const outdir = resolve(process.argv[2] ?? DEFAULT_BUNDLE_DIR);
  const started = Date.now();
  const inputs = await buildRunnerBundle(outdir);
  process.stdout.write(`wrote ${join(outdir, RUNNER_BUNDLE_ENTRY)} from ${inputs.length} files in ${Date.now() - started} ms\n`);
}
