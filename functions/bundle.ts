/**
 * How the functions process is built and started, in one place: the image (docker/
 * functions.Dockerfile), func.yaml, the Knative Services (deploy/) and bench:functions all
 * use these. `node --import tsx functions/bundle.ts <outfile>` writes the bundle.
 * Side effects: bundleFunctions writes one file.
 */
import path from 'node:path';
import { build } from 'esbuild';

/**
 * BUNDLE_EXTERNALS stay outside the bundle and resolve from node_modules: DuckDB (native,
 * loaded only when the admission webhook checks SQL) and the local-mode-only packages.
 */
export const BUNDLE_EXTERNALS = ['@duckdb/node-api', 'fs-ext', 's3rver'] as const;

/**
 * FUNCTIONS_RUNTIME_ENV is the environment the functions process runs with.
 * MALLOC_MMAP_THRESHOLD_: V8 parses and compiles the 4 MB bundle in zone memory (32 MB at
 * the peak, freed at once); from glibc's brk heap that memory stays in RSS, fragmented,
 * while mmap-backed blocks go back to the kernel: 113 → 80 MiB RSS at ready.
 * NODE_OPTIONS --max-semi-space-size=1: a 1 MiB young generation (V8 grows it to 16 MiB
 * under allocation), enough for a function that handles one small event at a time.
 */
export const FUNCTIONS_RUNTIME_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '32768',
  NODE_OPTIONS: '--max-semi-space-size=1',
};

/** bundleFunctions bundles functions/main.ts into one CommonJS file (side effect: writes `outfile`). */
export async function bundleFunctions(outfile: string): Promise<void> {
  // CommonJS output keeps `require('@duckdb/node-api')` and the S3 SDK inside lazily
  // initialised modules (ESM output would hoist them to static imports loaded at start-up).
  await build({
    entryPoints: [path.join(import.meta.dirname, 'main.ts')],
    outfile, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'error',
    external: [...BUNDLE_EXTERNALS],
  });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const outfile = process.argv[2];
  if (outfile === undefined) throw new Error('usage: node --import tsx functions/bundle.ts <outfile>');
  await bundleFunctions(path.resolve(outfile));
}
