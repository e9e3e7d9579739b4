import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ApiException, BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import { hasKubectl, startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const fixture = (name: string): string => path.join(FIXTURES, name);
const namespace = 'default';
const skip = hasKubectl() ? false : 'kubectl is not on PATH';

function headerOf(output: string): string[] {
  return (output.split('\n')[0] ?? '').trim().split(/\s{2,}/);
}

function rowOf(output: string, name: string): string[] {
  const line = output.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line ? line.trim().split(/\s{2,}/) : [];
}

describe('kubectl against the local API server: Secrets, ConfigMaps and Jobs', { skip }, () => {
  let harness: TestApiServer;
  let core: CoreV1Api;
  let batch: BatchV1Api;

  before(async () => {
    harness = await startTestApiServer();
    core = harness.kubeConfig.makeApiClient(CoreV1Api);
    batch = harness.kubeConfig.makeApiClient(BatchV1Api);
  });
  after(async () => harness?.close());

  it('applies a ConfigMap, then updates it with a strategic merge patch', async () => {
    const created = await harness.kubectl(['apply', '-f', fixture('configmap-settings.yaml')]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'configmap/settings created');
    const changed = fs.readFileSync(fixture('configmap-settings.yaml'), 'utf8').replace('mode: local', 'mode: remote\n  extra: "1"');
    const configured = await harness.kubectl(['apply', '-f', '-'], changed);
    assert.equal(configured.stdout.trim(), 'configmap/settings configured', configured.stderr);
    const stored = await core.readNamespacedConfigMap({ namespace, name: 'settings' });
    assert.deepEqual(stored.data, { mode: 'remote', extra: '1' });
    const table = await harness.kubectl(['get', 'configmaps']);
    assert.deepEqual(headerOf(table.stdout), ['NAME', 'DATA', 'AGE']);
    assert.deepEqual(rowOf(table.stdout, 'settings').slice(0, 2), ['settings', '2']);
    const selected = await harness.kubectl(['get', 'cm', '-l', 'app=featherman', '-o', 'name']);
    assert.equal(selected.stdout.trim(), 'configmap/settings');
  });

  it('applies a Secret with stringData (client-side and server-side)', async () => {
    const created = await harness.kubectl(['apply', '-f', fixture('secret-credentials.yaml')]);
    assert.equal(created.code, 0, created.stderr);
    const stored = await core.readNamespacedSecret({ namespace, name: 'credentials' });
    assert.equal(Buffer.from(stored.data?.['access-key'] ?? '', 'base64').toString(), 'S3RVER');
    const table = await harness.kubectl(['get', 'secrets']);
    assert.deepEqual(headerOf(table.stdout), ['NAME', 'TYPE', 'DATA', 'AGE']);
    assert.deepEqual(rowOf(table.stdout, 'credentials').slice(0, 3), ['credentials', 'Opaque', '2']);
    const manifest = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: ssa-secret\nstringData:\n  token: one\n';
    assert.equal((await harness.kubectl(['apply', '--server-side', '-f', '-'], manifest)).code, 0);
    const updated = await harness.kubectl(['apply', '--server-side', '-f', '-'], manifest.replace('one', 'two'));
    assert.equal(updated.code, 0, updated.stderr);
    const secret = await core.readNamespacedSecret({ namespace, name: 'ssa-secret' });
    assert.equal(Buffer.from(secret.data?.token ?? '', 'base64').toString(), 'two');
  });

  it('applies a Job, shows its columns, and updates it', async () => {
    const created = await harness.kubectl(['apply', '-f', fixture('job-hello.yaml')]);
    assert.equal(created.stdout.trim(), 'job.batch/hello created', created.stderr);
    const table = await harness.kubectl(['get', 'jobs']);
    assert.deepEqual(headerOf(table.stdout), ['NAME', 'STATUS', 'COMPLETIONS', 'DURATION', 'AGE']);
    assert.deepEqual(rowOf(table.stdout, 'hello').slice(0, 3), ['hello', 'Running', '0/1']);
    const changed = fs.readFileSync(fixture('job-hello.yaml'), 'utf8').replace('backoffLimit: 0', 'backoffLimit: 2');
    const configured = await harness.kubectl(['apply', '-f', '-'], changed);
    assert.equal(configured.stdout.trim(), 'job.batch/hello configured', configured.stderr);
    const job = await batch.readNamespacedJob({ namespace, name: 'hello' });
    assert.equal(job.spec?.backoffLimit, 2);
    assert.equal(job.metadata?.generation, 2);
    assert.equal(job.spec?.template.spec?.containers[0]?.image, 'busybox', 'the container list was merged, not lost');
    assert.equal(job.spec?.completions, 1, 'Job defaults applied');
    assert.equal(job.spec?.selector?.matchLabels?.['batch.kubernetes.io/controller-uid'], job.metadata?.uid);
    assert.equal(job.spec?.template.metadata?.labels?.['job-name'], 'hello');
    const ssa = await harness.kubectl(['apply', '--server-side', '--force-conflicts', '-f', fixture('job-hello.yaml')]);
    assert.equal(ssa.code, 0, ssa.stderr);
    assert.equal((await batch.readNamespacedJob({ namespace, name: 'hello' })).spec?.backoffLimit, 0);
  });

  it('shows a finished Job as Complete once a client writes its status', async () => {
    const start = new Date(Date.now() - 5000).toISOString().replace(/\.\d+Z$/, 'Z');
    const end = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const patched = await harness.kubectl(['patch', 'job', 'hello', '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: { startTime: start, completionTime: end, succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] },
    })]);
    assert.equal(patched.code, 0, patched.stderr);
    const table = await harness.kubectl(['get', 'job', 'hello']);
    assert.deepEqual(rowOf(table.stdout, 'hello').slice(0, 4), ['hello', 'Complete', '1/1', '5s']);
    const waited = await harness.kubectl(['wait', '--for=condition=Complete', 'job/hello', '--timeout=5s']);
    assert.equal(waited.stdout.trim(), 'job.batch/hello condition met', waited.stderr);
  });

  it('lists Pods and Jobs under `get all`, and deleting the Job deletes its Pods', async () => {
    const job = await batch.readNamespacedJob({ namespace, name: 'hello' });
    await core.createNamespacedPod({ namespace, body: {
      metadata: { name: 'hello-abcde', labels: { 'job-name': 'hello' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'hello', uid: job.metadata?.uid ?? '', controller: true }] },
      spec: { restartPolicy: 'Never', containers: [{ name: 'hello', image: 'busybox' }] },
    } });
    const all = await harness.kubectl(['get', 'all']);
    assert.match(all.stdout, /^pod\/hello-abcde\s+0\/1\s+Pending\s+0\s+/m);
    assert.match(all.stdout, /^job\.batch\/hello\s+Complete\s+1\/1/m);
    const deleted = await harness.kubectl(['delete', 'job', 'hello']);
    assert.equal(deleted.stdout.trim(), 'job.batch "hello" deleted', deleted.stderr);
    let podGone = false;
    for (let attempt = 0; attempt < 50 && !podGone; attempt += 1) {
      try {
        await core.readNamespacedPod({ namespace, name: 'hello-abcde' });
        await sleep(20);
      } catch (error) {
        podGone = error instanceof ApiException && error.code === 404;
      }
    }
    assert.ok(podGone, 'the Pod was garbage collected');
  });

  it('creates ConfigMaps, Secrets and Namespaces with kubectl create (protobuf bodies)', async () => {
    const configMap = await harness.kubectl(['create', 'configmap', 'literal', '--from-literal=a=b', '--from-literal=c=d']);
    assert.equal(configMap.stdout.trim(), 'configmap/literal created', configMap.stderr);
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace, name: 'literal' })).data, { a: 'b', c: 'd' });
    const secret = await harness.kubectl(['create', 'secret', 'generic', 'literal', '--from-literal=token=s3cr3t']);
    assert.equal(secret.stdout.trim(), 'secret/literal created', secret.stderr);
    const stored = await core.readNamespacedSecret({ namespace, name: 'literal' });
    assert.equal(Buffer.from(stored.data?.token ?? '', 'base64').toString(), 's3cr3t');
    assert.equal(stored.type, 'Opaque');
    const ns = await harness.kubectl(['create', 'namespace', 'team-a']);
    assert.equal(ns.stdout.trim(), 'namespace/team-a created', ns.stderr);
    const again = await harness.kubectl(['create', 'namespace', 'team-a']);
    assert.match(again.stderr, /Error from server \(AlreadyExists\): namespaces "team-a" already exists/);
  });

  it('rejects a built-in manifest with an unknown field like a cluster does', async () => {
    const manifest = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typo\ndata:\n  a: b\ndatta:\n  c: d\n';
    const result = await harness.kubectl(['apply', '-f', '-'], manifest);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /Error from server \(BadRequest\): error when creating "STDIN": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "datta"/);
  });
});
