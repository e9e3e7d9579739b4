import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JsonObject, ResourceDescriptor } from '../../local/apiserver/types.ts';
import { buildOpenApiV2, buildOpenApiV3GroupVersion, buildOpenApiV3Root, hashDocument } from '../../local/apiserver/openapi/build.ts';

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const configMaps: ResourceDescriptor = {
  group: '', version: 'v1', kind: 'ConfigMap', listKind: 'ConfigMapList', plural: 'configmaps', singular: 'configmap', namespaced: true,
  shortNames: ['cm'], categories: [], verbs, subresources: { status: false }, printerColumns: [], builtin: true,
};
const jobs: ResourceDescriptor = { ...configMaps, group: 'batch', kind: 'Job', listKind: 'JobList', plural: 'jobs', singular: 'job', shortNames: [], subresources: { status: true } };
const tables: ResourceDescriptor = {
  group: 'ducklake.featherman.dev', version: 'v1alpha1', kind: 'DuckLakeTable', listKind: 'DuckLakeTableList', plural: 'ducklaketables', singular: 'ducklaketable',
  namespaced: true, shortNames: ['dlt'], categories: [], verbs, subresources: { status: true }, printerColumns: [], builtin: false,
  schema: {
    type: 'object',
    description: 'DuckLakeTable declares a table.',
    properties: {
      metadata: { type: 'object' },
      spec: { type: 'object', properties: { columns: { type: 'array', description: 'Columns of the table, in order.', items: { type: 'object', properties: { name: { type: 'string', description: 'Column name.' } } } } } },
    },
  },
};
const resources = [configMaps, jobs, tables];

function schemas(document: JsonObject): Record<string, JsonObject> {
  return (document.components as JsonObject).schemas as Record<string, JsonObject>;
}

test('the v3 index lists every group version with a hashed serverRelativeURL', () => {
  const root = buildOpenApiV3Root(resources);
  const paths = root.paths as Record<string, { serverRelativeURL: string }>;
  assert.deepEqual(Object.keys(paths), ['api/v1', 'apis/batch/v1', 'apis/ducklake.featherman.dev/v1alpha1']);
  const hash = hashDocument(buildOpenApiV3GroupVersion('ducklake.featherman.dev', 'v1alpha1', resources));
  assert.equal(paths['apis/ducklake.featherman.dev/v1alpha1']?.serverRelativeURL, `/openapi/v3/apis/ducklake.featherman.dev/v1alpha1?hash=${hash}`);
  assert.match(hash, /^[0-9A-F]{128}$/);
});

test('a CRD group version names its schemas by reversed group and keeps the CRD descriptions', () => {
  const document = buildOpenApiV3GroupVersion('ducklake.featherman.dev', 'v1alpha1', resources);
  const all = schemas(document);
  const table = all['dev.featherman.ducklake.v1alpha1.DuckLakeTable'];
  assert.ok(table);
  assert.deepEqual(table['x-kubernetes-group-version-kind'], [{ group: 'ducklake.featherman.dev', kind: 'DuckLakeTable', version: 'v1alpha1' }]);
  const properties = table.properties as Record<string, JsonObject>;
  assert.deepEqual((properties.metadata?.allOf as JsonObject[])[0], { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' });
  const columns = ((properties.spec?.properties as Record<string, JsonObject>).columns) as JsonObject;
  assert.equal(columns.description, 'Columns of the table, in order.');
  assert.ok(all['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'], 'ObjectMeta is included');
  assert.ok(all['io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'], 'refs are followed transitively');
  const list = all['dev.featherman.ducklake.v1alpha1.DuckLakeTableList'];
  assert.deepEqual(list?.['x-kubernetes-group-version-kind'], [{ group: 'ducklake.featherman.dev', kind: 'DuckLakeTableList', version: 'v1alpha1' }]);
  assert.equal(all['io.k8s.api.core.v1.ConfigMap'], undefined, 'other group versions stay out');
});

test('PATCH operations declare fieldValidation and the GVK, as kubectl verifies', () => {
  const document = buildOpenApiV3GroupVersion('ducklake.featherman.dev', 'v1alpha1', resources);
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const item = paths['/apis/ducklake.featherman.dev/v1alpha1/namespaces/{namespace}/ducklaketables/{name}'];
  assert.ok(item?.patch);
  assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'ducklake.featherman.dev', version: 'v1alpha1', kind: 'DuckLakeTable' });
  const params = item.patch.parameters as JsonObject[];
  assert.ok(params.some((p) => p.name === 'fieldValidation' && p.in === 'query'));
  const types = Object.keys(((item.patch.requestBody as JsonObject).content) as JsonObject);
  assert.equal(types.includes('application/strategic-merge-patch+json'), false, 'no strategic merge for custom resources');
  assert.ok(paths['/apis/ducklake.featherman.dev/v1alpha1/namespaces/{namespace}/ducklaketables/{name}/status']?.patch);
  assert.ok(paths['/apis/ducklake.featherman.dev/v1alpha1/ducklaketables']?.get, 'list across namespaces');
});

