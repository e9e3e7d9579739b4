import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { pino } from 'pino';
import { startLocalMode, statePath, type LocalMode } from '../../local/up.ts';
import { startTestReceiver, type TestReceiver } from '../../local/event-router/test-receiver.ts';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const hasKubectl = fs.existsSync(KUBECTL);

async function kubectl(kubeconfig: string, args: string[], input?: string): Promise<string> {
  if (input === undefined) return (await run(KUBECTL, ['--kubeconfig', kubeconfig, ...args])).stdout;
  return new Promise((resolve, reject) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)));
    child.stdin?.end(input);
  });
}

const CATALOG_YAML = `apiVersion: ducklake.featherman.dev/v1alpha1
kind: DuckLakeCatalog
metadata:
  name: demo
  namespace: default
spec:
  objectStore:
    bucket: lake
    endpoint: http://127.0.0.1:9000
    forcePathStyle: true
    credentialsSecret:
      name: lake-credentials
`;

describe('featherman up: local mode as a whole', () => {
  let dir: string;
  let receiver: TestReceiver;
  let local: LocalMode;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-local-up-'));
    receiver = await startTestReceiver();
    local = await startLocalMode({ dataDir: path.join(dir, 'local'), functionsUrl: receiver.url, logger: pino({ level: process.env.LOG_LEVEL ?? 'silent' }) });
  });
  after(async () => {
    await local.close();
    await receiver.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves the CRDs to kubectl and routes a kubectl apply to reconcile-catalog', { skip: !hasKubectl && 'no kubectl' }, async () => {
    const crds = await kubectl(local.kubeconfigPath, ['get', 'crds', '-o', 'name']);
    assert.match(crds, /ducklakecatalogs\.ducklake\.featherman\.dev/);
    assert.match(crds, /ducklaketables\.ducklake\.featherman\.dev/);
    assert.match(crds, /ducklakequeries\.ducklake\.featherman\.dev/);
    const deletionPolicy = await kubectl(local.kubeconfigPath, ['get', 'crd', 'ducklaketables.ducklake.featherman.dev', '-o',
      'jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.deletionPolicy}']);
    assert.match(deletionPolicy, /"enum":\["Retain","Delete"\]/, 'the CRD keeps its enums as written');
    assert.match(deletionPolicy, /"default":"Retain"/, 'the CRD keeps its defaults as written');
    const rules = await kubectl(local.kubeconfigPath, ['get', 'crd', 'ducklaketables.ducklake.featherman.dev', '-o',
      'jsonpath={.spec.versions[0].schema.openAPIV3Schema.properties.spec.x-kubernetes-validations[*].message}']);
    assert.match(rules, /ttlDays and ttlColumn must be set together/, 'the CRD keeps its CEL rules');
    await kubectl(local.kubeconfigPath, ['apply', '-f', '-'], CATALOG_YAML);
    assert.match(await kubectl(local.kubeconfigPath, ['get', 'ducklake', '-o', 'name']), /ducklakecatalog\.ducklake\.featherman\.dev\/demo/);
    const received = await receiver.waitFor((all) => all.some((request) => request.path === '/reconcile-catalog' && request.event?.name === 'demo'));
    const event = received.find((request) => request.path === '/reconcile-catalog')?.event;
    assert.equal(event?.type, 'dev.knative.apiserver.ref.add');
    assert.equal(event?.source, local.apiUrl);
  });

  it('sends S3 notifications and the first resync tick to the functions app', async () => {
    const client = new S3Client({ endpoint: local.s3Endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    await client.send(new PutObjectCommand({ Bucket: 'lake', Key: 'landing/t/x.csv', Body: 'a\n1\n' }));
    client.destroy();
    const received = await receiver.waitFor((all) => all.some((request) => request.path === '/s3-object') && all.some((request) => request.path === '/sweep'), 10_000);
    const s3 = received.find((request) => request.path === '/s3-object')?.event?.data as { Records: { s3: { object: { key: string } } }[] };
    assert.equal(s3.Records[0]?.s3.object.key, 'landing/t/x.csv');
    assert.equal(received.find((request) => request.path === '/sweep')?.event?.type, 'dev.knative.sources.ping');
  });

  it('binds a PersistentVolumeClaim to a local folder and removes the folder with the claim', { skip: !hasKubectl && 'no kubectl' }, async () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'catalog-x', namespace: 'default' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '2Gi' } } } };
    await kubectl(local.kubeconfigPath, ['apply', '-f', '-'], JSON.stringify(claim));
    await kubectl(local.kubeconfigPath, ['wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/catalog-x', '--timeout=20s']);
    assert.equal(await kubectl(local.kubeconfigPath, ['get', 'pvc', 'catalog-x', '-o', 'jsonpath={.status.capacity.storage}']), '2Gi');
    const folder = path.join(dir, 'local', 'volumes', 'default', 'catalog-x');
    assert.ok(fs.statSync(folder).isDirectory());
    await kubectl(local.kubeconfigPath, ['delete', 'pvc', 'catalog-x', '--wait=true']);
    const started = Date.now();
    while (fs.existsSync(folder)) {
      assert.ok(Date.now() - started < 10_000, 'the folder goes with the claim');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('runs a Featherman Job to Complete and tells job-finished', async () => {
    const plan = { op: 'init-catalog', catalog: { name: 'demo', path: '/var/lib/featherman/catalog/demo.ducklake' }, objectStore: { bucket: 'lake', endpoint: local.s3Endpoint, forcePathStyle: true } };
    const job = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'demo-init', namespace: 'default', labels: { 'app.kubernetes.io/managed-by': 'featherman' } },
      spec: {
        backoffLimit: 0,
        template: { spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'runner', image: 'featherman/runner', env: [{ name: 'FEATHERMAN_PLAN', value: JSON.stringify(plan) }], volumeMounts: [{ name: 'catalog', mountPath: '/var/lib/featherman/catalog' }] }],
          volumes: [{ name: 'catalog', persistentVolumeClaim: { claimName: 'catalog-demo' } }],
        } },
      },
    };
    await kubectl(local.kubeconfigPath, ['create', '-f', '-'], JSON.stringify(job));
    await kubectl(local.kubeconfigPath, ['wait', '--for=condition=Complete', 'job/demo-init', '--timeout=60s']);
    assert.ok(fs.existsSync(path.join(dir, 'local', 'volumes', 'default', 'catalog-demo', 'demo.ducklake')));
    await receiver.waitFor((all) => all.some((request) => request.path === '/job-finished' && request.event?.name === 'demo-init' && request.event.type === 'dev.knative.apiserver.ref.update'));
  });
});

