import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

/** orderTotal sums the `orders` of the preview lines that follow `heading` in the demo's output. */
function orderTotal(stdout: string, heading: string): number {
  const section = stdout.slice(stdout.indexOf(heading)).split('\n== ')[0] ?? '';
  return [...section.matchAll(/"orders":"(\d+)"/g)].reduce((sum, match) => sum + Number(match[1]), 0);
}

test('npm run demo:runner: every landing sample lands in its format, the queries answer, time travel sees only the CSV rows', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-demo-runner-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', 'cli/demo.ts', '--data-dir', dir], { timeout: 150_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
  assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
  // Each sample goes under the prefix of its own format (a Parquet sample under json/ once broke the demo).
  for (const sample of fs.readdirSync('examples/landing/sales')) {
    const format = path.extname(sample).slice(1);
    assert.match(run.stdout, new RegExp(`uploaded s3://lake/landing/sales/${format}/${sample.replace('.', '\\.')}`));
  }
  const rows = (label: string) => Number(new RegExp(`${label}: ok \\(snapshot \\d+, \\+\\d+ files, \\d+ bytes, (\\d+) rows\\)`).exec(run.stdout)?.[1]);
  const csv = rows('ingest csv');
  const all = csv + rows('ingest json') + rows('ingest parquet');
  assert.ok(csv > 0 && all > csv, `rows per ingest:\n${run.stdout}`);
  assert.match(run.stdout, /ingest csv again \(nothing new\): ok \(snapshot -\)/);
  assert.equal(orderTotal(run.stdout, '== Querying the latest snapshot'), all, 'the latest snapshot holds every ingested row');
  assert.equal(orderTotal(run.stdout, '== Time travel'), csv, 'the CSV snapshot holds the CSV rows only');
  const pruned = /files read (\d+), pruned (\d+)\s*\n\s*Done\./.exec(run.stdout);
  assert.ok(pruned && Number(pruned[2]) > Number(pruned[1]), 'the partition filter skips most files');
  assert.ok(fs.existsSync(path.join(dir, 'catalog', 'demo.ducklake')), 'the catalog is under --data-dir');
});
