import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildChartTemplates } from '../../deploy/chart.ts';
import { restrictedViolations } from '../../deploy/pod-security.ts';
import { renderTemplate } from '../../deploy/render-chart.ts';
import { checkManifests } from '../../deploy/schema-check.ts';
import { parseSettings } from '../../deploy/settings.ts';
import { buildApplyTablePlan, buildQueryPlan } from '../../functions/core/plan-build.ts';
import { ownerOf } from '../../functions/core/resources.ts';
import { validateCatalog } from '../../functions/core/validate-catalog.ts';
import { validateQuery } from '../../functions/core/validate-query.ts';
import { validateTable } from '../../functions/core/validate-table.ts';
import { buildRunnerJob } from '../../functions/specs/job.ts';

type Obj = Record<string, unknown>;

function objectsOf(text: string): Obj[] {
  return parseAllDocuments(text).map((document) => document.toJS() as Obj | null).filter((object): object is Obj => object !== null);
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.yaml') && !file.includes('values')).map((file) => join(dir, file));
}

const API = 'ducklake.featherman.dev/v1alpha1';
const meta = (name: string) => ({ name, namespace: 'analytics', uid: `${name}-uid`, generation: 1 });

function ok<T>(result: { ok: true; value: T } | { ok: false }): T {
  assert.ok(result.ok, JSON.stringify(result));
  return result.value;
}

function runnerJobs(): Obj[] {
  const catalog = ok(validateCatalog({ apiVersion: API, kind: 'DuckLakeCatalog', metadata: meta('lake'), spec: { objectStore: { bucket: 'lake', credentialsSecret: { name: 's3' } } } }));
  const table = ok(validateTable({ apiVersion: API, kind: 'DuckLakeTable', metadata: meta('sales'), spec: { catalogRef: 'lake', name: 'sales', columns: [{ name: 'id', type: 'INTEGER' }, { name: 'ts', type: 'TIMESTAMP' }], ttlDays: 30, ttlColumn: 'ts' } }));
  const query = ok(validateQuery({ apiVersion: API, kind: 'DuckLakeQuery', metadata: meta('q'), spec: { catalogRef: 'lake', sql: 'SELECT 1' } }));
  return [
    buildRunnerJob({ name: 'fm-apply-table-sales-1', namespace: 'analytics', owner: ownerOf(table), plan: buildApplyTablePlan(catalog, table), catalog, image: 'runner:1', op: 'apply-table', readOnly: false, generation: 1 }),
    buildRunnerJob({ name: 'fm-query-q-1', namespace: 'analytics', owner: ownerOf(query), plan: buildQueryPlan(catalog, query), catalog, image: 'runner:1', op: 'query', readOnly: true }),
  ] as unknown as Obj[];
}

const kustomized = objectsOf(execFileSync('kubectl', ['kustomize', 'knative'], { encoding: 'utf8' }));
const everythingOn = parseSettings({ namespace: 'lake-ops', metrics: { scrape: true }, s3: { sqs: { enabled: true } } });
const chart = [...buildChartTemplates().values()].flatMap((template) => objectsOf(renderTemplate(template, everythingOn)));
const crds = yamlFiles('crds').flatMap((file) => objectsOf(readFileSync(file, 'utf8')));
const examples = [...yamlFiles('examples/external-secrets'), ...yamlFiles('examples/s3-wiring'), ...yamlFiles('examples/pod-template')].flatMap((file) => objectsOf(readFileSync(file, 'utf8')));
const e2e = yamlFiles('.github/e2e').flatMap((file) => objectsOf(readFileSync(file, 'utf8'))).filter((object) => !String(object.apiVersion).startsWith('cert-manager.io/'));
const jobs = runnerJobs();

test('kubectl kustomize renders the base, and every kind in it has a schema', () => {
  assert.ok(kustomized.length > 40, `${kustomized.length} objects`);
  const kinds = new Set(kustomized.map((object) => object.kind));
  for (const kind of ['Broker', 'ApiServerSource', 'Trigger', 'Service', 'PingSource', 'ClusterRole', 'NetworkPolicy', 'ValidatingWebhookConfiguration']) assert.ok(kinds.has(kind), kind);
});

