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
    assert.equal(run.stdout.match(/condition met/g)?.length, 4);
    const first = /orders: 200 rows at snapshot (\d+)/.exec(run.stdout);
    assert.ok(first, 'the first CSV lands in orders');
    assert.match(run.stdout, /returns: 100 rows at snapshot \d+/, 'JSON lands in returns');
    assert.match(run.stdout, /orders-archive: 120 rows at snapshot \d+/, 'Parquet lands in the archive');
    const second = /orders: 250 rows at snapshot (\d+)/.exec(run.stdout);
    assert.ok(second && Number(second[1]) > Number(first[1]), 'the second CSV is a later snapshot');
    const latest = /revenue-by-region: 3 rows at snapshot (\d+); status\.preview:\n((?: {4}.*\n){3})/.exec(run.stdout);
    const travel = /revenue-at-first-ingest: 3 rows at snapshot (\d+); status\.preview:\n((?: {4}.*\n){3})/.exec(run.stdout);
    assert.ok(latest && travel, run.stdout);
    assert.equal(travel[1], first[1], 'the time-travel query reads the snapshot of the first ingest');
    const orders = (preview: string): number => preview.trim().split('\n').reduce((sum, line) => sum + Number((JSON.parse(line) as { orders: string }).orders), 0);
    assert.equal(orders(latest[2] ?? ''), 250);
    assert.equal(orders(travel[2] ?? ''), 200, 'time travel does not see the second CSV');
    for (const region of ['APAC', 'EU', 'US']) assert.match(latest[2] ?? '', new RegExp(`"region":"${region}"`));
    assert.doesNotMatch(run.stdout + run.stderr, /NodeVersionSupportWarning/);
    assert.match(run.stdout, new RegExp(`kubeconfig: ${path.join(dir, 'ok', 'kubeconfig').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(run.stdout, /stopped after/);
  });

  it('exits 1 saying what did not converge and what it observed', async () => {
    const run = await demo(['--data-dir', path.join(dir, 'slow'), '--s3-port', '0', '--timeout', '0.2']);
    assert.equal(run.code, 1, `${run.stdout}\n${run.stderr}`);
    // Which wait runs out first depends on the machine's speed; each names what it saw.
    assert.match(run.stderr, /timed out after 0\.2 s waiting for (DuckLake\w+\/[\w-]+ Ready|table [\w-]+ to hold \d+ rows|DuckLakeQuery\/[\w-]+ to finish); observed: \S/);
    assert.match(run.stdout, /stopped after/, 'local mode is stopped even then');
  });
});
