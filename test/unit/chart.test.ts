import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { buildChartFiles, buildChartTemplates, buildKustomizeFiles } from '../../deploy/chart.ts';
import { generatedFiles, writeFiles } from '../../deploy/generate.ts';
import { renderTemplate } from '../../deploy/render-chart.ts';
import { DEFAULT_SETTINGS, parseSettings, type DeploySettings } from '../../deploy/settings.ts';
import { readFileSync } from 'node:fs';

type K8sObject = { kind: string; metadata: { name: string; namespace?: string } };

function objectsOf(text: string): K8sObject[] {
  return parseAllDocuments(text).map((document) => document.toJS() as K8sObject | null).filter((object): object is K8sObject => object !== null);
}

function keyed(objects: K8sObject[]): Map<string, K8sObject> {
  const out = new Map<string, K8sObject>();
  for (const object of objects) {
    const key = `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
    assert.equal(out.has(key), false, `duplicate object ${key}`);
    out.set(key, object);
  }
  return out;
}

function renderChart(values: DeploySettings): K8sObject[] {
  return [...buildChartTemplates().values()].flatMap((template) => objectsOf(renderTemplate(template, values)));
}

function kustomize(settings: DeploySettings): K8sObject[] {
  const dir = mkdtempSync(join(tmpdir(), 'fm-kustomize-'));
  try {
    writeFiles(dir, buildKustomizeFiles(settings));
    return objectsOf(execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CUSTOM = parseSettings({
  namespace: 'lake-ops',
  createNamespace: false,
  images: { functions: 'registry.example.com/fm/functions:1.2.3', runner: 'registry.example.com/fm/runner:1.2.3' },
  sweep: { schedule: '0 * * * *', timezone: 'Europe/Paris' },
  functions: { resources: { requests: { cpu: '250m', memory: '300Mi' }, limits: { memory: '1Gi' } }, maxScale: '3' },
  metrics: { scrape: true, namespace: 'prometheus' },
  s3: { webhookTokenSecret: 'minio-token', sqs: { enabled: true, queueArn: 'arn:aws:sqs:eu-west-1:123456789012:landing', region: 'eu-west-1' } },
});

test('the committed knative/, charts/ and dashboards/ are what deploy/generate.ts writes', () => {
  const stale = [...generatedFiles(process.cwd())].filter(([file, text]) => readFileSync(file, 'utf8') !== text).map(([file]) => file);
  assert.deepEqual(stale, []);
});

for (const [label, settings] of [['default values', DEFAULT_SETTINGS], ['a custom set', CUSTOM]] as const) {
  test(`the chart rendered with ${label} is the kustomize output for the same settings`, () => {
    const chart = keyed(renderChart(settings));
    const base = keyed(kustomize(settings));
    assert.deepEqual([...chart.keys()].sort(), [...base.keys()].sort());
    for (const [key, object] of chart) assert.deepEqual(object, base.get(key), key);
  });
}

test('the custom values reach the objects and switch the SQS wiring on', () => {
  const objects = renderChart(CUSTOM);
  assert.ok(objects.every((object) => object.kind === 'Namespace' || object.kind.startsWith('Cluster') || object.kind === 'ValidatingWebhookConfiguration' || object.metadata.namespace === 'lake-ops'));
  assert.ok(objects.some((object) => object.kind === 'IntegrationSource'));
  assert.equal(objects.some((object) => object.kind === 'Namespace'), false);
  assert.equal(renderChart(DEFAULT_SETTINGS).some((object) => object.kind === 'IntegrationSource'), false);
  assert.ok(objects.some((object) => object.metadata.name === 'featherman-metrics'));
  assert.equal(renderChart(DEFAULT_SETTINGS).some((object) => object.metadata.name === 'featherman-metrics'), false);
  const ping = objects.find((object) => object.kind === 'PingSource') as unknown as { spec: { schedule: string; timezone: string } };
  assert.deepEqual([ping.spec.schedule, ping.spec.timezone], ['0 * * * *', 'Europe/Paris']);
  const service = objects.find((object) => object.metadata.name === 'featherman-sweep' && object.kind === 'Service') as unknown as { spec: { template: { spec: { containers: { image: string; resources: unknown }[] } } } };
  assert.equal(service.spec.template.spec.containers[0]?.image, 'registry.example.com/fm/functions:1.2.3');
  assert.deepEqual(service.spec.template.spec.containers[0]?.resources, { requests: { cpu: '250m', memory: '300Mi' }, limits: { cpu: '1', memory: '1Gi' } });
});

test('the chart installs the CRDs unchanged and its values file is the defaults', () => {
  const crds = new Map([['ducklaketables.yaml', readFileSync('crds/ducklaketables.yaml', 'utf8')]]);
  const files = buildChartFiles(crds);
  assert.equal(files.get('crds/ducklaketables.yaml'), crds.get('ducklaketables.yaml'));
  assert.deepEqual(objectsOf(files.get('values.yaml') ?? '')[0], DEFAULT_SETTINGS);
});

test('the renderer refuses constructs outside the subset and bad values name the field', () => {
  assert.throws(() => renderTemplate('{{ include "x" . }}', {}), /unsupported action/);
  assert.throws(() => renderTemplate('{{ .Values.nope }}', {}), /\.Values\.nope is not set/);
  assert.throws(() => renderTemplate('{{- if .Values.a }}x', { a: true }), /without \{\{ end \}\}/);
  assert.equal(renderTemplate('a: {{- toYaml .Values.r | nindent 2 }}\n', { r: { x: '1' } }), 'a:\n  x: "1"\n');
  assert.throws(() => parseSettings({ sweep: { schedule: '' } }), /sweep\.schedule/);
  assert.throws(() => parseSettings({ imagez: {} }), /imagez/);
});