test('the kustomize output, the chart with every switch on, the CRDs, the examples, the e2e fixtures and the runner Jobs pass the strict schema check', () => {
  const samples = [...examples, ...e2e];
  for (const catalog of samples.filter((object) => object.kind === 'DuckLakeCatalog')) ok(validateCatalog(catalog));
  const tables = samples.filter((object) => object.kind === 'DuckLakeTable');
  assert.ok(tables.length > 0);
  for (const table of tables) ok(validateTable(table));
  const plain = samples.filter((object) => !String(object.apiVersion).startsWith('ducklake.featherman.dev/'));
  const objects = [...kustomized, ...chart, ...crds, ...plain, ...jobs];
  assert.deepEqual(checkManifests(objects), []);
});

test('unknown fields at any depth, wrong types and unknown kinds are reported', () => {
  const service = structuredClone(kustomized.find((object) => object.kind === 'Service')) as { spec: { template: { spec: { containerConcurrency: unknown; containers: { securityContext: Obj }[] } } } };
  const container = service.spec.template.spec.containers[0];
  assert.ok(container);
  container.securityContext.runAsNonroot = true;
  const trigger = structuredClone(kustomized.find((object) => object.kind === 'Trigger')) as { spec: Obj };
  trigger.spec.filters = [{ exact: { type: 'x' } }];
  const typed = structuredClone(kustomized.find((object) => object.kind === 'Service')) as typeof service;
  typed.spec.template.spec.containerConcurrency = 'ten';
  const sqs = structuredClone(chart.find((object) => object.kind === 'IntegrationSource')) as { spec: { aws: Obj } };
  sqs.spec.aws.s3 = { arn: 'my-data-lake' };
  const job = structuredClone(jobs[0]) as { spec: { template: { spec: { containers: Obj[] } } } };
  const runner = job.spec.template.spec.containers[0];
  assert.ok(runner);
  runner.imagePullpolicy = 'Always';
  const issues = checkManifests([service, trigger, typed, sqs, job, { apiVersion: 'v1', kind: 'Gadget', metadata: { name: 'g' } }] as unknown as Obj[]);
  const text = issues.map((issue) => `${issue.object}: ${issue.message}`).join('\n');
  for (const expected of ['runAsNonroot', 'filters', 'containerConcurrency', '"s3"', 'imagePullpolicy', 'Gadget']) assert.match(text, new RegExp(expected), text);
});

test('the runner Jobs and every function pod pass the Pod Security "restricted" profile', () => {
  for (const job of jobs) assert.deepEqual(restrictedViolations((job as { spec: { template: { spec: unknown } } }).spec.template.spec), []);
  const pods = [...kustomized, ...examples].flatMap((object) => {
    const spec = (object as { spec?: { template?: { spec?: unknown } } }).spec?.template?.spec;
    return spec === undefined ? [] : [{ name: `${String(object.kind)} ${String((object.metadata as Obj).name)}`, spec }];
  });
  assert.ok(pods.length >= 9);
  for (const pod of pods) assert.deepEqual(restrictedViolations(pod.spec), [], pod.name);
  const namespace = kustomized.find((object) => object.kind === 'Namespace') as { metadata: { labels: Record<string, string> } };
  assert.equal(namespace.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
});

test('the restricted check refuses what PodSecurity would refuse', () => {
  const spec = structuredClone((jobs[0] as { spec: { template: { spec: { containers: { securityContext: Obj }[]; volumes: Obj[] } } } }).spec.template.spec);
  const container = spec.containers[0];
  assert.ok(container);
  container.securityContext.allowPrivilegeEscalation = true;
  container.securityContext.capabilities = { drop: ['ALL'], add: ['SYS_ADMIN'] };
  spec.volumes.push({ name: 'host', hostPath: { path: '/' } });
  const found = restrictedViolations(spec).join('; ');
  for (const expected of ['allowPrivilegeEscalation', 'SYS_ADMIN', 'hostPath']) assert.match(found, new RegExp(expected));
});
