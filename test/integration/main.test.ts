import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { RESULT_MAX_BYTES, RunnerResult } from '../../api/result.ts';
import { acquireCatalogLock } from '../../runner/lock.ts';
import { runMain } from '../../runner/main.ts';
import { loadOperation } from '../../runner/ops/index.ts';
import { spawnRunner } from '../support/runner.ts';
import { withEmbeddedS3 } from '../support/s3.ts';
import { tempDir } from '../support/temp-dir.ts';

function parseResult(text: string): RunnerResult {
  assert.ok(Buffer.byteLength(text) <= RESULT_MAX_BYTES, `termination log has ${Buffer.byteLength(text)} bytes`);
  return RunnerResult.parse(JSON.parse(text));
}

async function basePlan(t: import('node:test').TestContext, endpoint = 'http://127.0.0.1:9') {
  const dir = await tempDir(t);
  return {
    dir,
    plan: {
      catalog: { name: 'lake', path: join(dir, 'catalog', 'lake.ducklake') },
      objectStore: { endpoint, bucket: 'lake', forcePathStyle: true, prefix: 'warehouse' },
      lockTimeoutSeconds: 1,
      cacheDir: join(dir, 'cache'),
    },
  };
}

test('an invalid plan exits 2 with one stderr line per issue and an FM_ERR_INVALID_PLAN result', async (t) => {
  const { plan } = await basePlan(t);
  const bad = { ...plan, op: 'init-catalog', catalog: { name: 'Not_A_Label', path: '' }, lockTimeoutSeconds: 'soon' };
  const run = await spawnRunner(bad as never);
  assert.equal(run.exitCode, 2);
  assert.ok(run.lines.includes('catalog.name: must be a DNS label (lower-case letters, digits, hyphens); got "Not_A_Label"'), run.stderr);
  assert.ok(run.lines.includes('catalog.path: must have at least 1 characters; got ""'), run.stderr);
  assert.ok(run.lines.includes('lockTimeoutSeconds: must be a number; got "soon"'), run.stderr);
  const result = parseResult(run.terminationLog);
  assert.equal(result.ok, false);
  assert.equal(result.op, 'init-catalog');
  assert.equal(result.error?.code, 'FM_ERR_INVALID_PLAN');
  assert.match(result.error?.message ?? '', /^invalid plan: catalog\.name: .* \(and 2 more\)$/);
});

test('a missing plan, a plan file and --plan are read in that order of precedence', async (t) => {
  const none = await spawnRunner(undefined, { env: { FEATHERMAN_PLAN: '', FEATHERMAN_PLAN_FILE: '' } });
  assert.equal(none.exitCode, 2);
  assert.match(none.stderr, /^plan: must be given in FEATHERMAN_PLAN, FEATHERMAN_PLAN_FILE or --plan <file>; got nothing$/m);
  const dir = await tempDir(t);
  const file = join(dir, 'plan.json');
  await writeFile(file, JSON.stringify({ op: 'query' }));
  const fromArg = await spawnRunner(undefined, { args: ['--plan', file], env: { FEATHERMAN_PLAN: '', FEATHERMAN_PLAN_FILE: '' } });
  assert.equal(fromArg.exitCode, 2);
  assert.match(fromArg.stderr, /^catalog: is required$/m);
  const missingFile = await spawnRunner(undefined, { env: { FEATHERMAN_PLAN: '', FEATHERMAN_PLAN_FILE: join(dir, 'nope.json') } });
  assert.match(missingFile.stderr, /^FEATHERMAN_PLAN_FILE: must name a readable plan file \(ENOENT\); got ".*nope\.json"$/m);
});

test('hundreds of issues still give a termination log of at most 4 KiB that parses', async (t) => {
  const { plan } = await basePlan(t);
  const columns = Array.from({ length: 400 }, (_, index) => ({ name: `c${index}`, type: `NOT_A_TYPE_${index}` }));
  const run = await spawnRunner({ ...plan, op: 'apply-table', table: { name: 'wide', columns } } as never);
  assert.equal(run.exitCode, 2);
  assert.ok(run.lines.filter((line) => line.startsWith('table.columns[')).length >= 400);
  const result = parseResult(run.terminationLog);
  assert.equal(result.error?.code, 'FM_ERR_INVALID_PLAN');
  assert.ok((result.details?.issueCount as number) >= 400);
  const kept = result.details?.issues as string[] | undefined;
  assert.ok(kept && kept.length > 0 && kept.length <= 20, 'the first issues are kept');
});