describe('featherman up: the command', { skip: !hasKubectl && 'no kubectl' }, () => {
  it('starts, answers kubectl, reports its status and stops cleanly on SIGINT', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fm-cli-up-'));
    const dataDir = path.join(dir, 'local');
    const child = spawn(process.execPath, ['--openssl-legacy-provider', '--import', 'tsx', 'cli/featherman.ts', 'up', '--data-dir', dataDir, '--port', '0', '--s3-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => { stdout += chunk; });
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = Date.now();
      while (!stdout.includes('Ctrl-C stops it.')) {
        assert.ok(Date.now() - started < 30_000, `featherman up did not come up: ${stdout}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const kubeconfig = /kubeconfig:\s+(\S+)/.exec(stdout)?.[1] ?? '';
      assert.equal(kubeconfig, path.join(dataDir, 'kubeconfig'));
      assert.match(stdout, new RegExp(`kubectl --kubeconfig ${kubeconfig} get ducklake`));
      assert.match(await kubectl(kubeconfig, ['get', 'crds']), /ducklaketables\.ducklake\.featherman\.dev/);
      assert.match(await kubectl(kubeconfig, ['get', 'ducklake', '-A']).catch((error: Error) => error.message), /^$|No resources found/);
      const status = await run(process.execPath, ['--import', 'tsx', 'cli/featherman.ts', 'status', '--data-dir', dataDir]);
      assert.match(status.stdout, /healthy/);
      assert.ok(fs.existsSync(statePath(dataDir)));
      child.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.match(stdout, /stopped\./);
      assert.equal(fs.existsSync(statePath(dataDir)), false, 'the state file is removed');
      const after = await run(process.execPath, ['--import', 'tsx', 'cli/featherman.ts', 'status', '--data-dir', dataDir])
        .then(() => ({ code: 0, stdout: '' }), (error: { code: number; stdout: string }) => error);
      assert.equal(after.code, 1);
      assert.match(after.stdout, /local mode is not running/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
