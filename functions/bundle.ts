/**
 * How the functions image builds the functions process: `node --import tsx
 * functions/bundle.ts <outfile>` (docker/functions.Dockerfile); bench:functions bundles the
 * same way. The environment it runs with is FUNCTIONS_RUNTIME_ENV (runtime-env.ts).
 * Side effects: bundleFunctions writes one file.
 */
import path from 'node:path';
import { build } from 'esbuild';

/**
 * BUNDLE_EXTERNALS stay outside the bundle and resolve from node_modules: DuckDB (native,
 * loaded only when the admission webhook checks SQL), the local-mode-only packages, and the
 * S3 SDK, which only the first S3-touching event loads (a HEAD or a delete): bundled, its
 * 0.6 MB would be parsed at every start for nothing (start-up 292 → 255 ms, RSS 78 → 75 MiB).
 */
const BUNDLE_EXTERNALS = ['@duckdb/node-api', 'fs-ext', 's3rver', '@aws-sdk/*', '@smithy/*'] as const;

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
