import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const widgets = '/apis/test.featherman.dev/v1/namespaces/default/widgets';
const webhooks = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function configuration(name: string, url: string, failurePolicy: 'Fail' | 'Ignore', operations = ['CREATE', 'UPDATE']): Obj {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name },
    webhooks: [{
      name: `${name}.test.featherman.dev`, failurePolicy, sideEffects: 'None', admissionReviewVersions: ['v1'], timeoutSeconds: 2,
      clientConfig: { url },
      rules: [{ apiGroups: ['test.featherman.dev'], apiVersions: ['v1'], operations, resources: ['widgets'], scope: 'Namespaced' }],
    }],
  };
}

describe('local API server: validating admission webhooks', () => {
  let harness: TestApiServer;
  let webhook: http.Server;
  let webhookUrl: string;
  const reviews: Obj[] = [];

  before(async () => {
    harness = await startTestApiServer();
    await harness.applyManifestFile(path.join(FIXTURES, 'crd-widgets.yaml'));
    // The webhook denies blue widgets and records every review it gets.
    webhook = http.createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => { text += chunk.toString(); });
      request.on('end', () => {
        const review = JSON.parse(text) as Obj;
        reviews.push(review);
        const blue = review.request.object?.spec?.color === 'blue';
        response.setHeader('Content-Type', 'application/json');
        response.end(JSON.stringify({
          apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
          response: { uid: review.request.uid, allowed: !blue, ...(blue ? { status: { code: 403, message: 'blue widgets are not allowed' } } : {}) },
        }));
      });
    });
    await new Promise<void>((resolve) => webhook.listen(0, '127.0.0.1', () => resolve()));
    webhookUrl = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/validate`;
  });
  after(async () => {
    await harness.close();
    webhook.closeAllConnections();
    await new Promise<void>((resolve) => webhook.close(() => resolve()));
  });

  it('calls the webhook with an AdmissionReview and rejects with its message', async () => {
    assert.equal((await harness.request('POST', webhooks, configuration('colors', webhookUrl, 'Fail'))).status, 201);
    const allowed = await harness.request('POST', widgets, { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name: 'red-one' }, spec: { color: 'red' } });
    assert.equal(allowed.status, 201);
    const review = reviews.at(-1);
    assert.equal(review?.kind, 'AdmissionReview');
    assert.equal(review?.request.operation, 'CREATE');
    assert.deepEqual(review?.request.resource, { group: 'test.featherman.dev', version: 'v1', resource: 'widgets' });
    assert.equal(review?.request.namespace, 'default');
    assert.equal(review?.request.object.spec.size, 10, 'the webhook sees the defaulted object');
    const before = harness.server.store.revision;
    const denied = await harness.request('POST', widgets, { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name: 'blue-one' }, spec: { color: 'blue' } });
    assert.equal(denied.status, 403);
    assert.equal(denied.body.message, 'admission webhook "colors.test.featherman.dev" denied the request: blue widgets are not allowed');
    assert.equal(harness.server.store.revision, before);
  });

  it('reviews updates with the old object', async () => {
    const denied = await harness.request('PATCH', `${widgets}/red-one`, { spec: { color: 'blue' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(denied.status, 403);
    const review = reviews.at(-1);
    assert.equal(review?.request.operation, 'UPDATE');
    assert.equal(review?.request.oldObject.spec.color, 'red');
    const kept = await harness.request('GET', `${widgets}/red-one`);
    assert.equal(kept.body.spec.color, 'red');
  });

  it('honours failurePolicy when the webhook cannot be reached', async () => {
    await harness.request('DELETE', `${webhooks}/colors`);
    assert.equal((await harness.request('POST', webhooks, configuration('down-ignore', 'http://127.0.0.1:1/none', 'Ignore'))).status, 201);
    const through = await harness.request('POST', widgets, { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name: 'through' }, spec: { color: 'green' } });
    assert.equal(through.status, 201);
    assert.equal((await harness.request('POST', webhooks, configuration('down-fail', 'http://127.0.0.1:1/none', 'Fail'))).status, 201);
    const blocked = await harness.request('POST', widgets, { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name: 'blocked' }, spec: { color: 'green' } });
    assert.equal(blocked.status, 500);
    assert.match(blocked.body.message, /^Internal error occurred: failed calling webhook "down-fail.test.featherman.dev": failed to call webhook/);
  });

  it('skips webhooks whose rules do not match the operation', async () => {
    await harness.request('DELETE', `${webhooks}/down-fail`);
    await harness.request('DELETE', `${webhooks}/down-ignore`);
    assert.equal((await harness.request('POST', webhooks, configuration('updates-only', webhookUrl, 'Fail', ['UPDATE']))).status, 201);
    const count = reviews.length;
    const created = await harness.request('POST', widgets, { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name: 'blue-create' }, spec: { color: 'blue' } });
    assert.equal(created.status, 201);
    assert.equal(reviews.length, count);
  });
});
