// Local mode as a user runs it, with the real functions app: kubectl apply a catalog and a
// table, and the table ends Ready with the landing file that was already there ingested.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { FUNCTIONS_APP_PATH, startLocalMode, type LocalMode } from '../../local/up.ts';

const KUBECTL = '/usr/bin/kubectl';
const ready = fs.existsSync(KUBECTL) && fs.existsSync(FUNCTIONS_APP_PATH);

function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    child.stdin?.end(input ?? '');
  });
}

describe('featherman up with the functions app', { skip: !ready && 'needs kubectl and functions/handlers/app.ts' }, () => {
  let dir: string;
  let local: LocalMode;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-local-lake-'));
    local = await startLocalMode({ dataDir: path.join(dir, 'local'), logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
  });
  after(async () => {
    await local.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reconciles a catalog and a table applied with kubectl to Ready, ingesting the landing file', async () => {
    assert.ok(local.functionsUrl, 'the functions app runs');
    const client = new S3Client({ endpoint: local.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'landing/orders/day 1.csv', Body: 'id,ts,region,amount\n1,2026-11-01 10:00:00,eu,10.50\n2,2026-11-02 11:00:00,us,20.00\n3,2026-10-02 11:00:00,eu,5.25\n' }));
    client.destroy();
    const catalog = fs.readFileSync('examples/catalog.yaml', 'utf8').replace('http://127.0.0.1:9000', local.s3Endpoint);
    await kubectl(local.kubeconfigPath, ['apply', '-f', '-'], catalog);
    await kubectl(local.kubeconfigPath, ['apply', '-f', 'examples/orders-table.yaml']);
    await kubectl(local.kubeconfigPath, ['wait', '--for=condition=Ready', 'ducklakecatalog/shop', '--timeout=90s']);
    await kubectl(local.kubeconfigPath, ['wait', '--for=jsonpath={.status.rowCount}=3', 'ducklaketable/orders', '--timeout=90s']);
    const table = JSON.parse(await kubectl(local.kubeconfigPath, ['get', 'ducklaketable', 'orders', '-o', 'json'])) as { status: { conditions: { type: string; status: string }[]; fileCount?: number } };
    assert.ok(table.status.conditions.some((entry) => entry.type === 'Ready' && entry.status === 'True'), JSON.stringify(table.status));
    assert.ok((table.status.fileCount ?? 0) >= 2, 'partitioned by region: at least two files');
    assert.equal(await kubectl(local.kubeconfigPath, ['get', 'pvc', 'fm-catalog-shop', '-o', 'jsonpath={.status.phase}']), 'Bound');
    const jobs = await kubectl(local.kubeconfigPath, ['get', 'jobs', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[-1:].type}{"\\n"}{end}']);
    assert.match(jobs, /^fm-init-catalog-shop-\S+ Complete$/m);
    assert.match(jobs, /^fm-ingest-orders-\S+ Complete$/m);
  });
});
