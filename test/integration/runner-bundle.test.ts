import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { RunnerResult } from '../../api/result.ts';
import { ensureRunnerBundle, RUNNER_BUNDLE_CACHE, runnerNodeArguments } from '../../local/runner-bundle.ts';
import { buildRunnerBundle } from '../../scripts/build-runner.ts';
import { REPO_ROOT } from '../support/runner.ts';
import { tempDir } from '../support/temp-dir.ts';

const OPERATIONS = async () => (await readdir(join(REPO_ROOT, 'runner', 'ops')))
  .filter((name) => name.endsWith('.ts') && !['index.ts', 'context.ts'].includes(name))
  .map((name) => name.slice(0, -'.ts'.length))
  .sort();

test('ensureRunnerBundle builds once per process into the cache, from every operation', async () => {
  const entry = await ensureRunnerBundle();
  assert.equal(await ensureRunnerBundle(), entry, 'memoized');
  assert.equal(dirname(dirname(entry)), RUNNER_BUNDLE_CACHE);
  assert.ok(existsSync(entry));
  assert.ok(existsSync(join(dirname(entry), 'runner.cjs')));
  assert.deepEqual(await runnerNodeArguments(), [entry]);
  assert.deepEqual(await runnerNodeArguments('/x/main.ts'), ['--import', 'tsx', '/x/main.ts']);
  const manifest = JSON.parse(await readFile(join(RUNNER_BUNDLE_CACHE, 'latest.json'), 'utf8')) as { key: string; hashes: Record<string, string> };
  assert.equal(join(RUNNER_BUNDLE_CACHE, manifest.key, 'runner.mjs'), entry);
  const ops = (await OPERATIONS()).map((op) => `runner/ops/${op}.ts`);
  for (const source of ['runner/main.ts', 'runner/bundle-start.ts', 'api/plan.ts', 'scripts/build-runner.ts', 'package-lock.json', ...ops]) {
    assert.match(manifest.hashes[source] ?? '', /^[0-9a-f]{64}$/, `${source} is part of the key`);
  }
});

async function runBundle(entry: string, terminationLog: string): Promise<number | null> {
  return new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [entry], {
      env: { ...process.env, FEATHERMAN_PLAN: '{"op":"ingest"}', FEATHERMAN_TERMINATION_LOG: terminationLog }, stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
}

test('the bundle keeps only the native packages external, runs on its own and writes its code cache once', async (t) => {
  const dir = await tempDir(t);
  const outdir = join(REPO_ROOT, '.cache', `test-bundle-${process.pid}`);
  t.after(() => rm(outdir, { recursive: true, force: true }));
  const inputs = await buildRunnerBundle(outdir);
  assert.ok(inputs.some((file) => file.includes('node_modules/@duckdb/node-api/')), '@duckdb/node-api is bundled');
  assert.ok(inputs.some((file) => file.includes('node_modules/@aws-sdk/client-s3/dist-es/')), 'the AWS SDK comes from its ES build');
  assert.ok(!inputs.some((file) => file.includes('node_modules/@duckdb/node-bindings')), 'the native bindings are not');
  const code = await readFile(join(outdir, 'runner.cjs'), 'utf8');
  assert.match(code, /require\("@duckdb\/node-bindings"\)/);
  assert.match(code, /require\("fs-ext"\)/);
  // (esbuild names its glob loader after the source text: a comment and a quoted key.)
  assert.doesNotMatch(code, /^(?!\s*\/\/).*[^\w.'"]import\(/m, 'no dynamic import (a cached vm.Script cannot run one)');

  // The build's training run wrote the code cache; runs reuse it. An invalid plan exits 2 with its result.
  const cache = join(outdir, 'runner.cjs.cache');
  const trained = await stat(cache);
  assert.ok(trained.size > 100_000, `a code cache of ${trained.size} bytes`);
  const terminationLog = join(dir, 'termination-log');
  assert.equal(await runBundle(join(outdir, 'runner.mjs'), terminationLog), 2);
  const result = RunnerResult.parse(JSON.parse(await readFile(terminationLog, 'utf8')));
  assert.equal(result.error?.code, 'FM_ERR_INVALID_PLAN');
  assert.equal(result.op, 'ingest');
  assert.equal((await stat(cache)).mtimeMs, trained.mtimeMs, 'an accepted cache is not rewritten');
  // Without a cache (another Node version rejects it the same way), the run writes one.
  await rm(cache);
  assert.equal(await runBundle(join(outdir, 'runner.mjs'), terminationLog), 2);
  assert.ok((await stat(cache)).size > 100_000, 'a run without a cache writes one');
});
