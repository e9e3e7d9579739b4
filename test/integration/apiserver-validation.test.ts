import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApiServer, type TestApiServer } from '../../local/apiserver/test-harness.ts';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'apiserver');
const widgets = '/apis/test.featherman.dev/v1/namespaces/default/widgets';
const configmaps = '/api/v1/namespaces/default/configmaps';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function widget(name: string, spec: Obj): Obj {
  return { apiVersion: 'test.featherman.dev/v1', kind: 'Widget', metadata: { name }, spec };
}

describe('local API server: validation and bad requests', () => {
  let harness: TestApiServer;

  before(async () => {
    harness = await startTestApiServer();
    await harness.applyManifestFile(path.join(FIXTURES, 'crd-widgets.yaml'));
  });
  after(async () => harness.close());

  /** revision reads the store's newest resourceVersion: unchanged means nothing was written. */
  const revision = (): number => harness.server.store.revision;

  it('reports the CRD established with accepted names', async () => {
    const { body } = await harness.request('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.test.featherman.dev');
    const conditions = Object.fromEntries((body.status.conditions as Obj[]).map((condition) => [condition.type, condition.status]));
    assert.deepEqual(conditions, { NamesAccepted: 'True', Established: 'True' });
    assert.deepEqual(body.status.acceptedNames.shortNames, ['wdg']);
    assert.deepEqual(body.status.storedVersions, ['v1']);
  });

  it('serves the CRD in discovery with short names and categories', async () => {
    const { body } = await harness.request('GET', '/apis/test.featherman.dev/v1');
    const main = (body.resources as Obj[]).find((resource) => resource.name === 'widgets');
    assert.deepEqual(main?.shortNames, ['wdg']);
    assert.deepEqual(main?.categories, ['gadgets']);
    assert.ok((body.resources as Obj[]).some((resource) => resource.name === 'widgets/status'));
  });

  it('answers discovery as plain JSON when aggregated discovery is also acceptable, 406 otherwise', async () => {
    const aggregated = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
    const both = await harness.request('GET', '/apis', undefined, { Accept: `${aggregated},application/json` });
    assert.equal(both.status, 200);
    assert.equal(both.body.kind, 'APIGroupList');
    assert.equal(both.headers.get('content-type'), 'application/json');
    const only = await harness.request('GET', '/apis', undefined, { Accept: aggregated });
    assert.equal(only.status, 406);
  });

  it('answers a CEL violation with 422 Invalid and the field path', async () => {
    const before = revision();
    const { status, body } = await harness.request('POST', widgets, widget('big', { color: 'red', size: 60, maxSize: 50 }));
    assert.equal(status, 422);
    assert.equal(body.reason, 'Invalid');
    assert.equal(body.message, 'Widget.test.featherman.dev "big" is invalid: spec: Invalid value: "object": size must not exceed maxSize');
    assert.deepEqual(body.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "object": size must not exceed maxSize', field: 'spec' }]);
    assert.equal(revision(), before);
  });

  it('lists every schema error at once', async () => {
    const { status, body } = await harness.request('POST', widgets, widget('bad', { color: 'purple', size: 0 }));
    assert.equal(status, 422);
    const fields = (body.details.causes as Obj[]).map((cause) => cause.field);
    assert.ok(fields.includes('spec.color'));
    assert.ok(fields.includes('spec.size'));
    assert.match(body.message, /^Widget.test.featherman.dev "bad" is invalid: \[spec.color: Unsupported value: "purple"/);
  });

  it('checks transition rules against the old object', async () => {
    assert.equal((await harness.request('POST', widgets, widget('owned', { color: 'red', owner: 'ann' }))).status, 201);
    const { status, body } = await harness.request('PATCH', `${widgets}/owned`, { spec: { owner: 'bob' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(status, 422);
    assert.match(body.message, /spec.owner: Invalid value: "string": owner is immutable/);
  });

  it('rejects unknown fields with Strict, warns with Warn and drops them with Ignore', async () => {
    const strict = await harness.request('POST', `${widgets}?fieldValidation=Strict`, widget('strict', { color: 'red', shape: 'round' }));
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.shape"');
    const warn = await harness.request('POST', `${widgets}?fieldValidation=Warn`, widget('warn', { color: 'red', shape: 'round' }));
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.shape\\""');
    assert.equal(warn.body.spec.shape, undefined);
    const ignore = await harness.request('POST', `${widgets}?fieldValidation=Ignore`, widget('ignore', { color: 'red', shape: 'round' }));
    assert.equal(ignore.status, 201);
    assert.equal(ignore.headers.get('warning'), null);
    const builtin = await harness.request('POST', `${configmaps}?fieldValidation=Strict`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, dta: {} });
    assert.equal(builtin.status, 400);
    assert.match(builtin.body.message, /unknown field "dta"/);
  });

  it('answers malformed JSON and YAML with 400 and stores nothing', async () => {
    const before = revision();
    const json = await harness.request('POST', configmaps, '{"apiVersion": "v1", "kind": ');
    assert.equal(json.status, 400);
    assert.equal(json.body.kind, 'Status');
    assert.match(json.body.message, /json parse error/);
    const yaml = await harness.request('POST', configmaps, 'kind: ConfigMap\n  bad: [indent', { 'Content-Type': 'application/yaml' });
    assert.equal(yaml.status, 400);
    assert.match(yaml.body.message, /YAML/);
    const applyYaml = await harness.request('PATCH', `${configmaps}/x?fieldManager=t`, 'a: [', { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(applyYaml.status, 400);
    assert.equal(revision(), before);
  });

  it('answers unknown kinds and resources with 404 or 400', async () => {
    const unknownResource = await harness.request('GET', '/apis/nope.example.com/v1/namespaces/default/things');
    assert.equal(unknownResource.status, 404);
    assert.equal(unknownResource.body.message, 'the server could not find the requested resource');
    const wrongKind = await harness.request('POST', configmaps, { apiVersion: 'v1', kind: 'Gizmo', metadata: { name: 'g' } });
    assert.equal(wrongKind.status, 400);
    assert.match(wrongKind.body.message, /kind in the data \(Gizmo\) does not match the expected kind \(ConfigMap\)/);
    const wrongVersion = await harness.request('POST', widgets, { ...widget('v', { color: 'red' }), apiVersion: 'test.featherman.dev/v9' });
    assert.equal(wrongVersion.status, 400);
  });

  it('answers unsupported content types with 415', async () => {
    const before = revision();
    const post = await harness.request('POST', configmaps, 'name=x', { 'Content-Type': 'text/plain' });
    assert.equal(post.status, 415);
    assert.equal(post.body.reason, 'UnsupportedMediaType');
    const patch = await harness.request('PATCH', `${widgets}/owned`, { spec: {} }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.equal(patch.status, 415, 'strategic merge patch is for built-in kinds only');
    assert.match(patch.body.message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml/);
    assert.equal(revision(), before);
  });

  it('answers bodies over 3 MiB with 413 and stores nothing', async () => {
    const before = revision();
    const huge = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'huge' }, data: { blob: 'x'.repeat(3 * 1024 * 1024 + 10) } };
    const { status, body } = await harness.request('POST', configmaps, huge);
    assert.equal(status, 413);
    assert.equal(body.reason, 'RequestEntityTooLarge');
    assert.equal(revision(), before);
  });

  it('answers invalid names with 422', async () => {
    const { status, body } = await harness.request('POST', configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } });
    assert.equal(status, 422);
    assert.match(body.message, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    const missing = await harness.request('POST', configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    assert.equal(missing.status, 422);
    assert.match(missing.body.message, /metadata.name: Required value: name or generateName is required/);
  });

  it('checks label keys and values, owner references and Job name length like the real server', async () => {
    const before = revision();
    const label = await harness.request('POST', configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'labelled', labels: { app: 'x'.repeat(64), 'bad key': 'v' } } });
    assert.equal(label.status, 422);
    const messages = (label.body.details.causes as Array<{ message: string }>).map((cause) => cause.message);
    assert.ok(messages.some((message) => message.endsWith('must be no more than 63 characters')));
    assert.ok(messages.some((message) => message.startsWith('Invalid value: "bad key": name part must consist of alphanumeric characters')));
    const owner = await harness.request('POST', configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x' }] } });
    assert.equal(owner.status, 422);
    assert.match(owner.body.message, /metadata.ownerReferences\[0\].uid: Required value/);
    const longJob = await harness.request('POST', '/apis/batch/v1/namespaces/default/jobs', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: `j-${'a'.repeat(70)}` },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    assert.equal(longJob.status, 422);
    assert.match(longJob.body.message, /metadata.name: Invalid value: "j-a+": must be no more than 63 characters/);
    assert.equal(revision(), before);
  });

  it('rejects a CRD whose name does not match its names and group', async () => {
    const { status, body } = await harness.request('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'wrong.example.com' },
      spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    });
    assert.equal(status, 422);
    assert.match(body.message, /metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural\+"."\+spec.group/);
  });

  it('answers Tables with printer columns and includeObject', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const { body } = await harness.request('GET', `${widgets}?includeObject=Object`, undefined, { Accept: accept });
    assert.equal(body.kind, 'Table');
    assert.equal(body.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual((body.columnDefinitions as Obj[]).map((column) => column.name), ['Name', 'Color', 'Size', 'Ready', 'Age']);
    const owned = (body.rows as Obj[]).find((row) => row.cells[0] === 'owned');
    assert.deepEqual(owned?.cells.slice(0, 4), ['owned', 'red', 10, null]);
    assert.equal(owned?.object.kind, 'Widget');
    const metadataOnly = await harness.request('GET', widgets, undefined, { Accept: accept });
    assert.equal((metadataOnly.body.rows as Obj[])[0]?.object.kind, 'PartialObjectMetadata');
    const none = await harness.request('GET', `${widgets}?includeObject=None`, undefined, { Accept: accept });
    assert.equal((none.body.rows as Obj[])[0]?.object, undefined);
  });
});
