import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { PlanInput } from '../../api/plan.ts';
import type { OpenUpload } from '../../runner/storage/object-store.ts';
import { startFaultProxy } from '../support/fault-proxy.ts';
import { runRunnerUntil } from '../support/kill.ts';
import { spawnRunner } from '../support/runner.ts';
import { inspect, LANDING_FILES, setUp, type CrashWorld } from './ingest-harness.ts';

const ROWS_PER_FILE = 150_000;
const PART_BYTES = 5 * 1024 * 1024;
const HOUR = 3_600_000;

async function openUploads(world: CrashWorld, prefix: string): Promise<OpenUpload[]> {
  const out: OpenUpload[] = [];
  for await (const upload of world.s3.store.listUploads(prefix)) out.push(upload);
  return out;
}

async function runOp(world: CrashWorld, plan: Record<string, unknown>, now: Date): Promise<Record<string, unknown>> {
  const run = await spawnRunner({ ...world.common, ...plan } as PlanInput, { env: { ...world.s3.env, FEATHERMAN_NOW: now.toISOString() } });
  assert.equal(run.exitCode, 0, run.stderr);
  return (JSON.parse(run.terminationLog) as { details: Record<string, unknown> }).details;
}

test('SIGKILL between the last part and the completion leaves an open upload; check reports it once the grace period is over and cleanup-files aborts it', async (t) => {
  // One data file of about 12 MB (random hex does not compress), sent in 5 MiB parts.
  const world = await setUp(t, { rowsPerFile: ROWS_PER_FILE, targetFileSizeMB: 256 });
  let completionSeen: (reason: string) => void = () => undefined;
  const completion = new Promise<string>((resolve) => { completionSeen = resolve; });
  // The proxy resets every CompleteMultipartUpload, so the upload cannot finish; the runner is killed at the first.
  const proxy = await startFaultProxy({
    target: world.s3.endpoint, failRate: 1, seed: 7, mode: 'reset',
    eligible: (method, url) => {
      const completes = method === 'POST' && /[?&]uploadId=/.test(url);
      if (completes) completionSeen(`${method} ${url}`);
      return completes;
    },
  });
  t.after(() => proxy.close());
  const ingest = world.plan('ingest') as PlanInput & { objectStore: Record<string, unknown> };
  const killed = await runRunnerUntil({ ...ingest, objectStore: { ...ingest.objectStore, endpoint: proxy.endpoint } } as PlanInput,
    { ...world.s3.env, FEATHERMAN_S3_PART_SIZE_BYTES: String(PART_BYTES) }, { killAt: completion, timeoutMs: 90_000 });
  assert.match(killed.killedAt ?? '', /^POST .*uploadId=/, `the runner was killed at the completion of a multipart upload; stderr:\n${killed.stderr.slice(-2000)}`);
  const parts = proxy.requests.filter((request) => request.method === 'PUT' && /partNumber=/.test(request.url) && request.status === 200);
  assert.ok(parts.length >= 2, `all parts went up first: ${parts.length}`);

  const after = await inspect(world);
  assert.equal(after.snapshotId, 1, 'nothing committed');
  const open = await openUploads(world, 'main/events/');
  assert.equal(open.length, 1, 'the killed upload stays open');
  const [upload] = open;
  assert.ok(upload);
  assert.match(upload.key, /^main\/events\/ducklake-[0-9a-f-]{36}\.parquet$/);
  assert.ok(!(await world.s3.store.head(upload.key)), 'no object exists for it');
  const url = `s3://${world.s3.bucket}/${upload.key}`;

  const young = await runOp(world, { op: 'check' }, new Date());
  assert.equal(young.abandonedUploadCount, 0, 'an upload younger than the grace period may still be in flight');
  assert.equal(young.inFlightUploadCount, 1);
  const later = new Date(Date.now() + 25 * HOUR);
  const old = await runOp(world, { op: 'check' }, later);
  assert.equal(old.abandonedUploadCount, 1);
  assert.deepEqual(old.abandonedUploads, [url]);
  assert.equal(old.uploadsListed, true);
  assert.equal(old.healthy, true, 'an abandoned upload loses nothing');

  const dry = await runOp(world, { op: 'cleanup-files', dryRun: true }, later);
  assert.equal(dry.abandonedUploadsAborted, 1);
  assert.equal((await openUploads(world, 'main/events/')).length, 1, 'a dry run aborts nothing');
  // Where s3rver keeps a bucket's open uploads, one folder per upload id.
  const partsDir = join(world.s3.dir, world.s3.bucket, '._S3rver_uploads');
  assert.ok((await readdir(partsDir)).includes(upload.uploadId), 'the parts are on the server');

  const cleaned = await runOp(world, { op: 'cleanup-files' }, later);
  assert.equal(cleaned.abandonedUploadsAborted, 1);
  assert.deepEqual(cleaned.abandonedUploads, [url]);
  assert.deepEqual(await openUploads(world, 'main/events/'), []);
  assert.ok(!(await readdir(partsDir)).includes(upload.uploadId), 'the parts are gone');

  const rerun = await spawnRunner(world.plan('ingest'), { env: world.s3.env });
  assert.equal(rerun.exitCode, 0, rerun.stderr);
  const final = await inspect(world);
  assert.equal(final.rows, LANDING_FILES * ROWS_PER_FILE, 'every row once');
  const recheck = await runOp(world, { op: 'check' }, later);
  assert.equal(recheck.abandonedUploadCount, 0);
  assert.equal(recheck.healthy, true);
});
