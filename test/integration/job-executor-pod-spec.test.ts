// Pure builders of the job executor and the event router (no I/O), kept beside their integration tests.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandReferences } from '../../local/job-executor/container-env.ts';
import { jobFailedConditions, truncateMessage, KUBELET_MESSAGE_LIMIT } from '../../local/job-executor/job-status.ts';
import { buildPod, podNameFor, rewritePaths, runnerArguments } from '../../local/job-executor/pod-spec.ts';
import { apiServerSubject, guessPlural } from '../../local/event-router/apiserver-event.ts';
import { awsEncodeKey, minioEncodeKey } from '../../local/event-router/s3-notification.ts';

const mounts = [
  { mountPath: '/var/lib/featherman/catalog', localPath: '/data/volumes/ns/cat', readOnly: false },
  { mountPath: '/var/lib/featherman', localPath: '/data/volumes/ns/root', readOnly: false },
  { mountPath: '/cache', localPath: '/tmp/fm-vol-cache-1', readOnly: false },
];

describe('job executor: pod spec builders', () => {
  it('rewrites mount paths in plain values and inside plan JSON, longest mount first', () => {
    assert.equal(rewritePaths('/var/lib/featherman/catalog/x.ducklake', mounts), '/data/volumes/ns/cat/x.ducklake');
    assert.equal(rewritePaths('/var/lib/featherman/other', mounts), '/data/volumes/ns/root/other');
    assert.equal(rewritePaths('/cache', mounts), '/tmp/fm-vol-cache-1');
    const plan = JSON.stringify({ catalog: { path: '/var/lib/featherman/catalog/x.ducklake' }, cacheDir: '/cache/work' });
    assert.deepEqual(JSON.parse(rewritePaths(plan, mounts)), { catalog: { path: '/data/volumes/ns/cat/x.ducklake' }, cacheDir: '/tmp/fm-vol-cache-1/work' });
    assert.equal(rewritePaths('--plan=/cache/p.json', mounts), '--plan=/tmp/fm-vol-cache-1/p.json');
  });

  it('leaves paths that only share a prefix with a mount, or sit under another folder, alone', () => {
    assert.equal(rewritePaths('/cachex/a', mounts), '/cachex/a');
    assert.equal(rewritePaths('/opt/cache/a', mounts), '/opt/cache/a');
    assert.equal(rewritePaths('s3://lake/cache/a', mounts), 's3://lake/cache/a');
    assert.equal(rewritePaths('/tmp/x', []), '/tmp/x');
  });

  it('maps the container command to runner arguments', () => {
    assert.deepEqual(runnerArguments({ name: 'r', command: ['node', '--import', 'tsx', '/app/runner/main.ts'], args: ['--plan', '/p.json'] }), ['--plan', '/p.json']);
    assert.deepEqual(runnerArguments({ name: 'r', command: ['node', 'dist/runner.mjs', '--plan', '/p.json'], args: ['--verbose'] }), ['--plan', '/p.json', '--verbose']);
    assert.deepEqual(runnerArguments({ name: 'r', command: ['featherman-runner'], args: ['--plan=/p.json'] }), ['--plan=/p.json']);
    assert.deepEqual(runnerArguments({ name: 'r', command: ['node', 'runner/main.js', '--plan', 'x'] }), ['--plan', 'x']);
    assert.deepEqual(runnerArguments({ name: 'r' }), []);
  });

  it('names Pods <job>-<5 chars> and gives them the Job controller labels and owner', () => {
    const name = podNameFor('ingest-users-abc');
    assert.match(name, /^ingest-users-abc-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.ok(podNameFor('x'.repeat(63)).length <= 63);
    const pod = buildPod({
      metadata: { name: 'j', namespace: 'ns', uid: 'u-1' },
      spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c' }] } } },
    }, 'j-bcdfg');
    assert.deepEqual(pod.metadata?.labels, { app: 'a', 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'j', 'controller-uid': 'u-1', 'job-name': 'j' });
    assert.deepEqual(pod.metadata?.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u-1', controller: true, blockOwnerDeletion: true }]);
    assert.equal(pod.spec?.nodeName, 'featherman-local');
    assert.equal(pod.metadata?.namespace, 'ns');
  });

  it('expands $(VAR) references like the kubelet and keeps unknown ones', () => {
    assert.equal(expandReferences('$(A)/x/$(B)/$$(A)', { A: 'a' }), 'a/x/$(B)/$(A)');
  });

  it('cuts termination messages to 4 KiB and writes the failure conditions', () => {
    assert.equal(Buffer.byteLength(truncateMessage('é'.repeat(3000))), KUBELET_MESSAGE_LIMIT);
    assert.equal(truncateMessage('short'), 'short');
    const [target, failed] = jobFailedConditions('DeadlineExceeded', '2026-01-01T00:00:00Z');
    assert.equal(target?.type, 'FailureTarget');
    assert.equal(failed?.type, 'Failed');
    assert.equal(failed?.message, 'Job was active longer than specified deadline');
  });
});

describe('event router: builders', () => {
  it('encodes keys as AWS (slashes kept, space as +) and MinIO (query-escaped) do', () => {
    assert.equal(awsEncodeKey('landing/users/day 1/part=1.csv'), 'landing/users/day+1/part%3D1.csv');
    assert.equal(minioEncodeKey('landing/users/day 1/part=1.csv'), 'landing%2Fusers%2Fday+1%2Fpart%3D1.csv');
    assert.equal(minioEncodeKey("a(b)*!'"), 'a%28b%29%2A%21%27');
    assert.equal(decodeURIComponent(awsEncodeKey('a+b c/ü.csv').replace(/\+/g, ' ')), 'a+b c/ü.csv');
  });

  it('guesses plurals and subjects the way the source does', () => {
    assert.equal(guessPlural('DuckLakeQuery'), 'ducklakequeries');
    assert.equal(guessPlural('DuckLakeTable'), 'ducklaketables');
    assert.equal(guessPlural('Ingress'), 'ingresses');
    assert.equal(apiServerSubject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'n' } }), '/apis/v1/namespaces/n/configmaps/c');
    assert.equal(apiServerSubject({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }), '/apis/v1/namespaces//namespaces/n');
  });
});
