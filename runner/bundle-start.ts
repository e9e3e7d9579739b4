/**
 * The entry point of the runner bundle (`node dist/runner.mjs`, built by
 * scripts/build-runner.ts): it runs `runner.cjs`, the whole runner in one CommonJS file,
 * through V8's code cache `runner.cjs.cache` beside it. Compiling the ~2.8 MB bundle is
 * about a sixth of a small ingest's CPU time; with the cache V8 deserializes the bytecode of
 * every function the run that wrote the cache used. Node 20 has no module compile cache of
 * its own (module.enableCompileCache is Node 22), hence vm.Script.
 *
 * When the cache is missing or V8 rejects it (another Node version), the run writes a new
 * one at exit (side effect: the file, via a temp name and rename, so concurrent runners
 * never read half of one). scripts/build-runner.ts writes it with a training run, so the
 * image has it; on a read-only file system a rewrite fails and is skipped, and the runner
 * just compiles as without a cache.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, Script } from 'node:vm';

const bundle = join(dirname(fileURLToPath(import.meta.url)), 'runner.cjs');
const cacheFile = `${bundle}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    // No cache yet: this run compiles from source and writes one.
    return undefined;
  }
}

function writeCache(script: Script): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, script.createCachedData());
    renameSync(temp, cacheFile);
  } catch {
    // A read-only bundle folder (the image's root file system) keeps no cache; nothing is lost.
    rmSync(temp, { force: true });
  }
}

const cachedData = readCache();
// The CommonJS wrapper Node itself would use; the bundle's own require resolves its
// external native packages from the node_modules above the bundle folder.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(bundle, 'utf8')}\n})`, {
  filename: bundle,
  ...(cachedData ? { cachedData } : {}),
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
if (cachedData === undefined || script.cachedDataRejected === true) process.once('exit', () => writeCache(script));
// runner/main.ts runs its main only when it is the script node was started with.
process.argv[1] = bundle;
const module = { exports: {} };
(script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
