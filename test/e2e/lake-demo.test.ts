import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HAS_KUBECTL } from './lake-harness.ts';

interface Run { code: number | null; stdout: string; stderr: string }

function demo(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', 'cli/demo-local.ts', ...args], { timeout: 150_000, env: { ...process.env, LOG_LEVEL: 'silent' } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('npm start: the local demo', { skip: !HAS_KUBECTL && 'kubectl is not on PATH' }, () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-lake-demo-'));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs end to end: Ready resources, rows per table, a query preview, a clean stop', async () => {
    const started = Date.now();
    const run = await demo(['--data-dir', path.join(dir, 'ok'), '--s3-port', '0']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.ok(Date.now() - started < 120_000, 'under two minutes');
    assert.match(run.stdout, /ducklaketable\.ducklake\.featherman\.dev\/orders created/);
    assert.equal(run.stdout.match(/condition met/g)?.length, 3);
    assert.match(run.stdout, /orders: 200 rows/);
    assert.match(run.stdout, /returns: 100 rows/);
    assert.match(run.stdout, /3 rows; status\.preview:/);
    for (const region of ['APAC', 'EU', 'US']) assert.match(run.stdout, new RegExp(`"region":"${region}"`));
    assert.match(run.stdout, new RegExp(`kubeconfig: ${path.join(dir, 'ok', 'kubeconfig').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(run.stdout, /stopped after/);
  });

  it('exits 1 saying what did not converge and what it observed', async () => {
    const run = await demo(['--data-dir', path.join(dir, 'slow'), '--s3-port', '0', '--timeout', '0.2']);
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /timed out after 0\.2 s waiting for DuckLakeCatalog\/shop Ready; observed: DuckLakeCatalog\/shop: phase=/);
    assert.match(run.stdout, /stopped after/, 'local mode is stopped even then');
  });
});