test('built-in kinds get Go-package schema names and the patch strategies kubectl reads', () => {
  const core = schemas(buildOpenApiV3GroupVersion('', 'v1', resources));
  assert.ok(core['io.k8s.api.core.v1.ConfigMap']);
  assert.deepEqual(core['io.k8s.api.core.v1.ConfigMap']?.['x-kubernetes-group-version-kind'], [{ group: '', kind: 'ConfigMap', version: 'v1' }]);
  const batch = buildOpenApiV3GroupVersion('batch', 'v1', resources);
  const all = schemas(batch);
  assert.ok(all['io.k8s.api.batch.v1.Job']);
  const podSpec = all['io.k8s.api.core.v1.PodSpec']?.properties as Record<string, JsonObject>;
  assert.equal(podSpec.containers?.['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(podSpec.volumes?.['x-kubernetes-patch-strategy'], 'merge,retainKeys');
  const container = all['io.k8s.api.core.v1.Container']?.properties as Record<string, JsonObject>;
  assert.equal(container.env?.['x-kubernetes-patch-merge-key'], 'name');
  const patch = (batch.paths as Record<string, Record<string, JsonObject>>)['/apis/batch/v1/namespaces/{namespace}/jobs/{name}']?.patch;
  assert.ok(Object.keys((patch?.requestBody as JsonObject).content as JsonObject).includes('application/strategic-merge-patch+json'));
});

test('every $ref of a group version document resolves inside it', () => {
  for (const [group, version] of [['', 'v1'], ['batch', 'v1'], ['ducklake.featherman.dev', 'v1alpha1']] as const) {
    const document = buildOpenApiV3GroupVersion(group, version, resources);
    const refs = JSON.stringify(document).match(/"\$ref":"#\/components\/schemas\/[^"]+"/g) ?? [];
    for (const ref of refs) {
      const name = ref.slice('"$ref":"#/components/schemas/'.length, -1);
      assert.ok(schemas(document)[name], `${group}/${version}: ${name} resolves`);
    }
  }
});

test('the v2 document uses definitions and body parameters', () => {
  const v2 = buildOpenApiV2(resources);
  assert.equal(v2.swagger, '2.0');
  const definitions = v2.definitions as Record<string, JsonObject>;
  assert.ok(definitions['dev.featherman.ducklake.v1alpha1.DuckLakeTable']);
  assert.ok(definitions['io.k8s.api.batch.v1.Job']);
  const text = JSON.stringify(v2);
  assert.equal(text.includes('#/components/schemas/'), false);
  const post = (v2.paths as Record<string, Record<string, JsonObject>>)['/api/v1/namespaces/{namespace}/configmaps']?.post;
  assert.ok((post?.parameters as JsonObject[]).some((p) => p.in === 'body'));
});