test('an operation whose module is missing or exports no operation fails with a clear message', async (t) => {
  await assert.rejects(loadOperation('no-such-op'), { code: 'FM_ERR_OP_UNAVAILABLE', message: /runner\/ops\/no-such-op\.ts does not exist/ });
  await assert.rejects(loadOperation('context'), { code: 'FM_ERR_OP_UNAVAILABLE', message: /not a valid operation name/ });
  const { dir, plan } = await basePlan(t);
  const opsDir = join(dir, 'ops');
  await mkdir(opsDir);
  await writeFile(join(opsDir, 'backup.ts'), 'export const notAnOperation = 1;\n');
  const terminationLog = join(dir, 'termination-log');
  const env = { FEATHERMAN_TERMINATION_LOG: terminationLog, LOG_LEVEL: 'silent' };
  for (const [op, expected] of [
    ['check', `operation check is not available in this runner: ${join(opsDir, 'check.ts')} does not exist`],
    ['backup', `operation backup is not available in this runner: ${join(opsDir, 'backup.ts')} exports no \`operation\` with lockMode and run`],
  ] as const) {
    const code = await runMain({ ...env, FEATHERMAN_PLAN: JSON.stringify({ ...plan, op }) }, [], { opsDir });
    assert.equal(code, 1);
    const result = parseResult(await readFile(terminationLog, 'utf8'));
    assert.deepEqual(result.error, { code: 'FM_ERR_OP_UNAVAILABLE', message: expected });
    assert.equal(result.op, op);
  }
});

test('a held catalog lock makes the runner fail with FM_ERR_LOCK_TIMEOUT and exit 1', async (t) => {
  const { plan } = await basePlan(t);
  await mkdir(join(plan.catalog.path, '..'), { recursive: true });
  const lock = await acquireCatalogLock(plan.catalog.path, 'exclusive', 1000);
  t.after(() => lock.release());
  const started = Date.now();
  const run = await spawnRunner({ ...plan, op: 'init-catalog' });
  assert.equal(run.exitCode, 1, run.stderr);
  assert.ok(Date.now() - started >= 1000);
  const result = parseResult(run.terminationLog);
  assert.equal(result.error?.code, 'FM_ERR_LOCK_TIMEOUT');
  assert.equal(result.error?.message, `catalog ${plan.catalog.path} is locked by another reader or writer; waited 1 s`);
  assert.ok(run.logs.some((log) => log.level === 50 && log.msg === result.error?.message), 'logged once at ERROR');
});

test('init-catalog runs through main, logs one summary line and is idempotent', async (t) => {
  const s3 = await withEmbeddedS3(t);
  const { plan } = await basePlan(t, s3.endpoint);
  const env = { ...s3.env, LOG_LEVEL: 'info' };
  const first = await spawnRunner({ ...plan, op: 'init-catalog' }, { env });
  assert.equal(first.exitCode, 0, first.stderr);
  const result = parseResult(first.terminationLog);
  assert.equal(result.ok, true);
  assert.equal(result.op, 'init-catalog');
  assert.equal(typeof result.snapshotId, 'number');
  assert.ok(existsSync(plan.catalog.path));
  assert.deepEqual(first.lines.filter((line) => line.trim() !== '' && !line.startsWith('{')), [], 'stderr holds JSON log lines only');
  const infos = first.logs.filter((log) => log.level === 30);
  assert.equal(infos.length, 1, first.stderr);
  assert.match(String(infos[0]?.msg), /^Catalog lake: created/);
  assert.equal(infos[0]?.op, 'init-catalog');
  assert.equal(infos[0]?.filesAdded, 0);
  const second = await spawnRunner({ ...plan, op: 'init-catalog' }, { env });
  assert.equal(second.exitCode, 0, second.stderr);
  assert.equal(parseResult(second.terminationLog).snapshotId, result.snapshotId);
});

test('an unwritable termination log is a warning, not a failure', async (t) => {
  const { dir } = await basePlan(t);
  const run = await spawnRunner('{"op":"query"}', { env: { FEATHERMAN_TERMINATION_LOG: join(dir, 'no-such-folder', 'termination-log') } });
  assert.equal(run.exitCode, 2);
  const warning = run.logs.find((log) => log.level === 40);
  assert.match(String(warning?.msg), /could not write the termination log/);
  const echoed = run.logs.find((log) => log.msg === 'runner result');
  assert.equal((echoed?.result as { error?: { code?: string } } | undefined)?.error?.code, 'FM_ERR_INVALID_PLAN');
});
