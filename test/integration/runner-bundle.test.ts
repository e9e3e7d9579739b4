import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm } from 'node:fs/promises';
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

test('ensureRunnerBundle builds once per process into the cache, with every operation as its own chunk', async () => {
  const entry = await ensureRunnerBundle();
  assert.equal(await ensureRunnerBundle(), entry, 'memoized');
  assert.equal(dirname(dirname(entry)), RUNNER_BUNDLE_CACHE);
  assert.ok(existsSync(entry));
  assert.deepEqual(await runnerNodeArguments(), [entry]);
  assert.deepEqual(await runnerNodeArguments('/x/main.ts'), ['--import', 'tsx', '/x/main.ts']);
  const chunks = await readdir(join(dirname(entry), 'runner-chunks'));
  for (const op of await OPERATIONS()) assert.ok(chunks.some((name) => name.startsWith(`${op}-`) && name.endsWith('.mjs')), `a chunk for ${op}`);
  const manifest = JSON.parse(await readFile(join(RUNNER_BUNDLE_CACHE, 'latest.json'), 'utf8')) as { key: string; hashes: Record<string, string> };
  assert.equal(join(RUNNER_BUNDLE_CACHE, manifest.key, 'runner.mjs'), entry);
  for (const source of ['runner/main.ts', 'runner/ops/ingest.ts', 'api/plan.ts', 'scripts/build-runner.ts', 'package-lock.json']) {
    assert.match(manifest.hashes[source] ?? '', /^[0-9a-f]{64}$/, `${source} is part of the key`);
  }
});

test('the bundle keeps only the native packages external and loads them with require', async (t) => {
  const dir = await tempDir(t);
  const outdir = join(REPO_ROOT, '.cache', `test-bundle-${process.pid}`);
  t.after(() => rm(outdir, { recursive: true, force: true }));
  const inputs = await buildRunnerBundle(outdir);
  assert.ok(inputs.some((file) => file.includes('node_modules/@duckdb/node-api/')), '@duckdb/node-api is bundled');
  assert.ok(inputs.some((file) => file.includes('node_modules/@aws-sdk/client-s3/dist-es/')), 'the AWS SDK comes from its ES build');
  assert.ok(!inputs.some((file) => file.includes('node_modules/@duckdb/node-bindings')), 'the native bindings are not');
  const code = (await Promise.all((await readdir(join(outdir, 'runner-chunks'))).filter((name) => name.endsWith('.mjs'))
    .map((name) => readFile(join(outdir, 'runner-chunks', name), 'utf8')))).join('\n') + await readFile(join(outdir, 'runner.mjs'), 'utf8');
  assert.match(code, /__require\("@duckdb\/node-bindings"\)/);
  assert.match(code, /__require\("fs-ext"\)/);
  assert.doesNotMatch(code, /^import [^;]*from "(@duckdb|fs-ext)/m, 'no ES import of a native package');

  // The bundle built outside the cache runs on its own: an invalid plan exits 2 with its result.
  const terminationLog = join(dir, 'termination-log');
  const exit = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [join(outdir, 'runner.mjs')], {
      env: { ...process.env, FEATHERMAN_PLAN: '{"op":"ingest"}', FEATHERMAN_TERMINATION_LOG: terminationLog }, stdio: 'ignore',
    });
    child.on('error', reject);
    child.on('close', resolve);
  });
  assert.equal(exit, 2);
  const result = RunnerResult.parse(JSON.parse(await readFile(terminationLog, 'utf8')));
  assert.equal(result.error?.code, 'FM_ERR_INVALID_PLAN');
  assert.equal(result.op, 'ingest');
});
