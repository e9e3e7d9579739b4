import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { catalogSpec, createResource, GROUP_VERSION, post, startFunctionsWorld, tableSpec, type FunctionsWorld, type Posted } from './functions-harness.ts';

type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

function review(kind: string, name: string, spec: Record<string, unknown>, operation: Operation = 'CREATE', extra: Record<string, unknown> = {}) {
  const object = { apiVersion: GROUP_VERSION, kind, metadata: { name, namespace: 'default', ...extra }, spec };
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: `uid-${name}-${operation}`, kind: { group: 'ducklake.featherman.dev', version: 'v1alpha1', kind },
      resource: { group: 'ducklake.featherman.dev', version: 'v1alpha1', resource: `${kind.toLowerCase()}s` },
      name, namespace: 'default', operation, object, ...(operation === 'UPDATE' ? { oldObject: { ...object, spec: { ...spec, comment: 'old' } } } : {}),
    },
  };
}

describe('admission function (AdmissionReview v1)', () => {
  let world: FunctionsWorld;
  const send = (body: unknown): Promise<Posted> => post(world, '/admission', JSON.stringify(body), { 'content-type': 'application/json' });
  const verdict = async (body: ReturnType<typeof review>) => {
    const answer = await send(body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.kind, 'AdmissionReview');
    assert.equal(answer.body.response.uid, body.request.uid);
    return answer.body.response as { allowed: boolean; status?: { code: number; message: string } };
  };

  before(async () => {
    world = await startFunctionsWorld();
    await createResource(world, 'DuckLakeCatalog', 'lake', catalogSpec());
    await createResource(world, 'DuckLakeTable', 'users', tableSpec('lake', 'users'));
  });
  after(async () => {
    await world.close();
  });

  it('allows a valid catalog and a table whose catalog exists', async () => {
    const elsewhere = catalogSpec({ objectStore: { ...(catalogSpec().objectStore as Record<string, unknown>), prefix: 'other' } });
    assert.equal((await verdict(review('DuckLakeCatalog', 'other', elsewhere))).allowed, true);
    assert.equal((await verdict(review('DuckLakeTable', 'orders', tableSpec('lake', 'orders')))).allowed, true);
  });

  it('denies a table whose catalog does not exist, saying which and how to fix it', async () => {
    const response = await verdict(review('DuckLakeTable', 'orders', tableSpec('missing', 'orders')));
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    assert.equal(response.status?.message, 'spec.catalogRef: DuckLakeCatalog "missing" does not exist in namespace default; create it first or fix the reference.');
  });

  it('denies a second table with the same SQL name in the catalog, allows it in another schema', async () => {
    const clash = await verdict(review('DuckLakeTable', 'users-copy', tableSpec('lake', 'users')));
    assert.equal(clash.allowed, false);
    assert.match(String(clash.status?.message), /table main\.users already exists in catalog lake as DuckLakeTable users/);
    assert.equal((await verdict(review('DuckLakeTable', 'users-copy', tableSpec('lake', 'users', { schema: 'staging' })))).allowed, true);
    assert.equal((await verdict(review('DuckLakeTable', 'users', tableSpec('lake', 'users', { comment: 'edited' }), 'UPDATE'))).allowed, true);
  });

  it('checks a query with DuckDB: one read-only SELECT passes, writes, several statements and file reads do not', async () => {
    const query = (sql: string) => review('DuckLakeQuery', 'q', { catalogRef: 'lake', sql });
    assert.equal((await verdict(query('SELECT id, count(*) FROM users GROUP BY id'))).allowed, true);
    const cases: Array<[string, RegExp]> = [
      ['DROP TABLE users', /^spec\.sql: must be one read-only SELECT/],
      ['SELECT 1; SELECT 2', /^spec\.sql: must be exactly one SELECT statement; got 2 statements\./],
      ["SELECT * FROM read_csv('/etc/passwd')", /^spec\.sql: the query may not call the table function read_csv\(\)/],
      ['SELEC oops', /^spec\.sql: does not parse/],
    ];
    for (const [sql, message] of cases) {
      const response = await verdict(query(sql));
      assert.equal(response.allowed, false, sql);
      assert.match(String(response.status?.message), message);
    }
  });

  it('denies a catalog whose data path another catalog shares or nests with, on the same endpoint; the catalog itself may change', async () => {
    const store = catalogSpec().objectStore as Record<string, unknown>;
    const at = (extra: Record<string, unknown>) => catalogSpec({ objectStore: { ...store, ...extra } });
    const same = await verdict(review('DuckLakeCatalog', 'twin', at({})));
    assert.equal(same.allowed, false);
    assert.equal(same.status?.message, "spec.objectStore: data path s3://lake/data/ is already the data path of DuckLakeCatalog default/lake (s3://lake/data/); catalogs must not share or nest data paths, or each would delete the other's files as orphans; choose another bucket or prefix.");
    assert.match(String((await verdict(review('DuckLakeCatalog', 'inner', at({ prefix: 'data/inner' })))).status?.message), /data path s3:\/\/lake\/data\/inner\/ lies inside the data path of DuckLakeCatalog default\/lake/);
    assert.match(String((await verdict(review('DuckLakeCatalog', 'outer', at({ prefix: '' })))).status?.message), /data path s3:\/\/lake\/ contains the data path of DuckLakeCatalog default\/lake/);
    assert.equal((await verdict(review('DuckLakeCatalog', 'sibling', at({ prefix: 'data-2' })))).allowed, true, 'data-2/ is no part of data/');
    assert.equal((await verdict(review('DuckLakeCatalog', 'elsewhere', at({ endpoint: 'http://127.0.0.1:10' })))).allowed, true, 'another object store');
    assert.equal((await verdict(review('DuckLakeCatalog', 'lake', at({}), 'UPDATE'))).allowed, true, 'its own data path');
  });

  it('denies a table whose folder overlaps another table\'s, holds its catalog\'s data path, or lies in another catalog\'s; allows a folder of its own', async () => {
    await createResource(world, 'DuckLakeCatalog', 'archive', catalogSpec({ objectStore: { ...(catalogSpec().objectStore as Record<string, unknown>), prefix: 'archive' } }));
    const denied = async (name: string, location: string) => {
      const response = await verdict(review('DuckLakeTable', name, tableSpec('lake', name, { location })));
      assert.equal(response.allowed, false, location);
      return String(response.status?.message);
    };
    // A relative location is under the schema's folder: users/2024/ is inside main.users' folder.
    assert.equal(await denied('inside', 'users/2024/'),
      "spec.location: the table's objects at s3://lake/data/main/users/2024/ would share a folder with DuckLakeTable default/users (s3://lake/data/main/users/); deleting either with deletionPolicy Delete, or cleaning its catalog, would remove the other's files; give each table a folder of its own.");
    assert.match(await denied('around', 's3://lake/data/main/'), /would share a folder with DuckLakeTable default\/users/);
    assert.match(await denied('everything', 's3://lake/data/'), /would contain the data path of its catalog default\/lake \(s3:\/\/lake\/data\/\)/);
    assert.match(await denied('root', 's3://lake/'), /^spec\.location: must be a relative path under the catalog data path or an absolute s3:\/\/bucket\/path\/ URL with a folder/);
    assert.match(await denied('trespass', 's3://lake/archive/events/'), /would lie in the data path of DuckLakeCatalog default\/archive \(s3:\/\/lake\/archive\/\)/);
    assert.equal((await verdict(review('DuckLakeTable', 'own', tableSpec('lake', 'own', { location: 's3://lake/tables/own/' })))).allowed, true, 'a folder of its own outside the data path');
    assert.equal((await verdict(review('DuckLakeTable', 'users', tableSpec('lake', 'users', { comment: 'edited' }), 'UPDATE'))).allowed, true, 'its own folder');
  });

  it('reports schema problems as issue sentences', async () => {
    const response = await verdict(review('DuckLakeCatalog', 'bad.name', catalogSpec()));
    assert.equal(response.allowed, false);
    assert.match(String(response.status?.message), /^metadata\.name: must be a DNS label/);
  });

  it('allows deletes, and finalizer updates of a table whose catalog is gone', async () => {
    assert.equal((await verdict(review('DuckLakeTable', 'users', tableSpec('missing', 'users'), 'DELETE'))).allowed, true);
    const leaving = review('DuckLakeTable', 'users', tableSpec('missing', 'users'), 'UPDATE', { deletionTimestamp: '2026-11-25T12:00:00Z' });
    assert.equal((await verdict(leaving)).allowed, true);
  });

  it('as the API server\'s validating webhook, refuses a query that writes and admits one that reads', async () => {
    const configuration = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'featherman' },
      webhooks: [{
        name: 'admission.featherman.dev', admissionReviewVersions: ['v1'], sideEffects: 'None', failurePolicy: 'Fail', timeoutSeconds: 10,
        clientConfig: { url: `${world.url}/admission` },
        rules: [{ apiGroups: ['ducklake.featherman.dev'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: ['ducklaketables', 'ducklakequeries'] }],
      }],
    };
    const created = await world.harness.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', configuration);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    await assert.rejects(createResource(world, 'DuckLakeQuery', 'wipe', { catalogRef: 'lake', sql: 'DELETE FROM users' }), (error: { code?: number; body?: unknown }) => {
      assert.ok(error.code === 400 || error.code === 403, String(error.code));
      assert.match(String(error.body), /spec\.sql: must be one read-only SELECT/);
      return true;
    });
    const query = await createResource(world, 'DuckLakeQuery', 'count', { catalogRef: 'lake', sql: 'SELECT count(*) FROM users' });
    assert.equal(query.metadata.name, 'count');
  });

  it('answers 400 to a body that is no AdmissionReview', async () => {
    assert.equal((await send({ hello: 'world' })).status, 400);
    assert.equal((await post(world, '/admission', 'nope', { 'content-type': 'application/json' })).status, 400);
  });
});
